"""The model a student sees: the spec's source with the drawn values in place.

``if pool:`` with ``pool = False`` drops its block, ``if pool:`` with ``pool = True``
keeps its block (one level less indented), ``layers.Conv2D(2 * filters, kernel)`` with
``filters = 16, kernel = 3`` becomes ``layers.Conv2D(32, 3)``. A test whose value depends
on something other than the sizes is left as it is. The result is still Keras code:
real Keras runs it (tools/record_keras_fixtures.py --exam) and the reader reads it.
"""

from __future__ import annotations

import ast
import textwrap
from functools import lru_cache
from typing import Any, Mapping

from . import conditions


def shown_source(source: str, sizes: Mapping[str, Any], named: tuple = ()) -> str:
    """The source with the drawn values in place. A size in ``named`` (one a question asks
    about by its name: a budget's width) stays a name in the code, given its value in an
    assignment after the imports (``width = 128``), so the student sees what is asked."""
    text = textwrap.dedent(source).strip("\n") + "\n"
    filled = {k: v for k, v in sizes.items() if k not in named}
    names = frozenset(filled)
    tests = _tests(text, names)
    # Which branches are dropped depends only on how the sizes' tests come out, so the
    # branches are dropped once for each outcome, and the values filled in from a list of
    # the source's size expressions found once (a draw of 1,000 variants parsed the
    # source 3,000 times).
    outcomes = tuple(None if (v := _evaluated(t, filled)) is None else bool(v[1]) for t in tests)
    text = _dropped(text, names, outcomes, filled)
    text = _filled(text, names, filled).rstrip() + "\n"
    return _assigned(text, [(k, sizes[k]) for k in named]) if named else text


def _assigned(text: str, values: list) -> str:
    """``name = value`` lines after the imports at the top of the code (at its top if none)."""
    lines = text.splitlines(keepends=True)
    after = 0
    for node in ast.parse(text).body:
        if not isinstance(node, (ast.Import, ast.ImportFrom)):
            break
        after = node.end_lineno
    block = "".join(f"{name} = {_literal(value)}\n" for name, value in values)
    gap = "\n" if after else ""
    return "".join(lines[:after]) + gap + block + "".join(lines[after:])


def _is_static(node: ast.AST, names: frozenset) -> bool:
    """Whether an expression is made of sizes and constants only (at least one size)."""
    found = False
    for n in ast.walk(node):
        if isinstance(n, ast.Name):
            if n.id not in names:
                return False
            found = True
        elif not isinstance(n, (ast.BinOp, ast.UnaryOp, ast.Constant, ast.BoolOp, ast.Compare,
                                ast.operator, ast.unaryop, ast.boolop, ast.cmpop, ast.Load)):
            return False
    return found


def _evaluated(node: ast.AST, sizes: Mapping[str, Any]):
    try:
        return ("value", conditions.evaluate(node, sizes))
    except (conditions.ConditionError, TypeError, ValueError, ZeroDivisionError, OverflowError):
        return None


def _static(node: ast.AST, sizes: Mapping[str, Any]):
    """The value of an expression made of sizes and constants only, or None."""
    if not _is_static(node, frozenset(sizes)):
        return None
    return _evaluated(node, sizes)


@lru_cache(maxsize=64)
def _tests(text: str, names: frozenset) -> tuple:
    """The tests of the source's ``if`` statements that are made of sizes alone."""
    return tuple(n.test for n in ast.walk(ast.parse(text)) if isinstance(n, ast.If) and _is_static(n.test, names))


_DROPPED: dict = {}


def _dropped(text: str, names: frozenset, outcomes: tuple, sizes) -> str:
    key = (text, names, outcomes)
    if key not in _DROPPED:
        if len(_DROPPED) >= 256:
            _DROPPED.pop(next(iter(_DROPPED)))
        _DROPPED[key] = _drop_branches(text, sizes)
    return _DROPPED[key]


def _filled(text: str, names: frozenset, sizes) -> str:
    """:func:`_fill_values`, from the source's size expressions found once."""
    plan = _plan(text, names)
    out, last = [], 0
    for node, start, end in plan:
        found = _evaluated(node, sizes)
        literal = None if found is None else _literal(found[1])
        if literal is None:
            return _fill_values(text, sizes)    # a value with no literal: look inside it
        out.append(text[last:start])
        out.append(literal)
        last = end
    out.append(text[last:])
    return "".join(out)


@lru_cache(maxsize=64)
def _plan(text: str, names: frozenset) -> tuple:
    """The largest expressions of sizes and constants, each with where it stands in ``text``."""
    return tuple(sorted(_expressions(text, lambda node: _is_static(node, names)), key=lambda s: s[1]))


def _expressions(text: str, take) -> list:
    """``(node, start, end)`` for each largest expression ``take(node)`` accepts (not a name assigned to)."""
    tree = ast.parse(text)
    line_start = [0]
    for line in text.splitlines(keepends=True):
        line_start.append(line_start[-1] + len(line))

    def offset(lineno, col):
        # ast columns count UTF-8 bytes
        line = text[line_start[lineno - 1]: line_start[lineno]]
        return line_start[lineno - 1] + len(line.encode("utf-8")[:col].decode("utf-8", "replace"))

    spans = []

    def visit(node):
        stored = isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load)
        if isinstance(node, (ast.BinOp, ast.UnaryOp, ast.Name)) and not stored and take(node):
            spans.append((node, offset(node.lineno, node.col_offset), offset(node.end_lineno, node.end_col_offset)))
            return
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return spans


def _drop_branches(text: str, sizes) -> str:
    """Every ``if`` whose test is known from the sizes, replaced by the branch it takes."""
    for _ in range(50):      # one if at a time, outermost first; re-read after each
        tree = ast.parse(text)
        lines = text.splitlines(keepends=True)
        target = None
        for node in ast.walk(tree):
            if isinstance(node, ast.If) and _static(node.test, sizes) is not None:
                target = node
                break
        if target is None:
            return text
        taken = target.body if _static(target.test, sizes)[1] else target.orelse
        start, end = target.lineno - 1, target.end_lineno
        indent = lines[start][: len(lines[start]) - len(lines[start].lstrip())]
        if taken:
            block = lines[taken[0].lineno - 1: taken[-1].end_lineno]
            if target.orelse is taken and block[0].lstrip().startswith("elif"):
                block[0] = block[0].replace("elif", "if", 1)   # an elif becomes an if at the outer level
            replacement = textwrap.indent(textwrap.dedent("".join(block)), indent)
        else:
            replacement = indent + "pass\n" if _needs_pass(tree, target) else ""
        text = "".join(lines[:start]) + replacement + "".join(lines[end:])
    return text     # more than 50 known tests: the rest are shown as written


def _needs_pass(tree, target) -> bool:
    """Whether removing ``target`` leaves its block empty."""
    for node in ast.walk(tree):
        for name in ("body", "orelse", "finalbody"):
            block = getattr(node, name, None)
            if isinstance(block, list) and target in block and len(block) == 1:
                return True
    return False


def _fill_values(text: str, sizes) -> str:
    """Each largest expression of sizes and constants replaced by its value."""
    def take(node):
        found = _static(node, sizes)
        literal = None if found is None else _literal(found[1])
        if literal is not None:
            values[id(node)] = literal
        return literal is not None

    values: dict = {}
    spans = [(start, end, values[id(node)]) for node, start, end in _expressions(text, take)]
    out, last = [], 0
    for start, end, literal in sorted(spans):
        out.append(text[last:start])
        out.append(literal)
        last = end
    out.append(text[last:])
    return "".join(out)


def _literal(value):
    """Python source for a drawn value, or None for a value that has none (a fraction)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return repr(value)
    if isinstance(value, tuple) and all(_literal(v) is not None for v in value):
        return repr(value)
    return None
