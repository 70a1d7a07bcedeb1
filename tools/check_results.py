"""Check that the pages' results agree with the committed evidence (CI runs this; it needs no data and trains nothing).

- Every full 24-epoch run committed under nbs/evidence/ (a history `cifar_course_train` wrote, on all 50,000 training
  images, scored on the test set) has one row in the results table of nbs/00_index.ipynb, labelled by its preset, else
  by the flags of its options, else by its model and width; the row gives its accuracy (the median and each seed's for a
  setting run with several seeds), device, minutes, LRMAX and flip-TTA accuracy as the history has them, and a course
  page (06_train or 09_beyond) prints the same accuracy. Every accuracy in bold in the table comes from such runs.
- The index's quick try quotes its committed history (nbs/evidence/quick_try.json), made by the command it gives.

Usage: python tools/check_results.py   (exit 1 with the differences listed)
"""
import json, sys
from pathlib import Path
from statistics import median
from cifar_course.config import PRESETS, _preset_defaults  # the flags' spelling, as the command's --preset uses it
from cifar_course.beyond import config_changes
from cifar_course.train import run_seconds

NBS = Path(__file__).resolve().parent.parent/"nbs"
errors = []

def md_of(name:str, outputs:bool=False) -> str:
    "The markdown of a notebook, and with `outputs` the text its code cells printed."
    cells = json.loads((NBS/name).read_text())["cells"]
    return "\n".join(["".join(c["source"]) for c in cells if c["cell_type"] == "markdown"] +
                     ["".join(o.get("text", "")) for c in cells if outputs and c["cell_type"] == "code"
                      for o in c.get("outputs", [])])

OPTIONS = ("label_smoothing", "logit_scale", "wd_bn_bias", "ema", "lr_mult")  # the settings a row is labelled by

def label(cfg:dict) -> str:
    "A run's row: the preset whose settings it has, else the flags of its options, else its model and width."
    opts = {k: v for k, v in config_changes(cfg).items() if k in OPTIONS}
    preset = [k for k, s in PRESETS.items() if s and s == opts]
    return ("ResNet18" if cfg["model"] == "resnet18" else f"--preset {preset[0]}" if preset else
            " ".join(f"--{k.replace('_', '-')}" + ("" if v is True else f" {v:g}") for k,
                     v in _preset_defaults(opts).items()) if opts else f"width {cfg['width']}")

def check_results_table():
    table = md_of("00_index.ipynb").split("## Results")[1].split("\n\n")[1].splitlines()
    rows = table[2:]  # the rows under the header and its rule
    runs = [h for p in sorted((NBS/"evidence").glob("*.json")) if "config" in (h := json.loads(p.read_text()))
            and h["config"]["subset"] is None and h["config"].get("valid") is None
            and len(h["epoch"]) == h["config"]["epochs"] == 24]
    groups = {}  # (runs scored on the validation split made choices; the table reports test accuracy only)
    for h in runs: groups.setdefault(label(h["config"]), []).append(h)
    shown = md_of("06_train.ipynb", outputs=True) + md_of("09_beyond.ipynb", outputs=True)
    for lab, hs in groups.items():
        key = f"`{lab}`" if lab.startswith("--") else lab  # flags as the row writes them, in backticks
        row = [r for r in rows if key in r and ("--preset" in r) == lab.startswith("--preset")]
        if len(row) != 1: errors.append(f"results table: {len(row)} rows for {lab!r}, not 1"); continue
        accs, mins = [h["test_acc"][-1] for h in hs], [run_seconds(h)/60 for h in hs]
        facts = [f"**{median(accs):.2%}**"] + [h["device_name"] for h in hs]
        if len(hs) == 1:
            facts += [f"{mins[0]:.0f} min", f"= {hs[0]['lr_max']:.3f}"] + ([f"flip TTA {hs[0]['tta_acc']:.2%}"]
                    if "tta_acc" in hs[0] else [])
        else:
            if len({h["config"]["seed"] for h in hs}) != len(hs): errors.append(f"{lab}: a seed twice")
            facts += [f"{a:.2%}" for a in accs] + [f"{median(h['tta_acc'] for h in hs):.2%}", f"{median(mins):.0f} min"]
        errors.extend(f"results table, row {lab!r}: does not say {fact!r}" for fact in facts if fact not in row[0])
        if f"{median(accs):.2%}" not in shown:
            errors.append(f"neither 06_train nor 09_beyond prints {lab}'s {median(accs):.2%}")
    bold = [r for r in rows if "%**" in r]
    if len(bold) != len(groups):
        errors.append(f"results table: {len(bold)} rows with an accuracy, {len(groups)} settings in the evidence")

def check_quick_try():
    h = json.loads((NBS/"evidence"/"quick_try.json").read_text()); c = h["config"]
    if (c["epochs"], c["width"], c["subset"], c["test_subset"], c["batch_size"], len(h["epoch"])) != (3, 16, 10_000,
            2_000, 128, 3):
        errors.append("quick_try.json was not made by the quick try's command")
    said = (f"{h['device_name']} that runs the course's CI it reached {h['test_acc'][-1]:.1%} test accuracy in "
            f"{run_seconds(h):.0f} s, {h['lr_finder_seconds']:.0f} s of them the LR range test")
    if said not in md_of("00_index.ipynb"): errors.append(f"the index does not quote the quick try as: {said}")

if __name__ == "__main__":
    check_results_table(); check_quick_try()
    if errors: print("results checks failed:\n- " + "\n- ".join(errors)); sys.exit(1)
    print("results checks: the index's results table and quick try agree with the committed histories in nbs/evidence/")
