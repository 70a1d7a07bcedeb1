"""Run notebooks top to bottom in a fresh kernel in nbs/ and store the outputs they print, as the docs site shows them.

Cells marked `slow` are not run: they keep the outputs stored from their last real run (the full trainings). Every other
code cell gets the output of this run, or none. Run it with the dev environment's Python, from the repository root:

    python tools/refresh_outputs.py 03_custom_resnet 04_lr_finder

then `nbdev_clean`. It exits 1, leaving the notebook as it was, if a cell raises.
"""
import re, sys
from pathlib import Path
import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

NBS = Path(__file__).resolve().parent.parent/"nbs"
SLOW = re.compile(r"^#\|\s*slow\b", re.M)

def refresh(name:str, timeout:int=1800) -> bool:
    path = next(NBS.glob(name if name.endswith(".ipynb") else f"{name}*.ipynb"))
    nb = nbformat.read(path, as_version=4)
    slow = {i: c for i, c in enumerate(nb.cells) if c.cell_type == "code" and SLOW.search(c.source)}
    run = nbformat.from_dict(dict(nb, cells=[c for i, c in enumerate(nb.cells) if i not in slow]))
    try: NotebookClient(run, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(NBS)}}).execute()
    except CellExecutionError as e: print(f"{path.name}: a cell raised, nothing written\n{str(e)[-3000:]}"); return False
    cells = iter(run.cells)
    nb.cells = [slow[i] if i in slow else next(cells) for i in range(len(nb.cells))]
    nbformat.write(nb, path); print(f"{path.name}: outputs refreshed ({len(slow)} slow cells kept as they were)")
    return True

if __name__ == "__main__":
    sys.exit(0 if all([refresh(n) for n in sys.argv[1:]]) else 1)
