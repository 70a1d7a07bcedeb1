"""Run every notebook as a learner's "Run all" in Colab runs it: alone in an empty temporary folder, in a Jupyter
kernel, with only the installed `cifar_course` package (no repository files beside it, no dev extras such as nbdev), top
to bottom, `notest` cells included (Colab has no such flag), `slow` cells skipped (the full 24-epoch runs).

Run it with the Python of such an environment, e.g. (what `.ci/run` does):

    python -m venv /tmp/colab && . /tmp/colab/bin/activate
    pip wheel --no-deps -w dist . && pip install dist/cifar_course-*.whl nbclient ipykernel
    python tools/check_colab.py

It refuses to run where nbdev is importable or where `cifar_course` would be imported from this repository, since
neither is so in Colab. The data come from `CIFAR_COURSE_DATA` when it is set (CI never downloads), else the notebooks
download CIFAR-10 as in Colab. Prints each notebook's seconds, its slowest cells and the seconds spent outside its cells
(starting the kernel, waiting for messages); exits 1 if any cell raised, or if the client waited more than `--max-wait`
seconds (default 60) for a cell that the kernel had already finished, naming the cell.

The widgets' Output model is not emulated (nbclient's `widget_registry` is emptied): nbclient's stand-in for a browser's
Output widget sends on the kernel's shell socket from one coroutine while another coroutine polls that socket for the
cell's reply, and now and then the poll then misses the reply and returns only when the cell's timeout runs out
(nbclient issue 312, open; a Run all once took 20 minutes so, in 03's receptive-field explorer). In Jupyter or Colab
the browser plays that part, and no cell waits; here the widgets' state is still recorded, only not their drawn
output."""
import argparse, importlib.util, os, re, sys, tempfile, time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SLOW = re.compile(r"^#\|\s*slow\b", re.M)
# The check's own first cell: aliases only, deleted at its end, so that it defines no name a notebook could lean on.
SELF_CHECK = """import sys as _colab_check_sys, importlib.util as _colab_check_util
assert _colab_check_sys.prefix == {prefix!r}, _colab_check_sys.prefix
assert _colab_check_util.find_spec('nbdev') is None, 'nbdev is importable'
del _colab_check_sys, _colab_check_util"""

def _environment_problems() -> list:
    "Why this Python is not a Colab-like environment, if it is not."
    problems = []
    if importlib.util.find_spec("nbdev") is not None:
        problems.append("nbdev is importable (a dev extra): use an environment with only the package installed")
    spec = importlib.util.find_spec("cifar_course")
    if spec is None:
        problems.append("cifar_course is not installed: pip install the wheel (pip wheel --no-deps -w dist .)")
    elif Path(spec.origin).resolve().parent == (ROOT/"cifar_course").resolve():
        problems.append(f"cifar_course is imported from this repository's source ({spec.origin}): install the built "
                        "wheel, not -e .")
    for m in ("nbclient", "ipykernel"):
        if importlib.util.find_spec(m) is None:
            problems.append(f"{m} is missing (Colab's kernel machinery): pip install nbclient ipykernel")
    return problems

def _seconds(cell) -> float:
    "A cell's execution time from the timestamps nbclient records."
    from datetime import datetime
    ex = cell.get("metadata", {}).get("execution", {})
    a, b = ex.get("iopub.execute_input"), ex.get("shell.execute_reply")
    if not (a and b): return 0.
    f = lambda s: datetime.fromisoformat(s.replace("Z", "+00:00"))
    return (f(b) - f(a)).total_seconds()

def run_notebook(path:Path, # A notebook of the course
                 timeout:int=1200, # Seconds one cell may take
                 out:Path|None=None, # Save the executed notebook here (a folder)
                 max_wait:float=60., # Seconds the client may wait for a cell beyond the kernel's own time for it
                 # (passed, seconds, [(seconds, cell id)] slowest first, slow cells skipped, error, s outside cells)
                ) -> tuple[bool, float, list, int, str, float]:
    "Execute `path` alone in an empty temporary folder in a fresh kernel, skipping `slow` cells."
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError
    nb = nbformat.read(path, as_version=4)
    kept = [c for c in nb.cells if not (c.cell_type == "code" and SLOW.search(c.source))]
    skipped, nb.cells = len(nb.cells) - len(kept), kept
    # A first cell that fails unless the kernel runs this environment's Python, without nbdev: the check checks itself.
    # It binds only names of its own and deletes them, so the notebook starts with a fresh kernel's namespace: a
    # notebook that uses `sys` without importing it fails here as in Colab (`--self-test` shows it).
    nb.cells.insert(0, nbformat.v4.new_code_cell(SELF_CHECK.format(prefix=sys.prefix)))
    with tempfile.TemporaryDirectory(prefix="colab-") as d:  # empty, like Colab's /content: nothing from the repository
        client = NotebookClient(nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": d}},
                                extra_arguments=["--IPKernelApp.log_level=ERROR"])
        # no Output-widget stand-in: the client never sends on the shell socket during a cell (see above)
        client.widget_registry = {}
        wall, started = {}, {}  # each cell's seconds as the client waited for it
        client.on_cell_execute = lambda cell, cell_index: started.__setitem__(cell.get("id"), time.time())
        client.on_cell_executed = lambda cell, cell_index, execute_reply: wall.__setitem__(cell.get("id"),
                time.time() - started[cell.get("id")])
        t0, err = time.time(), ""
        try: client.execute()
        except CellExecutionError as e: err = str(e)
        except Exception as e: err = f"{type(e).__name__}: {e}"
        secs = time.time() - t0
    del nb.cells[0]
    if out is not None: out.mkdir(parents=True, exist_ok=True); nbformat.write(nb, out/path.name)
    cells = sorted(((_seconds(c), c.get("id", "?")) for c in nb.cells if c.cell_type == "code"), reverse=True)
    outside = secs - sum(s for s, _ in cells)
    waits = sorted(((wall[i] - s, i, s) for s, i in cells if i in wall), reverse=True)
    if not err and waits and waits[0][0] > max_wait:
        w, i, s = waits[0]
        err = (f"cell {i} ran {s:.0f} s in the kernel, but the client waited {w + s:.0f} s for it: {w:.0f} s after the "
               "kernel had finished it "
               f"(more than --max-wait {max_wait:g} s). A message between the kernel and this client was late or lost.")
    return not err, secs, cells, skipped, err, outside

# The names a fresh IPython kernel's namespace holds before any cell of the user's (Jupyter's and Colab's alike)
FRESH_NAMES = {"In", "Out", "get_ipython", "exit", "quit", "open"}

def self_test() -> list:
    """Run three tiny notebooks through `run_notebook` and return what went wrong (empty when the check works): one
    that uses `sys` without importing it must fail with a NameError, the same with its import must pass, and the
    first cell of a notebook must see no name a fresh kernel does not have."""
    import nbformat
    cases = {"undefined_name": (["sys.executable"], False),
             "imported_name": (["import sys\nsys.executable"], True),
             "fresh_namespace": ([f"extra = {{n for n in globals() if not n.startswith('_')}}"
                                  f" - set({sorted(FRESH_NAMES)!r})\nassert not extra, f'pre-defined: {{extra}}'"],
                                 True)}
    problems = []
    with tempfile.TemporaryDirectory(prefix="colab-self-test-") as d:
        for name, (sources, should_pass) in cases.items():
            path = Path(d)/f"{name}.ipynb"
            nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in sources]), path)
            ok, *_, err, _ = run_notebook(path, timeout=120)
            if ok != should_pass or (not ok and "NameError" not in err):
                problems.append(f"{name}: expected {'pass' if should_pass else 'a NameError'}, got "
                                f"{'pass' if ok else err.strip().splitlines()[-1]}")
    return problems

def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--nbs", type=Path, default=ROOT/"nbs", help="the notebooks' folder (default: nbs/)")
    p.add_argument("--only", nargs="*", default=None, help="names of notebooks to run (default: all, in order)")
    p.add_argument("--skip", nargs="*", default=(), help="names of notebooks not to run (another process runs them)")
    p.add_argument("--out", type=Path, default=None, help="save the executed notebooks in this folder")
    p.add_argument("--timeout", type=int, default=1200, help="seconds one cell may take (default 1200)")
    p.add_argument("--max-wait", type=float, default=60.,
                   help="seconds the client may wait for a cell after the kernel has finished it (default 60)")
    p.add_argument("--self-test", action="store_true",
                   help="check the check: a notebook using an undefined name fails, nothing is pre-defined")
    a = p.parse_args(argv)
    if problems := _environment_problems():
        print("check_colab: not a Colab-like environment:", *problems, sep="\n  ", file=sys.stderr); return 1
    if a.self_test:
        problems = self_test()
        print("check_colab --self-test:", *(problems or ["passed (an undefined name fails, a fresh namespace)"]),
              sep="\n  ", file=sys.stderr if problems else sys.stdout)
        return 1 if problems else 0
    nbs = sorted(a.nbs.glob("[0-9]*.ipynb"))
    if a.only: nbs = [n for n in nbs if any(n.stem.startswith(o.removesuffix(".ipynb")) for o in a.only)]
    nbs = [n for n in nbs if n.stem not in {o.removesuffix(".ipynb") for o in a.skip}]
    if not nbs: print(f"check_colab: no notebooks in {a.nbs}", file=sys.stderr); return 1
    # "python" is this environment's, as in Colab
    os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    import torch, cifar_course
    gpu = "CUDA: " + torch.cuda.get_device_name() if torch.cuda.is_available() else "CPU only"
    print(f"cifar_course {cifar_course.__version__} from {Path(cifar_course.__file__).parent}; torch "
          f"{torch.__version__}, {gpu}, {os.cpu_count()} CPU cores; "
          f"CIFAR_COURSE_DATA={os.environ.get('CIFAR_COURSE_DATA', '(unset: the notebooks download)')}", flush=True)
    failed, total = [], 0.
    for nb in nbs:
        ok, secs, cells, skipped, err, outside = run_notebook(nb, a.timeout, a.out, a.max_wait)
        total += secs
        slowest = ", ".join(f"{i} {s:.0f} s" for s, i in cells[:3])
        print(f"{'passed' if ok else 'FAILED'}  {nb.name:<24} {secs:6.0f} s, {outside:4.0f} s outside cells   "
              f"({skipped} slow cells skipped; slowest cells: {slowest})", flush=True)
        if not ok: failed.append(nb.name); print(err[-4000:], file=sys.stderr, flush=True)
    print(f"Run all, Colab-style: {len(nbs) - len(failed)} of {len(nbs)} notebooks passed in {total:.0f} s"
          + (f"; failed: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0

if __name__ == "__main__": sys.exit(main())
