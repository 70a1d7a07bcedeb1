#!/usr/bin/env python3
"""Run the docs site's Observable JS explorers in a real browser and check what a reader sees.

Every ```{ojs}``` block in `nbs/*.ipynb` is put on a page named as nbdev names the notebook's page
(`03_custom_resnet.ipynb` -> `custom_resnet.html`), beside a copy of `nbs/js/` (so `import ... from "./js/course.js"`
resolves as on the site), and served over http from 127.0.0.1. Headless Chromium runs the page with the
Observable runtime, parser and standard library (Inputs, Plot, md), as Quarto's OJS runtime does, from the npm
packages pinned in `tools/ojs/package.json`. For each explorer it sets a few slider values and asserts:
no cell is in an error state, the text carries the numbers `cifar_course` computes for that setting, and the
figure has drawn the expected marks. It also evaluates the module the explorers import (`nbs/js/course.js`) in
the page and compares it with Python: the receptive-field table layer for layer, and the one-cycle curve step
for step. Screenshots of each case go to `--out` (default `_ojs_check/`).

Set-up, once:  apt-get install chromium && npm ci --prefix tools/ojs
Run:           python tools/check_ojs.py          (exit 0: all checks passed, 1: a check failed or could not run)
"""
import argparse, functools, http.server, json, math, os, re, shutil, subprocess, sys, tempfile, threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OJS = ROOT/"tools"/"ojs"
OJS_BLOCK = re.compile(r"```\{ojs\}\n(.*?)```", re.S)


def fail(msg):
    print(f"check_ojs: {msg}", file=sys.stderr)
    sys.exit(1)


def page_name(nb:Path) -> str:
    "The docs page nbdev makes of a notebook: its name without the number prefix."
    return re.sub(r"^\d+_", "", nb.stem)


def ojs_blocks(nbs:Path) -> dict:
    "{page name: [source of each {ojs} block]} for every notebook that has one."
    out = {}
    for nb in sorted(nbs.glob("*.ipynb")):
        cells = json.loads(nb.read_text())["cells"]
        blocks = [b for c in cells if c["cell_type"] == "markdown" for b in OJS_BLOCK.findall("".join(c["source"]))]
        if blocks: out[page_name(nb)] = blocks
    return out


def build_site(site:Path, nbs:Path, blocks:dict):
    "The pages, nbs/js/ copied beside them, the npm packages under /node_modules and the bundled page harness."
    shutil.copytree(nbs/"js", site/"js")
    (site/"node_modules").symlink_to(OJS/"node_modules")
    subprocess.run([str(OJS/"node_modules"/".bin"/"esbuild"), str(OJS/"harness.js"), "--bundle", "--format=esm",
                    "--log-level=warning", f"--outfile={site/'harness.bundle.js'}"], check=True)
    hl = (OJS/"node_modules"/"@highlightjs"/"cdn-assets"/"highlight.min.js").read_text()
    (site/"stand-in").mkdir()
    (site/"stand-in"/"highlight.js").write_text(f"define([], function() {{\n{hl}\nreturn hljs;\n}});\n")
    esc = lambda s: s.replace("</script", "<\\/script")
    for page, srcs in blocks.items():
        body = "\n".join(f'<div class="ojs-block" id="ojs-{i}"></div>\n'
                         f'<script type="ojs-source" data-block="{i}">{esc(src)}</script>' for i,
                         src in enumerate(srcs))
        (site/f"{page}.html").write_text(
            f'<!doctype html>\n<html><head><meta charset="utf-8"><title>{page}</title>\n'
            f'<style>body{{font-family:sans-serif;max-width:860px;padding:8px}} .ojs-block{{padding:4px}}</style>\n'
            f'</head><body>\n{body}\n<script type="module" src="harness.bundle.js"></script>\n</body></html>\n')


def serve(site:Path):
    "An http server for `site` on 127.0.0.1 (the Observable runtime refuses file://), in a thread."
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *a): pass
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


# --- What Python computes for each case ---------------------------------------------------------------------------

def js_round(x): return math.floor(x + 0.5)  # JavaScript's Math.round


def rf_expect(layer:int, pos:int) -> dict:
    "The receptive-field explorer's numbers for a layer index and pixel, from cifar_course.resblock.receptive_fields."
    from cifar_course.custom_resnet import CustomResNet
    from cifar_course.resblock import receptive_fields
    row = receptive_fields(CustomResNet(width=8))[layer]
    units = math.ceil((32 - row["start"])/row["j"])
    unit = min(units - 1, max(0, js_round((pos + 0.5 - row["start"])/row["j"])))
    return dict(name=row["name"], r=row["r"], j=row["j"], units=units, unit=unit, centre=row["start"] + unit*row["j"])


def oc_expect(log_min, log_max, epochs, peak, anneal="linear", annihilation=False, momentum=False) -> dict:
    "The one-cycle explorer's numbers, from cifar_course.one_cycle.one_cycle_lrs (None where the page says invalid)."
    from cifar_course.one_cycle import one_cycle_lrs
    lo, hi = 10**log_min, 10**log_max
    if not (lo < hi and peak < epochs): return None
    lrs = one_cycle_lrs(lo, hi, epochs, 98, peak, anneal, 1e4 if annihilation else 1)
    return dict(steps=len(lrs), final=float(lrs[-1]), lr_min=lo, lr_max=hi)


def as_js(x): return int(x) if float(x).is_integer() else x


def num(s): return float(s.replace(",", ""))


def sig2(x): return float(f"{x:.2g}")  # what toPrecision(2) shows


def check_rf(res, layer, pos, problems):
    e = rf_expect(layer, pos)
    text = " ".join(t["text"] for t in res["texts"])
    m = re.search(r"(\S+) \(kernel (\d+), stride (\d+)\): receptive field r = (\d+) pixels, jump j = (\d+); "
                  r"unit (\d+) of (\d+) per side is centred at ([-\d.]+) and sees ([-\d.]+) to ([-\d.]+)", text)
    if not m: return problems.append(f"the explorer's sentence is missing; page text: {text[:300]!r}")
    got = dict(name=m[1], r=int(m[4]), j=int(m[5]), unit=int(m[6]), units=int(m[7]), centre=num(m[8]))
    for k, v in got.items():
        if v != e[k]: problems.append(f"{k}: page shows {v}, Python computes {e[k]}")
    if (num(m[9]), num(m[10])) != (e["centre"] - e["r"]/2, e["centre"] + e["r"]/2):
        problems.append(f"field shown from {m[9]} to {m[10]}, Python: {e['centre'] - e['r']/2} to "
                        f"{e['centre'] + e['r']/2}")
    shapes = lambda label: [s for svg in res["svgs"] for mk in svg["marks"] if mk["label"] == label
                            for s in mk["shapes"]]
    rects, dots = shapes("rect"), shapes("dot")
    if len(rects) != 2 or len(dots) != 1:
        return problems.append(f"figure: expected 2 rects (image, field) and 1 dot, got {len(rects)} rects, "
                               f"{len(dots)} dots")
    image, field = rects
    ratio = field["width"]/image["width"]
    if abs(ratio - e["r"]/32) > 0.02:
        problems.append(f"the red box is {ratio:.3f} of the image's width, not r/32 = {e['r']/32:.3f}")


def check_oc(res, setting, problems):
    e = oc_expect(**setting)
    text = " ".join(t["text"] for t in res["texts"])
    lines = [s for svg in res["svgs"] for mk in svg["marks"] if mk["label"] == "line" for s in mk["shapes"]]
    if e is None:
        if "Invalid:" not in text:
            problems.append(f"invalid setting {setting}: the notebook's message is missing; text {text[:200]!r}")
        if res["svgs"]: problems.append("invalid setting: a chart is still drawn (it should give way to the message)")
        return
    m = re.search(r"LRMIN = ([-\d.e+]+), LRMAX = ([-\d.e+]+), (\d+) steps; final LR ([-\d.e+]+)", text)
    if not m: return problems.append(f"the explorer's sentence is missing; page text: {text[:300]!r}")
    for what, got, want in [("LRMIN", num(m[1]), sig2(e["lr_min"])), ("LRMAX", num(m[2]), sig2(e["lr_max"])),
                            ("steps", int(m[3]), e["steps"]), ("final LR", num(m[4]), sig2(e["final"]))]:
        if got != want: problems.append(f"{what}: page shows {got}, Python computes {want}")
    want = [e["steps"]]*(2 if setting.get("momentum") else 1)  # the LR curve, and the momentum curve when asked for
    if [s["points"] for s in lines] != want:
        problems.append(f"curves drawn: {[s['points'] for s in lines]} points, expected {want}")


def plan_cases():
    "Explorers and the settings tried on each: (page, block, case name, settings, checker)."
    rf = lambda layer, pos: ([["rfLayer", layer], ["rfPos", pos]], lambda r, p: check_rf(r, layer, pos, p))
    def oc(**s):
        full = dict(log_min=-3.4, log_max=-1.4, epochs=24, peak=5, anneal="linear", annihilation=False,
                    momentum=False) | s
        names = dict(log_min="ocLogMin", log_max="ocLogMax", epochs="ocEpochs", peak="ocPeak", anneal="ocAnneal",
                     annihilation="ocAnnihilation", momentum="ocMomentum")
        return [[names[k], as_js(v) if not isinstance(v, (bool, str)) else v] for k, v in s.items()], \
               lambda r, p: check_oc(r, full, p)
    return [
        ("custom_resnet", 0, "default", *rf(5, 15)),
        ("custom_resnet", 0, "layer8-pixel3", *rf(8, 3)),
        ("custom_resnet", 0, "pool-pixel31", *rf(11, 31)),
        ("custom_resnet", 0, "prep-pixel0", *rf(0, 0)),
        ("one_cycle", 0, "spec", *oc()),
        ("one_cycle", 0, "cos-annihilation", *oc(log_min=-4, log_max=-1, epochs=10, peak=3, anneal="cos",
                                                 annihilation=True)),
        ("one_cycle", 0, "momentum", *oc(epochs=30, peak=7.5, momentum=True)),
        ("one_cycle", 0, "invalid-lr", *oc(log_min=-1, log_max=-2)),
        ("one_cycle", 0, "invalid-peak", *oc(epochs=10, peak=12)),
    ]


def module_checks():
    "Expressions over the explorers' module `c` (nbs/js/course.js), each with a function checking its value in Python."
    import numpy as np
    from cifar_course.custom_resnet import CustomResNet
    from cifar_course.one_cycle import one_cycle_lrs
    from cifar_course.resblock import receptive_fields
    key = lambda rows: [(o["name"], o["kernel"], o["stride"], o["padding"], o["r"], o["j"], o["start"]) for o in rows]
    def rf(v):  # the layer table of the receptive-field explorer, layer for layer
        return [] if key(v) == key(receptive_fields(CustomResNet(width=8))) else ["receptiveFields differs from "
                                                                                  f"receptive_fields: {key(v)}"]
    def lrs(want):  # every step of the one-cycle curve
        def check(v):
            v = np.array(v)
            if v.shape != want.shape: return [f"oneCycleLrs gives {v.shape[0]} steps, one_cycle_lrs {want.shape[0]}"]
            d = np.abs(v - want).max()
            return [] if d <= 1e-12 else [f"oneCycleLrs differs from one_cycle_lrs by up to {d:.2e}"]
        return check
    return [("c.receptiveFields(c.customResNetLayers)", rf),
            # the spec: 24 epochs of 98 steps, peak at 5, linear
            ("c.oneCycleLrs(0.0004, 0.04)", lrs(one_cycle_lrs(0.0004, 0.04))),
            ("c.oneCycleLrs(0.001, 0.3, 10, 7, 3, 'cos', 10000)", lrs(one_cycle_lrs(0.001, 0.3, 10, 7, 3, "cos", 1e4))),
            ("c.oneCycleLrs(0.95, 0.85, 24, 98, 5, 'linear', 1)",  # the momentum curve the explorer draws
             lrs(one_cycle_lrs(0.85, 0.95, 24, 98, 5, "linear", momentum=(0.85, 0.95))))]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--nbs", type=Path, default=ROOT/"nbs", help="folder of the notebooks (default: nbs)")
    ap.add_argument("--out", type=Path, default=ROOT/"_ojs_check",
                    help="folder for the screenshots (default: _ojs_check)")
    a = ap.parse_args(argv)
    if not shutil.which("node"): fail("node (Node.js) is not installed: apt-get install nodejs npm")
    if not (OJS/"node_modules"/"playwright-core").exists():
        fail("the npm packages are missing: npm ci --prefix tools/ojs")
    if not Path(os.environ.get("CHROMIUM", "/usr/bin/chromium")).exists():
        fail("Chromium is missing: apt-get install chromium (or set CHROMIUM to its path)")

    blocks = ojs_blocks(a.nbs)
    cases = plan_cases()
    checked = {(p, b) for p, b, *_ in cases}
    # Every block is run; a block with no case of its own is checked at its default settings (no cell in error).
    extra = [(p, b, "default", [], None) for p, srcs in blocks.items() for b in range(len(srcs)) if (p,
            b) not in checked]
    cases = [c for c in cases if c[0] in blocks and c[1] < len(blocks[c[0]])] + extra
    missing = checked - {(c[0], c[1]) for c in cases}
    if missing: fail(f"explorers the check knows are gone from the notebooks: {sorted(missing)}")

    a.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp)/"site"
        site.mkdir()
        build_site(site, a.nbs, blocks)
        srv = serve(site)
        base = f"http://127.0.0.1:{srv.server_address[1]}"
        mods = module_checks()
        plan = dict(pages=[dict(url=f"{base}/{p}.html", page=p, cases=[dict(name=n, block=b, set=s) for pp, b, n, s,
                _ in cases if pp == p])
                           for p in blocks],
                    module=dict(url=f"{base}/{next(iter(blocks))}.html", path="./js/course.js", exprs=[e for e,
                            _ in mods]))
        (Path(tmp)/"plan.json").write_text(json.dumps(plan))
        r = subprocess.run(["node", str(OJS/"drive.mjs"), str(Path(tmp)/"plan.json"), str(a.out.resolve())],
                           capture_output=True, text=True, cwd=OJS, timeout=600)
        srv.shutdown()
    if r.returncode != 0: fail(f"the browser run failed:\n{r.stderr[-3000:]}")
    report = json.loads(r.stdout)
    results = {(x["page"], x["case"]): x for x in report["results"]}

    failures = 0
    for page, block, name, _, checker in cases:
        res, problems = results[(page, name)], []
        if not res["settled"]: problems.append("the cells did not settle within 20 s")
        if res["setError"]: problems.append(f"setting the inputs failed: {res['setError']}")
        problems += [f"block error: {e['error']}" for e in res["errors"]]
        problems += [f"cell {c['name'] or '(anonymous)'} is in an error state: {c['error']}" for c in res["cells"]
                     if c["state"] == "rejected"]
        if not res["cells"]: problems.append("no cell ran")
        if checker and not problems: checker(res, problems)
        status = "ok" if not problems else "FAIL"
        print(f"{status:4} {page}.html block {block} [{name}]: {len(res['cells'])} cells, screenshot "
              f"{Path(res['screenshot']).name}")
        for p in problems: print(f"       {p}")
        failures += bool(problems)
    for (expr, check), value in zip(mods, report["moduleValues"]):
        problems = check(json.loads(value))
        print(f"{'ok' if not problems else 'FAIL':4} js/course.js: {expr}")
        for p in problems: print(f"       {p}")
        failures += bool(problems)
    for e in report["consoleErrors"]: print(f"browser: {e}")
    if report["consoleErrors"]: failures += 1
    n = len(cases) + len(mods)
    print(f"check_ojs: {max(0, n - failures)} of {n} checks passed; "
          f"{sum(map(len, blocks.values()))} {{ojs}} blocks on {len(blocks)} pages; screenshots in {a.out}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
