// The page-side half of tools/check_ojs.py: runs a page's {ojs} blocks the way Quarto's OJS runtime does
// (its parseModule splits a block into cells; the unofficial Observable compiler's Interpreter defines each
// cell on one Runtime module; `import ... from "./x.js"` imports the ES module relative to the page and
// exposes its exports as variables), with Observable's standard library, whose `require` (Inputs, Plot, d3,
// md's marked) is pointed at the npm copies served from /node_modules instead of the CDN.
// It records the state of every cell and lets the driver (drive.mjs) set `viewof` inputs as a reader does.
import {Inspector, Runtime} from "@observablehq/runtime";
import {Library} from "@observablehq/stdlib";
import {parseModule} from "@observablehq/parser";
import {Interpreter} from "@alex.garcia/unofficial-observablehq-compiler";

// The file each bare package name means when a UMD bundle asks for it without a path (e.g. define(["d3"], ...)).
const MAIN = {"d3": "dist/d3.min.js", "htl": "dist/htl.min.js", "marked": "marked.min.js"};
// Packages the npm registry does not carry, and what stands in for each: md highlights the code of the
// "import ..." line the compiler shows with Observable's build of highlight.js (served only by its CDN);
// check_ojs.py wraps the npm build @highlightjs/cdn-assets as the AMD module that `require` expects.
const STAND_IN = {"@observablehq/highlight.js": "/stand-in/highlight.js"};

// stdlib asks for e.g. "@observablehq/plot@0.6.16/dist/plot.umd.min.js"; serve node_modules/@observablehq/plot/dist/...
function resolveLocal(name, base) {
  if (/^(\.|\/|https?:)/.test(name)) return new URL(name, base || location.href).href;
  const m = /^((?:@[^/@]+\/)?[^/@]+)(?:@[^/]*)?(?:\/(.*))?$/.exec(name);
  if (!m) throw new Error(`cannot resolve ${name}`);
  if (STAND_IN[m[1]]) return new URL(STAND_IN[m[1]], location.href).href;
  const path = m[2] || MAIN[m[1]];
  if (!path) throw new Error(`no local file for package ${m[1]} (add it to MAIN in tools/ojs/harness.js)`);
  return new URL(`/node_modules/${m[1]}/${path}`, location.href).href;
}

// Quarto's rule for a local ES module: import it and define each export as a variable of a new module.
function es6AsObservableModule(m) {
  return (runtime, observer) => {
    const main = runtime.module();
    for (const key of Object.keys(m)) main.variable(observer(key)).define(key, [], () => m[key]);
    return main;
  };
}

async function resolveImportPath(path) {
  if (!/^[./]/.test(path)) throw new Error(`only local ES-module imports are checked here, not ${path}`);
  return es6AsObservableModule(await import(new URL(path, location.href).href));
}

const state = {cells: [], views: {}, errors: [], changes: 0};
window.__ojs = state;

// One observer per variable: an Inspector in its own div (as on the site), plus a record of its state.
function observerFor(container, block) {
  return (name) => {
    const div = container.appendChild(document.createElement("div"));
    div.className = "ojs-cell";
    if (name) div.dataset.name = name;
    const inspector = new Inspector(div);
    const rec = {block, name: name || null, state: "pending", error: null};
    state.cells.push(rec);
    const note = (s, error = null) => { rec.state = s; rec.error = error; state.changes++; };
    return {
      pending() { note("pending"); inspector.pending(); },
      fulfilled(value) {
        if (name && name.startsWith("viewof ")) state.views[name.slice(7)] = value;
        // Quarto's default (`output: true`) shows no value for a named cell unless it is a DOM node (an input, a plot).
        div.hidden = Boolean(name) && !(value instanceof Node);
        note("fulfilled"); inspector.fulfilled(value);
      },
      rejected(error) { note("rejected", String(error && error.message || error)); inspector.rejected(error); },
    };
  };
}

const runtime = new Runtime(new Library(resolveLocal));
const main = runtime.module();
const interpreter = new Interpreter({module: main, resolveImportPath});

for (const script of document.querySelectorAll('script[type="ojs-source"]')) {
  const block = Number(script.dataset.block), src = script.textContent;
  const container = document.getElementById(`ojs-${block}`);
  let cells;
  try { cells = parseModule(src).cells; }
  catch (e) { state.errors.push({block, error: `SyntaxError: ${e.message}`}); continue; }
  for (const cell of cells) {
    interpreter.module(src.slice(cell.start, cell.end), main, observerFor(container, block))
      .catch(e => state.errors.push({block, error: String(e && e.message || e)}));
  }
}

// Set a `viewof` input the way a reader's click does: its value, then an input event.
state.set = (name, value) => {
  const el = state.views[name];
  if (!el) throw new Error(`no viewof ${name} on this page`);
  el.value = value;
  el.dispatchEvent(new Event("input", {bubbles: true}));
};
state.ready = true;
