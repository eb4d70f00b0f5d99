"""Values the source reader works with besides plain Python data and symparams objects."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Opaque:
    """Something from outside the model (data, optimizers, numpy...), known only by how it was reached.

    Used as a size it becomes a symbol named after its path, so
    ``Dense(X_train.shape[1])`` gives a size ``X_train_shape_1`` the user can bind.
    """

    path: str

    def symbol_name(self) -> str:
        name = re.sub(r"\W+", "_", self.path).strip("_")
        return name if name and not name[0].isdigit() else f"s_{name}"


@dataclass(frozen=True)
class FreeName(Opaque):
    """A name the file reads but never binds: a size, unless used as an object."""

    def symbol_name(self) -> str:
        return self.path


@dataclass(frozen=True)
class Namespace:
    """An imported module or a dotted path inside one (``keras.layers``, ``np.random``)."""

    path: str
    keras: bool  # whether names inside it are looked up in the Keras API


@dataclass
class UserFunction:
    """A function (or lambda) the file defines; its body is interpreted, never compiled."""

    name: str
    node: Any            # ast.FunctionDef or ast.Lambda
    scope: Any           # the scope it was defined in (closures)
    defaults: list = field(default_factory=list)
    kw_defaults: dict = field(default_factory=dict)


@dataclass(frozen=True)
class BoundMethod:
    """A whitelisted method of a value: ``model.add``, ``layers_list.append``."""

    owner: Any
    name: str


@dataclass(frozen=True)
class Builtin:
    """A Python builtin or Keras API function the reader implements itself."""

    name: str
    fn: Any

    def __repr__(self) -> str:
        return f"<builtin {self.name}>"


@dataclass(frozen=True)
class SymbolicRange:
    """``range(n_layer)`` with a free ``n_layer``: a loop over it becomes a ``Repeat``."""

    count: Any      # a sympy expression
    text: str       # how the file wrote the count, for messages
