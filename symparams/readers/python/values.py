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
class Array:
    """A NumPy array the file makes from a shape (``np.zeros((60000, 784, 1))``): only its shape
    is known, which is what a model reads of it (``x_train.shape[1:]``)."""

    shape: tuple

    @property
    def size(self):
        out = 1
        for d in self.shape:
            out = out * d
        return out


@dataclass(frozen=True)
class OpaqueShape:
    """``X_train.shape[1:]`` of an array the file never builds: a shape of unknown rank.

    As a layer's input shape it becomes sizes named ``X_train_shape_1``,
    ``X_train_shape_2``... (as many as the layer's input needs), which
    ``--subs`` binds one by one, or all at once with ``--subs X_train=(60000, 28, 28)``.
    """

    shape: Opaque      # the ``X_train.shape`` it slices
    start: int

    def sizes(self, rank: int) -> tuple:
        base = self.shape.symbol_name()
        return tuple(Opaque(f"{self.shape.path}[{self.start + i}]") if base else None
                     for i in range(rank))


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
    #: the class whose body defines it (a method), for ``super()``
    owner: Any = None
    #: "function", or the decorator that changes how it binds: staticmethod, classmethod, property
    kind: str = "function"
    #: the file it is written in (a module of the project, for the lines its errors name)
    filename: str = ""


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


@dataclass(frozen=True)
class RepeatedItems:
    """``[Block(config) for _ in range(n_layer)]`` with a free ``n_layer``: ``count`` copies
    of ``item``, made alike (the host checked that the loop's index changes nothing), which
    ``nn.ModuleList`` and ``nn.Sequential(*...)`` turn into one stacked block."""

    item: Any
    count: Any      # a sympy expression
    text: str       # how the file wrote the count, for messages


@dataclass(eq=False)
class UserClass:
    """A class the file defines: its bases (evaluated) and what its body binds."""

    name: str
    bases: tuple
    attributes: dict
    line: int
    #: what the host makes of it: "layer", "model" (Keras subclasses) or "plain"
    kind: str = "plain"
    #: a ``@dataclass``'s fields in order (its bases' first), which its ``__init__`` takes
    fields: tuple = ()
    dataclass: bool = False
    #: the framework class it extends where that is not the plain base (nn.Transformer for
    #: ``class TransformerModel(nn.Transformer)``): the host's to set
    framework_base: Any = None

    def mro(self) -> list["UserClass"]:
        """The file's own classes in lookup order (depth first, left to right, each once)."""
        order: list[UserClass] = []
        stack = [self]
        while stack:
            cls = stack.pop(0)
            if cls not in order:
                order.append(cls)
                stack[:0] = [b for b in cls.bases if isinstance(b, UserClass)]
        return order

    def lookup(self, name: str, after: "UserClass | None" = None):
        """``(True, value)`` for the first class in the MRO (after ``after``) that binds ``name``."""
        order = self.mro()
        if after is not None and after in order:
            order = order[order.index(after) + 1:]
        for cls in order:
            if name in cls.attributes:
                return True, cls.attributes[name]
        return False, None


@dataclass(eq=False)
class Instance:
    """An object of a plain class the file defines (a configuration holder, a builder)."""

    user_class: UserClass
    attributes: dict = field(default_factory=dict)


@dataclass(frozen=True, eq=False)
class BoundFunction:
    """A method of the file's own class, bound to an instance (``self.helper``)."""

    function: UserFunction
    instance: Any


@dataclass(frozen=True, eq=False)
class Super:
    """``super()`` inside a method: lookups start after the method's class."""

    owner: UserClass
    instance: Any
