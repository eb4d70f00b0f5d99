"""The commands shown in the docs run, and print what the docs say they print."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from symparams.cli import main

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
# A synopsis, not a command: placeholders in capitals or brackets.
SYNOPSIS = re.compile(r"\b(FILE|SIZE|NAME|VALUE|SPEC)\b|\[-")


def shown_commands(path: Path):
    """Each ``symparams ...`` (or ``$ symparams ...``) in a fenced block, with the output
    lines shown after a ``$`` command."""
    blocks = re.findall(r"```(?:sh|console|bash)?\n(.*?)```", path.read_text(), re.S)
    for block in blocks:
        lines = block.splitlines()
        i = 0
        while i < len(lines):
            bare = lines[i].startswith("symparams ") and not SYNOPSIS.search(lines[i])
            if bare:
                yield lines[i].split("&&")[0].split("  #")[0].strip(), []
                i += 1
            elif lines[i].startswith("$ symparams"):
                command = lines[i][2:]
                while command.endswith("\\"):
                    i += 1
                    command = command[:-1] + " " + lines[i].strip()
                shown = []
                i += 1
                while i < len(lines) and not lines[i].startswith("$ "):
                    shown.append(lines[i])
                    i += 1
                yield command, shown
            else:
                i += 1


CASES = [(p.name, c, s) for p in DOCS for c, s in shown_commands(p)]


def _needs_graphviz(command: str) -> bool:
    """``symparams html`` lays out its diagram with Graphviz, but for ``--format dot``."""
    return command.split()[1:2] == ["html"] and "--format dot" not in command


PARAMS = [pytest.param(d, c, s, id=f"{d}:{c[:60]}", marks=[pytest.mark.slow] if _needs_graphviz(c) else [])
          for d, c, s in CASES]


@pytest.mark.parametrize("doc,command,shown", PARAMS)
def test_documented_command(doc, command, shown, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    args = shlex.split(command, comments=True)[1:]
    if "--plot" in args:
        pytest.importorskip("matplotlib")
        args[args.index("--plot") + 1] = str(tmp_path / "plot.png")
    for flag in ("-o", "--output"):
        if flag in args:  # written where the test can look, not into the checkout
            args[args.index(flag) + 1] = str(tmp_path / Path(args[args.index(flag) + 1]).name)
    code = main(args)
    out, err = capsys.readouterr()
    assert code == 0, err
    printed = {line.strip() for line in out.splitlines()}
    for line in shown:
        text = line.split("#")[0].strip()
        if not text or text == "..." or text.startswith(("{", '"')):
            continue
        assert text in printed, f"{doc}: {text!r} is not what `{command}` prints"


def test_docs_have_commands():
    assert len(CASES) >= 20
