"""Screenshots of `symparams html` pages for docs/html.md, taken in headless Chromium.

    python tools/screenshot_pages.py          # writes docs/img/html-*.png

Needs Graphviz's dot, Chromium (/usr/bin/chromium, or $CHROMIUM) and node with
playwright-core (.cache/katex/node_modules, as .ci/run installs it). Each page is made
with the command printed beside it, as a reader would type it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IMG = ROOT / "docs" / "img"

#: (picture, the command's arguments, what to photograph: CSS selectors)
PAGES = [
    ("resnet-block", ["examples/resnet_block.py", "--subs", "width=64"], ["figure.diagram", "#layer-conv_a"]),
    ("transformer-block", ["tests/fixtures/models/transformer_block.py"], ["figure.diagram", "#summary"]),
    ("multi-input", ["tests/fixtures/models/multi_io.py"], ["figure.diagram"]),
    ("gpt2-free-depth", ["examples/configs/gpt2.json", "--symbolic", "n_layer"], ["#diagram", "section.totals"]),
]


def main() -> int:
    modules = Path(os.environ.get("KATEX_NODE_PATH", ROOT / ".cache" / "katex" / "node_modules"))
    IMG.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for name, args, selectors in PAGES:
            page = Path(tmp) / f"{name}.html"
            command = [sys.executable, "-m", "symparams.cli", "html", *args, "-o", str(page)]
            subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
            clips = [[sel, str(IMG / f"html-{name}-{i}.png")] for i, sel in enumerate(selectors)]
            if browse({"url": page.as_uri(), "width": 1000, "clips": clips}, modules) is None:
                return 1
            print(f"symparams html {' '.join(args)}", file=sys.stderr)
            for _, path in clips:
                print(f"wrote {path}", file=sys.stderr)
    return 0


def browse(job: dict, modules: Path):
    """Run ``tests/browser_check.js`` on ``job`` (its screenshots) in headless Chromium: its
    report, or None (and its error on stderr) if it failed."""
    done = subprocess.run(["node", str(ROOT / "tests" / "browser_check.js")], input=json.dumps(job),
                          capture_output=True, text=True, env={**os.environ, "NODE_PATH": str(modules)})
    if done.returncode != 0:
        print(done.stderr, file=sys.stderr)
        return None
    return json.loads(done.stdout)


if __name__ == "__main__":
    sys.exit(main())
