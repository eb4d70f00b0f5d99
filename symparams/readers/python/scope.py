"""Where the interpreter keeps names, and the signals that unwind its blocks.

A :class:`Scope` is one frame of names (the module, a function call, a class
body, a comprehension); ``return``, ``break`` and ``continue`` travel as the
exceptions below from the statement that runs them to the loop or call that
stops them.
"""

from __future__ import annotations

from typing import Any, Optional


class _Return(Exception):
    def __init__(self, value):
        self.value = value


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


class Scope:
    __slots__ = ("vars", "parent", "globals_", "declares")

    def __init__(self, parent: Optional["Scope"] = None, declares: bool = False):
        self.vars: dict[str, Any] = {}
        self.parent = parent
        self.globals_: set[str] = set()
        #: whether a name bound here is a setting the file declares: the module's top level
        #: or a class body (``--symbolic`` frees those, never a function's locals)
        self.declares = declares or parent is None

    def lookup(self, name: str):
        scope = self
        while scope is not None:
            if name in scope.vars:
                return True, scope.vars[name]
            scope = scope.parent
        return False, None

    def root(self) -> "Scope":
        scope = self
        while scope.parent is not None:
            scope = scope.parent
        return scope

    def assign(self, name: str, value) -> None:
        if name in self.globals_:
            self.root().vars[name] = value
        else:
            self.vars[name] = value
