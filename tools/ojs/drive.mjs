// The browser half of tools/check_ojs.py: opens each page in headless Chromium (playwright-core, driving the
// system's /usr/bin/chromium), lets its {ojs} cells settle, sets the inputs of each case, and prints what a
// reader would see: each cell's state and text, and the marks of each SVG figure. Screenshots go to outDir.
// Usage: node drive.mjs <plan.json> <outDir>;
// plan: {pages: [{url, page, cases: [{name, block, set: [[input, value], ...]}]}], module: {url, path, exprs: [...]}}
// `module`: each expression is evaluated in the page with `c` bound to the ES module at `path` (relative to the page).
import {readFileSync, mkdirSync} from "node:fs";
import {chromium} from "playwright-core";

const [planFile, outDir] = process.argv.slice(2);
const {pages: plan, module: moduleCheck} = JSON.parse(readFileSync(planFile, "utf8"));
mkdirSync(outDir, {recursive: true});

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"],
});

// Settled: no cell pending, and nothing changed for 400 ms.
async function settle(page, timeoutMs = 20000) {
  const t0 = Date.now();
  let last = -1, since = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    const s = await page.evaluate(() => window.__ojs && window.__ojs.ready
      ? {changes: window.__ojs.changes, pending: window.__ojs.cells.filter(c => c.state === "pending").length}
      : null);
    if (s && s.pending === 0) {
      if (s.changes !== last) { last = s.changes; since = Date.now(); }
      else if (Date.now() - since >= 400) return true;
    }
    await page.waitForTimeout(100);
  }
  return false;
}

function observe(page, block) {
  return page.evaluate((block) => {
    const st = window.__ojs;
    const root = document.getElementById(`ojs-${block}`);
    const cells = [...root.querySelectorAll(".ojs-cell")].map(div => ({name: div.dataset.name || null, text: div.innerText}));
    const svgs = [...root.querySelectorAll("svg")].filter(s => s.querySelector("[aria-label]")).map(svg => ({
      marks: [...svg.querySelectorAll("g[aria-label]")].map(g => ({
        label: g.getAttribute("aria-label"),
        shapes: [...g.querySelectorAll("rect, path, circle, line")].map(el => ({
          tag: el.tagName, x: +el.getAttribute("x"), y: +el.getAttribute("y"),
          width: +el.getAttribute("width"), height: +el.getAttribute("height"),
          stroke: el.getAttribute("stroke") || el.parentNode.getAttribute("stroke"),
          points: el.tagName === "path" ? ((el.getAttribute("d") || "").match(/[ML]/g) || []).length : null,
        })),
      })),
    }));
    return {
      cells: st.cells.filter(c => c.block === block).map(({name, state, error}) => ({name, state, error})),
      errors: st.errors.filter(e => e.block === block), texts: cells, svgs,
    };
  }, block);
}

const out = [];
const consoleErrors = [];
for (const {url, page: pageName, cases} of plan) {
  for (const c of cases) {  // each case on a freshly loaded page, as a reader arriving from a link
    const page = await browser.newPage({viewport: {width: 900, height: 900}});
    page.on("pageerror", e => consoleErrors.push(`${pageName} [${c.name}]: ${e.message}`));
    page.on("requestfailed", r => consoleErrors.push(`${pageName} [${c.name}]: request failed ${r.url()} (${r.failure()?.errorText})`));
    await page.goto(url);
    const settledLoad = await settle(page);
    let setError = null;
    try {
      for (const [name, value] of c.set) {
        await page.evaluate(([n, v]) => window.__ojs.set(n, v), [name, value]);
        await settle(page);
      }
    } catch (e) { setError = String(e.message || e).split("\n")[0]; }
    const settled = await settle(page);
    const shot = `${outDir}/${pageName}-${c.name}.png`;
    await page.locator(`#ojs-${c.block}`).screenshot({path: shot});
    out.push({page: pageName, case: c.name, block: c.block, settled: settledLoad && settled, setError, screenshot: shot,
              ...(await observe(page, c.block))});
    await page.close();
  }
}
// The module the explorers import, evaluated in the browser: the numbers behind every setting, not only those shown.
const moduleValues = [];
if (moduleCheck) {
  const page = await browser.newPage();
  page.on("pageerror", e => consoleErrors.push(`module: ${e.message}`));
  await page.goto(moduleCheck.url);
  for (const expr of moduleCheck.exprs)
    moduleValues.push(await page.evaluate(async ({path, expr}) => {
      const c = await import(new URL(path, location.href).href);
      return JSON.stringify(eval(expr));
    }, {path: moduleCheck.path, expr}));
  await page.close();
}
await browser.close();
console.log(JSON.stringify({results: out, consoleErrors, moduleValues}));
