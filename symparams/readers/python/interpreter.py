"""A small, safe interpreter for the Python that model files are written in.

Nothing from the file is compiled, evaluated or imported: the ``ast`` is
walked and every operation is one the interpreter implements on plain data,
sympy sizes and symparams objects. Attribute access is whitelisted, so no
path leads from the file to Python internals. Work is bounded in time and
memory, not only in steps (:class:`~symparams.readers.limits.Limits`): a
wall-clock budget, a budget for everything the file builds, and a check of
every size before the value is made, so no single step can hang the reader
or exhaust memory.

This module holds the interpreter's state and its budget accounting; what it
does with each kind of node is in its mixins: statements
(:mod:`~symparams.readers.statements`), expressions
(:mod:`~symparams.readers.expressions`), operators
(:mod:`~symparams.readers.operators`), formatted strings
(:mod:`~symparams.readers.formatting`) and calls (:mod:`~symparams.readers.calls`);
its scopes are in :mod:`~symparams.readers.scope`.
"""

from __future__ import annotations

import ast
import time
from typing import Optional

import sympy

from ...core import bounds
from ...core.errors import ReadError
from .calls import Calls
from .expressions import Expressions
from .formatting import Formatting, python_message
from .host import Host
from .limits import Limits
from .operators import Operators
from .scope import Scope, _Break, _Continue, _Return
from .statements import Statements

# Re-exported: the hosts and builtins import these from here.
__all__ = ["Interpreter", "Scope", "_Break", "_Continue", "_Return", "python_message"]

_CONTAINERS = (list, tuple, dict, set, frozenset)
#: values whose length is known before they are read
_SIZED = (list, tuple, dict, set, frozenset, str)


class Interpreter(Statements, Expressions, Operators, Formatting, Calls):
    """Walks a module's ``ast``. The host (:class:`~symparams.readers.host.Host`) supplies names and calls."""

    def __init__(self, host: Host, filename: str, limits: Limits = Limits(),
                 deadline: Optional[float] = None):
        self.host = host
        self.filename = filename
        self.limits = limits
        self.steps = 0
        self.depth = 0
        self.built_items = 0
        self.line: Optional[int] = None
        self.deadline = deadline if deadline is not None else time.monotonic() + limits.seconds

    # ---- errors and budgets --------------------------------------------------
    def error(self, message: str, node: Optional[ast.AST] = None) -> ReadError:
        line = getattr(node, "lineno", None) or self.line
        return ReadError(message, self.filename, line)

    def over(self, limit: str, what: str, node=None) -> ReadError:
        """The error for a run past one of the limits: which, and how to raise it."""
        return self.error(f"{what} ({self.limits.describe(limit)})", node)

    def tick(self, node: Optional[ast.AST], count: int = 1) -> None:
        self.steps += count
        if self.steps > self.limits.steps:
            raise self.over("steps", f"stopped after {self.limits.steps:,} steps; is there an "
                                     "endless loop?", node)
        if self.steps & 1023 < count:
            self.check_time(node)

    def walk(self, n: int, node, what: str) -> None:
        """Charge work that reads ``n`` items or characters (``x.count(1)``, ``v in x``,
        ``sum(x)``) to the step budget before it runs: one builtin call is one step of the
        file but ``n`` of real work, so a loop over it is stopped as a loop of ``n`` would be."""
        if self.steps + n > self.limits.steps:
            self.steps = self.limits.steps
            raise self.over("steps", f"stopped: {what} would read {n:,} items, more work than the "
                                     "reader has left", node)
        self.tick(node, n)

    def check_time(self, node=None) -> None:
        if time.monotonic() > self.deadline:
            raise self.over("seconds", "stopped: reading the file took too long", node)

    def allot(self, n: int, node, size: Optional[int] = None) -> None:
        """Account for ``n`` new list items or characters, before they are made.

        ``size`` is the length of the value they go into (``n`` for a new
        value; more when a list grows).
        """
        if (n if size is None else size) > self.limits.container:
            raise self.over("container", f"a list or string longer than "
                                         f"{self.limits.container:,} items", node)
        self.built_items += n
        if self.built_items > self.limits.items:
            raise self.over("items", f"the file builds more than {self.limits.items:,} list "
                                     "items and characters in all", node)

    def guard(self, value, node) -> None:
        """Refuse a value too large or too deeply nested to hash, compare or print safely.

        Hashing a tuple and comparing or printing containers recurse inside
        Python itself, where no limit applies: a tuple nested 400,000 deep
        crashes the process when hashed. The walk here is iterative, counts
        shared items each time they are reached (as printing would), and
        stops at the limits.
        """
        if not isinstance(value, _CONTAINERS):
            return
        budget = self.limits.container
        stack = [(value, 1)]
        while stack:
            item, depth = stack.pop()
            if depth > self.limits.nesting:
                raise self.over("nesting", f"a value nested more than {self.limits.nesting} "
                                           "levels deep", node)
            # the walk here, and the hash or comparison after it, read every item
            self.walk(len(item), node, "comparing, hashing or printing this value")
            budget -= len(item)
            if budget < 0:
                raise self.over("container", "a value with too many items to compare, hash "
                                             "or print", node)
            children = [*item.keys(), *item.values()] if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children if isinstance(child, _CONTAINERS))

    def items(self, value, node) -> list:
        """The items of an iterable value as a list, sized and charged before they are made."""
        if isinstance(value, range):
            n = len(value)
            self.allot(n, node)
            self.tick(node, n)
            return list(value)
        if isinstance(value, _SIZED):
            self.walk(len(value), node, "this line")
            return list(value)
        items = list(self.iterate(value, node))
        self.tick(node, len(items))
        return items

    def check_number(self, value, node) -> None:
        bits = bounds.int_bits(value)
        if bits is not None and bits > self.limits.int_bits:
            raise self.over("int_bits", "a number too large for the reader", node)
        if isinstance(value, sympy.Basic) and not value.is_Atom:
            try:
                bounds.check(value, "this size")
            except bounds.TooLarge as exc:
                raise self.error(str(exc), node) from None

    # ---- helpers -----------------------------------------------------------------------
    def iterate(self, value, node):
        if isinstance(value, (tuple, str, range)):
            return value  # unchanging: read as the loop goes
        if isinstance(value, (list, dict, set, frozenset)):
            # a loop sees the value as it was (the file may change it as it loops): a copy
            self.walk(len(value), node, "this loop")
            return list(value)
        if isinstance(value, (zip, enumerate, map, filter, reversed)):
            return list(value)
        return self.host.iterate(value, node)


    def describe(self, value) -> str:
        return self.host.describe(value)
