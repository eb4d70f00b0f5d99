// Open a page in headless Chromium (Debian's, driven by playwright-core) and report what a
// reader would meet: console errors, every request the page made, the size of every
// math element and diagram, and a full-page screenshot. Input (stdin, JSON):
// {"url": "file:///...", "screenshot": "/path.png", "width": 1000, "pdf": "/path.pdf" (printed
// as the browser's Print → Save as PDF does), "ready": "an expression to await after load"}.
// Output: JSON.
const { chromium } = require("playwright-core");

let input = "";
process.stdin.on("data", (c) => (input += c));
process.stdin.on("end", async () => {
  const job = JSON.parse(input);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  const report = { console: [], requests: [], pageErrors: [] };
  try {
    const page = await browser.newPage({ viewport: { width: job.width || 1000, height: 900 } });
    page.on("console", (m) => report.console.push({ type: m.type(), text: m.text() }));
    page.on("pageerror", (e) => report.pageErrors.push(String(e)));
    page.on("request", (r) => report.requests.push(r.url()));
    await page.goto(job.url, { waitUntil: "load" });
    // A page that typesets its math with a script (MathJax, as Moodle does) says when it is done.
    if (job.ready) await page.evaluate(job.ready);
    Object.assign(report, await page.evaluate(() => {
      const box = (e) => { const r = e.getBoundingClientRect(); return { w: r.width, h: r.height }; };
      // Math inside a closed <details> is not laid out; it is not what the reader sees first.
      const shown = (e) => !e.closest("details:not([open])");
      const maths = [...document.querySelectorAll("math")].filter(shown);
      return {
        title: document.title,
        math: { count: maths.length, empty: maths.filter((m) => { const b = box(m); return !(b.w > 0 && b.h > 0); }).length,
                // MathML laid out as MathML: a fraction is taller than its line of text
                fractions: [...document.querySelectorAll("mfrac")].filter(shown).map((f) => box(f).h) },
        diagrams: [...document.querySelectorAll("figure.diagram svg")].map(box),
        boxes: document.querySelectorAll("figure.diagram svg g.node").length,
        links: [...document.querySelectorAll("figure.diagram svg a")].map((a) => a.getAttribute("xlink:href") || a.getAttribute("href")),
        targets: [...document.querySelectorAll("[id]")].map((e) => e.id),
        height: document.documentElement.scrollHeight,
        // MathJax's output: typeset formulas, formulas it could not read, and TeX left as text
        mathjax: { typeset: document.querySelectorAll("mjx-container").length,
                   errors: document.querySelectorAll("mjx-merror").length,
                   raw: (document.body.innerText.match(/\\[()\[\]]/g) || []).length },
      };
    }));
    if (job.screenshot) await page.screenshot({ path: job.screenshot, fullPage: true });
    if (job.pdf) await page.pdf({ path: job.pdf, format: "A4", printBackground: true });
    for (const [x, y, width, height, path] of job.regions || []) {
      await page.screenshot({ path, fullPage: true, clip: { x, y, width, height } });
    }
    if (job.clips) {
      for (const [selector, path] of job.clips) {
        const el = await page.$(selector);
        if (el) await el.screenshot({ path });
      }
    }
  } finally {
    await browser.close();
  }
  process.stdout.write(JSON.stringify(report));
});
