"""Make the trained weights that ship with the package (nbs/evidence/cpu_edition_weights.pt, read by 07_analysis).

    python tools/ship_weights.py RUN_DIR [--history NAME]

RUN_DIR holds a finished run of `cifar_course_train` (last.pt, history.json) whose history is committed under
nbs/evidence/ as NAME. The file keeps what `cifar_course.analysis.load_trained` needs: the configuration, and the scored
weights (the EMA's when the run kept one) in float16, which a width-16 model fits in under 1 MB.
"""
import argparse, json, sys
from pathlib import Path
import torch

EVIDENCE = Path(__file__).resolve().parents[1]/"nbs"/"evidence"

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("run", type=Path, help="a finished run's folder (last.pt, history.json)")
    p.add_argument("--history", required=True,
                   help="the run's history as committed in nbs/evidence/, e.g. precision_valid_bf16_seed0.json")
    p.add_argument("--out", type=Path, default=EVIDENCE/"cpu_edition_weights.pt")
    a = p.parse_args()
    ck = torch.load(a.run/"last.pt", map_location="cpu", weights_only=False)
    committed = json.loads((EVIDENCE/a.history).read_text())
    if committed["config"] != ck["config"]:
        sys.exit(f"{a.history} is not the history of {a.run}: their configurations differ")
    if committed["epoch"] != ck["history"]["epoch"]: sys.exit(f"{a.history} and {a.run}/last.pt differ in their epochs")
    state = ck["ema"] if "ema" in ck else ck["model"]
    half = {k: v.half() if v.is_floating_point() else v for k, v in state.items()}
    torch.save({"model" if "ema" not in ck else "ema": half, "config": ck["config"], "history": a.history}, a.out)
    numbers = sum(v.numel() for v in half.values())
    print(f"{a.out}: {a.out.stat().st_size/1e6:.2f} MB, {numbers:,} numbers, from {a.run}")

if __name__ == "__main__": main()
