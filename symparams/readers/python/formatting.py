"""Strings the interpreter formats: f-strings, format specs and ``%`` formatting,
each sized before the string is made; and Python's own words for a wrong argument.

:class:`Formatting` is a mixin of :class:`~symparams.readers.interpreter.Interpreter`.
"""

from __future__ import annotations

import ast
import re

import sympy

from .values import Opaque


class Formatting:
    """``f"{x:>8}"`` and ``"%d" % x`` on plain data, free sizes and outside data."""

    def expr_JoinedStr(self, node, scope):
        parts = []
        for v in node.values:
            if isinstance(v, ast.Constant):
                parts.append(str(v.value))
            else:
                parts.append(self.expr_FormattedValue(v, scope))
        self.allot(sum(len(p) for p in parts), node)
        return "".join(parts)

    def expr_FormattedValue(self, node, scope):
        value = self.eval(node.value, scope)
        spec = self.eval(node.format_spec, scope) if node.format_spec is not None else ""
        if node.conversion in (ord("r"), ord("a")) and isinstance(value, (str, int, float, bool)):
            value = repr(value)
        return self.format_value(value, spec, node)

    # [[fill]align][sign][z][#][0][width][grouping][.precision][type]
    _SPEC = re.compile(r"(?:.?[<>=^])?[-+ ]?z?#?0?(?P<width>\d*)[,_]?(?:\.(?P<precision>\d+))?[a-zA-Z%]?\Z",
                       re.DOTALL)

    def check_spec(self, spec: str, node) -> None:
        """Refuse a format width or precision larger than a string may be, before formatting."""
        m = self._SPEC.match(spec)
        if m is None:
            raise self.error(f"cannot read the format {spec!r}", node)
        for part in ("width", "precision"):
            digits = m.group(part)
            if digits and (len(digits) > 9 or int(digits) > self.limits.container):
                raise self.over("container", f"the format {spec[:20]!r} asks for a string of "
                                             f"{int(digits[:12]):,} characters", node)

    def format_value(self, value, spec: str, node) -> str:
        if not isinstance(spec, str):
            raise self.error("a format must be text", node)
        self.check_spec(spec, node)
        if isinstance(value, sympy.Basic) and value.is_Integer:
            value = int(value)
        if isinstance(value, (str, int, float, bool)) or value is None:
            try:
                text = format(value, spec)
            except (ValueError, TypeError, OverflowError):
                raise self.error(f"cannot format {self.describe(value)} with the format {spec!r}",
                                 node) from None
        elif isinstance(value, sympy.Basic):
            text = str(value)
        elif isinstance(value, Opaque):
            text = value.symbol_name()
        else:
            self.guard(value, node)
            text = self.host.to_text(value)
        self.allot(len(text), node)
        return text

    _PERCENT = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[diouxXeEfFgGcrsa%]")

    def percent_format(self, fmt: str, args, node) -> str:
        """``"conv_%d" % i``; a free size prints as its name whatever the conversion."""
        items = list(args) if isinstance(args, tuple) else [args]
        if not isinstance(args, dict):
            pieces, i = [], 0
            for m in self._PERCENT.finditer(fmt):
                if m.group() != "%%" and i < len(items):
                    value = items[i]
                    if isinstance(value, sympy.Basic) and value.is_Integer:
                        items[i] = int(value)
                    elif isinstance(value, (sympy.Basic, Opaque)):
                        items[i] = self.format_value(value, "", node)
                        pieces.append((m.start(), m.end()))
                    i += 1
            for start, end in reversed(pieces):
                fmt = fmt[:start] + "%s" + fmt[end:]
            args = tuple(items) if isinstance(args, tuple) else items[0]
        remaining = iter(args if isinstance(args, tuple) else (args,))
        for m in self._PERCENT.finditer(fmt):
            if m.group() == "%%":
                continue
            for part in re.findall(r"\*|\d+", m.group()[1:].split(")")[-1]):
                width = next(remaining, 0) if part == "*" else int(part[:10])
                if isinstance(width, int) and abs(width) > self.limits.container:
                    raise self.over("container", f"the format {m.group()!r} asks for a string of "
                                                 f"{abs(width):,} characters", node)
            next(remaining, None)  # the value this conversion formats
        try:
            text = fmt % args
        except (TypeError, ValueError, KeyError, OverflowError) as exc:
            raise self.error(f"string formatting failed: {python_message(exc)}", node) from None
        self.allot(len(text), node)
        return text


_TYPE_NAME = re.compile(r"'([A-Za-z_][\w.]*)'")
_PYTHON_TYPES = {"int", "float", "str", "list", "tuple", "dict", "set", "frozenset", "bool",
                 "NoneType", "range", "bytes", "complex"}


def python_message(exc: Exception) -> str:
    """Python's own words for a wrong argument, unless they name one of the reader's classes."""
    text = " ".join(str(exc).split()) or "wrong arguments"
    for name in _TYPE_NAME.findall(text):
        if name[:1].isupper() and name not in _PYTHON_TYPES:
            return "wrong kind of argument"
    return text
