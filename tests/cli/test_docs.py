"""The docs against the program: every ``symparams`` command in README.md and docs/*.md runs,
every output shown after a ``$ symparams ...`` line is what that command prints (standard
output, then standard error, as a terminal shows them), every value a Python example states
in a comment is what Python gives, and every image the docs show exists.

An excerpt is shortened only where it says so: a line ``…`` stands for lines left out (at
the start, the end or between; the runs of lines it separates must then stand in the output
in that order), and a line ending in ``…`` for the rest of that line. Without a ``…`` line an
excerpt is the whole output, line for line.
"""

from __future__ import annotations

import ast
import contextlib
import io
import re
import shlex
import textwrap
from pathlib import Path

import pytest

from symparams.cli import main

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
# A synopsis, not a command: placeholders in capitals or brackets.
SYNOPSIS = re.compile(r"\b(FILE|SIZE|NAME|VALUE|SPEC|DIR|FIELDS?|NAMES)\b|\[-|\.\.\.|…")
FENCE = re.compile(r"```(\w*)\n(.*?)```", re.S)
GAP = ("…", "...")


def _fenced(path: Path):
    text = path.read_text(encoding="utf-8")
    for m in FENCE.finditer(text):      # a block inside a list item is indented with it
        yield m.group(1), textwrap.dedent(m.group(2)), text[:m.start()].count("\n") + 1


def shown_commands(path: Path):
    """Each command in the page: ``$ symparams ...`` with the output shown after it, a bare
    ``symparams ...`` line of a shell block, and an inline ```symparams ... FILE``` that
    names a file; as (line, command, shown lines)."""
    for lang, block, start in _fenced(path):
        if lang in ("python", "toml", "json"):
            continue
        lines = block.splitlines()
        i = 0
        while i < len(lines):
            line = lines[i]
            if line.startswith("symparams ") and not SYNOPSIS.search(line):
                yield start + i + 1, line.split("&&")[0].split("  #")[0].strip(), None
                i += 1
            elif line.startswith("$ symparams"):
                at = start + i + 1
                command = line[2:]
                while command.endswith("\\"):
                    i += 1
                    command = command[:-1] + " " + lines[i].strip()
                shown = []
                i += 1
                while i < len(lines) and not lines[i].startswith("$ "):
                    shown.append(lines[i])
                    i += 1
                yield at, command.split("  #")[0].strip(), shown
            else:
                i += 1
    prose = FENCE.sub(lambda m: "\n" * m.group(0).count("\n"), path.read_text(encoding="utf-8"))
    for m in re.finditer(r"`(symparams [^`]+)`", prose):
        command = m.group(1)
        if re.search(r"\S+\.(py|json|toml)\b", command) and not SYNOPSIS.search(command):
            yield prose[:m.start()].count("\n") + 1, command, None


CASES = [(p.name, line, c, s) for p in DOCS for line, c, s in shown_commands(p)]


def _slow(command: str) -> bool:
    """``symparams html`` lays out its diagram with Graphviz, but for ``--format dot``."""
    return command.split()[1:2] == ["html"] and "--format dot" not in command


#: excerpts of docs/scaling.md (issue 37's page) that leave lines out without saying so;
#: strict, so that the entry must go once the page is fixed
STALE: set = set()


PARAMS = [pytest.param(d, c, s, id=f"{d}:{line}:{c[10:60]}",
                       marks=([pytest.mark.slow] if _slow(c) else [])
                       + ([pytest.mark.xfail(strict=True, reason="a shortened excerpt without …")]
                          if (d, c) in STALE else []))
          for d, line, c, s in CASES]


def run(command: str, tmp_path: Path) -> tuple[int, list]:
    """The command run in the checkout, every file it writes sent to ``tmp_path`` (never
    into the checkout); what it printed, with ``tmp_path`` taken out of the paths."""
    args = shlex.split(command, comments=True)[1:]
    if "--plot" in args:
        pytest.importorskip("matplotlib")
        args[args.index("--plot") + 1] = str(tmp_path / Path(args[args.index("--plot") + 1]).name)
    flags = [f for f in ("-o", "--output") if f in args]
    for flag in flags:
        if args[args.index(flag) + 1] != "-":
            args[args.index(flag) + 1] = str(tmp_path / Path(args[args.index(flag) + 1]).name)
    if args[0] == "html" and not flags:  # its default is a file in the current directory
        args += ["-o", str(tmp_path / (Path(args[1]).stem + ".html"))]
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(args)
    printed = (out.getvalue() + err.getvalue()).replace(f"{tmp_path}/", "")
    return code, [line.rstrip() for line in printed.rstrip("\n").splitlines()]


def _same(shown: str, printed: str) -> bool:
    if shown.endswith("…"):
        return printed.startswith(shown[:-1].rstrip())
    return shown == printed


def matches(shown: list, printed: list) -> bool:
    """The excerpt is the whole output, line for line; or, where it leaves lines out with
    ``…``, its runs of lines between the gaps stand in the output in that order."""
    shown = [line.rstrip() for line in shown]
    while shown and not shown[-1]:
        shown.pop()
    if not any(line.strip() in GAP for line in shown):
        return len(shown) == len(printed) and all(map(_same, shown, printed))
    runs, current = [], []
    for line in shown + ["…"]:
        if line.strip() in GAP:
            runs += [current] if current else []
            current = []
        else:
            current.append(line)
    at = 0
    for run_ in runs:
        while at + len(run_) <= len(printed) and not all(map(_same, run_, printed[at:at + len(run_)])):
            at += 1
        if at + len(run_) > len(printed):
            return False
        at += len(run_)
    return True


@pytest.mark.parametrize("doc,command,shown", PARAMS)
def test_documented_command(doc, command, shown, tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    code, printed = run(command, tmp_path)
    assert code == 0, "\n".join(printed)
    if shown:
        brief = printed if len(printed) <= 60 else [*printed[:40], "…", *printed[-15:]]
        assert matches(shown, printed), (f"{doc}: `{command}` prints\n" + "\n".join(brief)
                                         + "\n\nwhere the page shows\n" + "\n".join(shown))


def test_docs_have_commands():
    assert len(CASES) >= 60




@pytest.mark.parametrize("shown,printed,ok", [
    (["a", "b"], ["a", "b"], True),
    (["a"], ["a", "b"], False),                 # a shortened excerpt says so
    (["a", "…"], ["a", "b"], True),
    (["…", "b"], ["a", "b"], True),
    (["a", "…", "c"], ["a", "b", "c"], True),
    (["a", "…", "b"], ["a", "c"], False),
    (["…", "b", "…"], ["a", "b", "c"], True),
    (["…", "c", "…", "b"], ["a", "b", "c"], False),     # in order
    (["…", "a", "c", "…"], ["a", "b", "c"], False),     # a run of lines stands together
    (["Total: 12…"], ["Total: 12 (48 B)"], True),
    (["Total: 13…"], ["Total: 12 (48 B)"], False),
])
def test_excerpts_are_compared_whole_or_where_they_say(shown, printed, ok):
    assert matches(shown, printed) is ok


# ---- Python examples: a comment after an expression states its value ------------------

#: a value: a literal, or an expression in sizes (``d*w + k*w + k + w``), never words
CLAIM = re.compile(r"^([\[({'\"]|-?\d).*$|^[\w.()]+(\s*[*+/-]+\s*[\w.()]+)+$")


def _claim(comment: str):
    """The value a comment states (``# 33*n + 896  (h and w cancel)``: ``33*n + 896``), or None
    for a comment in words (``# prints the Keras-style table``)."""
    text = re.split(r"\s{2,}|: ", comment.strip(), maxsplit=1)[0].strip()
    return text if text and CLAIM.match(text) else None


def python_examples():
    for path in DOCS:
        for lang, block, start in _fenced(path):
            if lang == "python":
                yield pytest.param(block, id=f"{path.name}:{start}")


@pytest.mark.parametrize("block", list(python_examples()))
def test_python_example(block, monkeypatch):
    """Each example runs, and each value it states (``model.total_params  # 33*n + 896``, or a
    comment alone on the next line) is what Python prints for that expression."""
    monkeypatch.chdir(ROOT)
    tree = ast.parse(block)
    lines = block.splitlines()
    scope: dict = {}
    for node in tree.body:
        code = compile(ast.Module([node], []), "<docs>", "exec")
        if not isinstance(node, ast.Expr):
            exec(code, scope)
            continue
        with contextlib.redirect_stdout(io.StringIO()):
            value = eval(compile(ast.Expression(node.value), "<docs>", "eval"), scope)
        comment = lines[node.end_lineno - 1].partition("  #")[2]
        if not comment and node.end_lineno < len(lines) and lines[node.end_lineno].lstrip().startswith("#"):
            comment = lines[node.end_lineno].lstrip()[1:]
        claim = _claim(comment) if comment else None
        if claim is not None:
            assert claim in (str(value), repr(value)), f"{ast.unparse(node)} is {value!r}, not {claim}"


def test_python_examples_state_values():
    """The examples do state values (the check above is not vacuous)."""
    stated = [_claim(line.partition("  #")[2]) for p in DOCS for lang, block, _ in _fenced(p)
              if lang == "python" for line in block.splitlines() if "  #" in line]
    assert sum(s is not None for s in stated) >= 10


# ---- images ---------------------------------------------------------------------------

def test_every_image_the_docs_show_exists():
    for path in DOCS:
        for target in re.findall(r"!\[[^\]]*\]\(([^)\s]+)\)", path.read_text(encoding="utf-8")):
            assert (path.parent / target).is_file(), f"{path.name}: {target} does not exist"


# ---- one voice: README and --help say what symparams reads and what each command does ---

def _subcommands() -> dict:
    import argparse
    from symparams.cli.parser import build_parser
    action = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return action.choices


def test_readme_and_help_name_what_symparams_reads():
    from symparams.cli.parser import DESCRIPTION
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    opening = readme[:readme.index("## What it does")]
    for words in ("Keras 1, 2 or 3", "PyTorch", "config.json"):
        assert words in opening and words in DESCRIPTION, words


def test_readme_says_what_each_command_does():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in _subcommands():
        assert re.search(rf"^\| `symparams {name} [^|]*` \| \w", readme, re.M), f"README's table has no {name}"


def test_every_option_has_help():
    for name, parser in _subcommands().items():
        assert parser.description, name
        for action in parser._actions:
            assert action.help, f"symparams {name} {'/'.join(action.option_strings) or action.dest}"
