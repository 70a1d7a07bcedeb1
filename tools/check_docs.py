"""Check what can be checked of the docs site without Quarto (CI runs this).

- every notebook starts with an H1 title and a `>` one-line summary, and has an "Open in Colab" badge linking to itself;
- nbs/sidebar.yml lists every notebook, once;
- README.md matches nbs/00_index.ipynb (tools/make_readme.py);
- nbdev's notebook processing for docs (the step before `quarto render`, which runs the show_doc cells) succeeds on
  every notebook;
- every line of the exported package (cifar_course/*.py) is at most 120 characters, except what nbdev writes itself: the
  module docstring (a notebook's `>` summary), `__all__` and `_modidx.py`;
- every line of every code cell is at most 120 characters too, as the pages show them (no scrolling sideways);
- every exported cell (`#| export`, `#| exports`) is at most 35 lines, so that each reads as one idea.
"""
import json, re, subprocess, sys, warnings
from pathlib import Path

root = Path(__file__).resolve().parent.parent
nbs = sorted((root/"nbs").glob("*.ipynb"))
errors = []
MAX_CELL = 35  # lines of an exported cell
MAX_LINE = 120  # characters of a line of code, in a notebook or in the package
repo = re.search(r"^git_url\s*=\s*https://github.com/(.*)$", (root/"settings.ini").read_text(), re.M)
for fn in nbs:
    cells = json.loads(fn.read_text())["cells"]
    first = "".join(cells[0]["source"]) if cells else ""
    if cells[0]["cell_type"] != "markdown" or not re.match(r"# \S", first) or not re.search(r"^> \S", first, re.M):
        errors.append(f"{fn.name}: the first cell must be markdown with an H1 title and a '> ' summary")
    md = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    if f"colab.research.google.com/github/cifar-course/cifar_course/blob/main/nbs/{fn.name}" not in md:
        errors.append(f"{fn.name}: no 'Open in Colab' badge linking to nbs/{fn.name}")
    for c in cells:
        src = "".join(c["source"])
        if c["cell_type"] == "code" and re.match(r"#\|\s*exports?\b", src) and len(src.splitlines()) > MAX_CELL:
            errors.append(f"{fn.name}: exported cell {c.get('id')} has {len(src.splitlines())} lines (at most "
                          f"{MAX_CELL}): split it, with a sentence between")
        if c["cell_type"] == "code":
            errors += [f"{fn.name}: cell {c.get('id')}, line {i + 1} has {len(l)} characters (at most {MAX_LINE})"
                       for i, l in enumerate(src.splitlines()) if len(l) > MAX_LINE]
sidebar = (root/"nbs"/"sidebar.yml").read_text()
errors += [f"sidebar.yml lists {fn.name} {sidebar.count(f'href: {fn.name}')} times, not once" for fn in nbs
           if sidebar.count(f"href: {fn.name}") != 1]
r = subprocess.run([sys.executable, str(root/"tools"/"make_readme.py"), "--check"], capture_output=True, text=True)
if r.returncode: errors.append(r.stderr.strip() or r.stdout.strip())

from nbdev.serve import proc_nbs
with warnings.catch_warnings(record=True) as w:
    warnings.simplefilter("always")
    cache = proc_nbs(str(root/"nbs"), n_workers=0, force=True)
errors += [f"nbdev docs processing: {x.message}".splitlines()[0] for x in w
           if "Found cells containing imports" in str(x.message)]
missing = [fn.name for fn in nbs if not (cache/fn.name).exists()]
if missing: errors.append(f"nbdev docs processing produced no output for {missing}")

for py in sorted((root/"cifar_course").glob("*.py")):
    if py.name == "_modidx.py": continue
    lines = py.read_text(encoding="utf-8").splitlines()
    generated = lambda i, l: (i == 0 and l.startswith('"""')) or l.startswith("__all__")  # nbdev's own lines
    errors += [f"cifar_course/{py.name}:{i + 1} has {len(l)} characters (at most {MAX_LINE}): wrap it in its notebook"
               for i, l in enumerate(lines) if len(l) > MAX_LINE and not generated(i, l)]

if errors:
    print("docs checks failed:\n- " + "\n- ".join(errors)); sys.exit(1)
print(f"docs checks: {len(nbs)} notebooks have titles, summaries and Colab badges, are in the sidebar, and process for "
      "docs; README matches the index; "
      f"the code's lines are at most {MAX_LINE} characters, its exported cells at most {MAX_CELL} lines")
