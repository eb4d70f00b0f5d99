"""The pictures of docs/gallery.md: each model's `symparams html` page as a reader first
sees it, and a worked solution's first PDF page.

    python tools/gallery.py                  # writes docs/img/gallery/*.png
    python tools/gallery.py --out DIR        # writes them into DIR instead

Each picture is made with the command docs/gallery.md shows beside it. A page is opened
in headless Chromium (as tools/screenshot_pages.py does: Graphviz's dot, /usr/bin/chromium
or $CHROMIUM, node with playwright-core in .cache/katex/node_modules) and its top
photographed; the PDF is compiled with pdflatex and its first page drawn by pdftoppm.
optipng, where installed (apt-get install optipng), recompresses each picture losslessly.
Every file written is said on stderr.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from screenshot_pages import browse

ROOT = Path(__file__).resolve().parents[1]
GALLERY = ROOT / "docs" / "img" / "gallery"

#: (picture, the arguments of `symparams html`, the height of the page's top to photograph)
PAGES = [
    ("cnn-51264", ["examples/cnn_51264.py"], 900),
    ("vgg16", ["tests/fixtures/models/vgg16.py"], 1000),
    ("resnet50", ["tests/fixtures/models/resnet50.py"], 1000),
    ("bilstm", ["tests/fixtures/models/bidirectional.py"], 800),
    ("gpt2", ["examples/gpt_decoder.py", "--subs", "vocab=50257", "--subs", "n_ctx=1024", "--subs", "d_model=768",
              "--subs", "n_layer=12", "--subs", "n_heads=12"], 1000),
    ("llama-2-7b", ["examples/configs/llama-2-7b.json"], 900),
    ("torch-resnet18", ["tests/fixtures/torch_models/resnet_torchvision.py", "--subs", "depth=18",
                        "--input-size", "1,3,224,224"], 1000),
    ("vit", ["tests/fixtures/torch_models/vit_tiny.py", "--input-size", "2,3,32,32"], 900),
]

#: (picture, the arguments of `symparams derive` that make a standalone LaTeX document)
PDFS = [
    ("cnn-51264-pdf", ["examples/cnn_51264.py", "--standalone"]),
]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(GALLERY), metavar="DIR",
                        help="where to write the pictures (default docs/img/gallery)")
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    modules = Path(os.environ.get("KATEX_NODE_PATH", ROOT / ".cache" / "katex" / "node_modules"))
    with tempfile.TemporaryDirectory() as tmp:
        for name, cli_args, height in PAGES:
            page = Path(tmp) / f"{name}.html"
            symparams("html", *cli_args, "-o", str(page))
            picture = out / f"{name}.png"
            if browse({"url": page.as_uri(), "width": 1000, "regions": [[0, 0, 1000, height, str(picture)]]},
                      modules) is None:
                return 1
            written(picture)
        for name, cli_args in PDFS:
            tex = Path(tmp) / f"{name}.tex"
            symparams("derive", *cli_args, "-o", str(tex))
            subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", tex.name], cwd=tmp,
                           check=True, capture_output=True)
            picture = out / f"{name}.png"
            subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile",
                            str(tex.with_suffix(".pdf")), str(picture.with_suffix(""))], check=True)
            written(picture)
    return 0


def symparams(*args: str) -> None:
    done = subprocess.run([sys.executable, "-m", "symparams.cli", *args], cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"symparams {' '.join(args)}: {done.stderr.strip()}")


def written(picture: Path) -> None:
    if shutil.which("optipng"):
        subprocess.run(["optipng", "-quiet", "-strip", "all", "-o2", str(picture)], check=True)
    print(f"wrote {picture}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
