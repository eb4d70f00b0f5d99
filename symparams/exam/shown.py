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
from typing import Any, Mapping

from . import conditions


def shown_source(source: str, sizes: Mapping[str, Any]) -> str:
    text = textwrap.dedent(source).strip("\n") + "\n"
    text = _drop_branches(text, sizes)
    return _fill_values(text, sizes).rstrip() + "\n"


def _static(node: ast.AST, sizes: Mapping[str, Any]):
    """The value of an expression made of sizes and constants only, or None."""
    names = [n for n in ast.walk(node) if isinstance(n, ast.Name)]
    if not names or any(n.id not in sizes for n in names):
        return None
    for n in ast.walk(node):
        if not isinstance(n, (ast.BinOp, ast.UnaryOp, ast.Name, ast.Constant, ast.BoolOp, ast.Compare,
                              ast.operator, ast.unaryop, ast.boolop, ast.cmpop, ast.Load)):
            return None
    try:
        return ("value", conditions.evaluate(node, sizes))
    except (conditions.ConditionError, TypeError, ValueError):
        return None


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
        if isinstance(node, (ast.BinOp, ast.UnaryOp, ast.Name)) and not stored:
            found = _static(node, sizes)
            literal = None if found is None else _literal(found[1])
            if literal is not None:
                spans.append((offset(node.lineno, node.col_offset),
                              offset(node.end_lineno, node.end_col_offset), literal))
                return
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
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
