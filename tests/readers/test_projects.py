"""A model that spans files: the file's own imports of its project are read the same way
(never run), their errors name their own file and line, and what cannot be found says so."""

from __future__ import annotations

from pathlib import Path

import pytest

from symparams.cli import main
from symparams.core.errors import SymparamsError
from symparams.readers import read_file, read_source

ROOT = Path(__file__).resolve().parents[2]
UNET = ROOT / "tests" / "fixtures" / "projects" / "unet" / "predict.py"


def _project(tmp_path, files: dict) -> Path:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


def test_a_script_reads_the_package_beside_it_and_says_which_files(capsys):
    code = main(["summary", str(UNET)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "Total params: 7,700,226" in out        # tests/fixtures/scaling/unet_project.json, base 64
    assert "note: read as PyTorch code" in err     # the script imports no torch; its package does
    assert "note: read with the project's unet/__init__.py, unet/model.py, unet/parts.py" in err
    assert "took os.path checks as False" in err


def test_absolute_relative_star_and_attribute_imports(tmp_path):
    root = _project(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/config.py": "class Cfg:\n    def __init__(self, **kw):\n        self.__dict__.update(kw)\n",
        "pkg/blocks.py": "import torch.nn as nn\n_private = 1\ndef block(w):\n    return nn.Linear(w, w)\n",
        "pkg/model.py": ("import torch.nn as nn\nfrom pkg.config import Cfg\nfrom .blocks import *\n"
                         "from . import blocks\nimport pkg.blocks\n"
                         "cfg = Cfg(width=4)\n"
                         "model = nn.Sequential(block(cfg.width), blocks.block(4), pkg.blocks.block(4))\n"),
    })
    read = read_file(str(root / "pkg" / "model.py"))
    assert read.module.count() == 3 * 20
    # a private name is not in *, as Python's import leaves it out: here it is a free size
    (root / "pkg" / "model.py").write_text("from .blocks import *\nimport torch\nx = _private\n"
                                           "model = torch.nn.Linear(x, 2)\n")
    assert str(read_file(str(root / "pkg" / "model.py")).module.count()) == "2*_private + 2"


@pytest.mark.parametrize("files, said", [
    ({"m.py": "import torch.nn as nn\nfrom .parts import Block\nmodel = Block()\n"},
     "m.py:2: the relative import of .parts finds no file beside this one"),
    ({"m.py": "import torch.nn as nn\nfrom parts import Block\nmodel = Block()\n", "parts.py": "X = 1\n"},
     "m.py:2: " + "{root}/parts.py defines no 'Block'"),
    # an error inside the imported file names that file and its line
    ({"m.py": "import torch.nn as nn\nfrom parts import make\nmodel = make()\n",
      "parts.py": "import torch.nn as nn\n\ndef make():\n    return nn.Linear(2, 3, bais=True)\n"},
     "parts.py:4: nn.Linear: got an unexpected keyword argument 'bais'"),
    ({"m.py": "import torch.nn as nn\nimport a\nmodel = nn.Linear(a.W, 2)\n",
      "a.py": "import b\nW = 3\n", "b.py": "import a\nV = a.W\n"},
     "b.py:2: {root}/a.py defines no 'W' yet (the two files import each other)"),
])
def test_what_the_project_cannot_give_is_one_line(tmp_path, files, said):
    root = _project(tmp_path, files)
    with pytest.raises(SymparamsError) as caught:
        read_file(str(root / "m.py"))
    message = str(caught.value).replace(str(root.resolve()), "{root}").replace(str(root), "{root}")
    assert said in message and "\n" not in message


def test_standard_input_and_pasted_text_import_nothing_of_a_project(tmp_path, monkeypatch):
    _project(tmp_path, {"parts.py": "import torch.nn as nn\nW = 3\n"})
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SymparamsError, match="parts.W"):
        read_source("import torch.nn as nn\nimport parts\nmodel = nn.Linear(2, 2)\n"
                    "model = nn.Linear(parts.W, 2)\nmodel.weight.shape[0] + None\n", "<stdin>")


def test_a_project_of_more_files_than_the_limit_stops_in_one_line(tmp_path):
    files = {f"m{i}.py": f"import m{i + 1}\n" for i in range(40)}
    files["m.py"] = "import torch.nn as nn\nimport m0\nmodel = nn.Linear(2, 2)\n"
    root = _project(tmp_path, files)
    with pytest.raises(SymparamsError, match="imports more than 32 files of its project"):
        read_file(str(root / "m.py"))
