// Render LaTeX fragments with KaTeX in strict mode; print one line per failure.
// Input (stdin): a JSON list of {"id": ..., "tex": ..., "display": bool}.
// Exit status 0 when every fragment renders.
const katex = require("katex");
let input = "";
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const fragments = JSON.parse(input);
  let failed = 0;
  for (const f of fragments) {
    try {
      katex.renderToString(f.tex, { displayMode: f.display, throwOnError: true, strict: "error" });
    } catch (err) {
      failed += 1;
      console.log(`${f.id}: ${String(err.message).split("\n")[0]} :: ${f.tex.slice(0, 200)}`);
    }
  }
  console.log(`${fragments.length - failed} of ${fragments.length} fragments render`);
  process.exit(failed ? 1 : 0);
});
