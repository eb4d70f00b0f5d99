"""What the interpreter asks of the framework it reads code for.

The interpreter (:mod:`symparams.readers.interpreter`) knows Python; a *host*
knows what the names of one framework mean: its modules, classes and calls,
the attributes of its objects, and how its values become sizes. The Keras
reader (:class:`symparams.readers.keras.KerasReader`) is one host; a reader
for another framework is another class with these methods, and the
interpreter, the builtins (:mod:`symparams.readers.builtins`) and the limits
serve it unchanged.
"""

from __future__ import annotations

import ast
from typing import Any, Optional, Protocol

from ...core.errors import ReadError
from .values import SymbolicRange

# The interpreter imports this module, so its classes are not imported here: ``interp``
# is the Interpreter and ``scope`` a Scope (a block's variables), typed as Any.


class Host(Protocol):
    """The framework side of a read; every method may raise a one-line ``ReadError``."""

    interp: Any

    # ---- names and imports ----------------------------------------------------------
    def global_name(self, name: str, node: ast.AST) -> Any:
        """A name the file reads but never binds: an API name, a builtin, or a free size."""

    def import_module(self, dotted: str, level: int = 0, node: Optional[ast.AST] = None) -> Any:
        """``import keras.layers``: what the module name stands for."""

    def import_name(self, module: str, name: str, level: int = 0, node: Optional[ast.AST] = None) -> Any:
        """``from keras.layers import Dense`` (``level`` leading dots): what the name stands for."""

    def project_module(self, dotted: str, level: int = 0, node: Optional[ast.AST] = None) -> Any:
        """A module of the file's own project (``from .parts import *``), read, or None."""

    def import_star(self, module: str, scope: Any) -> None:
        """``from keras.layers import *``."""

    def note_assignment(self, name: str, value: Any, scope: Any) -> None:
        """Told of every assignment (models held by variables; ``--subs`` overrides)."""

    def note_class(self, name: str, line: int) -> None:
        """Told of every class the file defines."""

    # ---- values ----------------------------------------------------------------------
    def get_attribute(self, obj: Any, attr: str, node: ast.AST) -> Any:
        """``obj.attr``: only what the host allows; nothing reaches Python internals."""

    def set_attribute(self, obj: Any, attr: str, value: Any, node: ast.AST) -> None:
        """``obj.attr = value``."""

    def get_item(self, container: Any, key: Any, node: ast.AST) -> Any:
        """``container[key]``."""

    def iterate(self, value: Any, node: ast.AST) -> Any:
        """The items of a value that is not a Python container (or a one-line error)."""

    def call(self, func: Any, args: list, kwargs: dict, node: ast.AST) -> Any:
        """``func(*args, **kwargs)`` for everything but the file's own functions."""

    def as_operand(self, value: Any, node: ast.AST) -> Any:
        """A value about to meet an operator: a free name becomes a size symbol."""

    def record_real(self, value: Any) -> None:
        """Told of a size used inside ``int()`` or ``round()``, whose symbols must be real."""

    def shape_of(self, value: Any) -> Optional[tuple]:
        """The shape of a framework tensor, else None."""

    def declared(self, name: str, value: Any, node: ast.AST) -> Any:
        """A setting the file declares, as the read takes it (``--symbolic`` frees it)."""

    def data_loop(self, node: ast.AST, parts: list, scope: Any, over: Any) -> None:
        """A loop (or comprehension) over data the reader does not have: refused if ``parts``
        (its target and body) make a layer or a module, else said and not run."""

    def assumes(self, text: str, condition: Any, node: ast.AST) -> None:
        """Told of an ``assert`` on free sizes, which the results assume."""

    def repeated(self, value: Any) -> bool:
        """Whether a loop over ``value`` is a loop over a free count (a stack of blocks)."""

    def repeat_loop(self, node: ast.For, scope: Any, count: Any) -> None:
        """A loop over a free count (``for _ in range(n_layer)``) or a :meth:`repeated` value."""

    def repeat_items(self, node: ast.ListComp, scope: Any, count: SymbolicRange) -> Any:
        """A comprehension over a free count (``[Block() for _ in range(n_layer)]``)."""

    # ---- messages --------------------------------------------------------------------
    def describe(self, value: Any) -> str:
        """A value as a message names it, in the user's words, never a repr."""

    def to_text(self, value: Any) -> str:
        """``str(value)`` for the host's own values."""

    def error(self, message: str, node: Optional[ast.AST] = None) -> ReadError:
        """A one-line error at the node's line."""
