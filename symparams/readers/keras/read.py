"""Reading a Keras file: :func:`read_keras_source` runs the :class:`KerasReader` on it
(twice when a size must be a real symbol) and returns its models as a :class:`ReadResult`."""

from __future__ import annotations

import ast
import sys
import time
from dataclasses import dataclass, field
from typing import Optional, Sequence

import sympy

from ...core.errors import ReadError
from ...keras.layers.base import naming_scope
from ...keras.model import Functional
from ..dialect import Dialect
from ..dialect import guess as guess_dialect
from ..python.limits import Limits
from ..python.environment import Environment
from ..python.source import parse
from ..python.subs import binding_value, unused_message
from .reader import KerasReader


@dataclass
class ReadResult:
    """What a file defines: its models by variable name, and which one to summarise."""

    filename: str
    models: dict[str, Functional]          # by the variable that holds them
    built: list[Functional]                # every model, in the order built
    warnings: list[str] = field(default_factory=list)
    free_names: set[str] = field(default_factory=set)
    #: what the reader assumed that changes counts (which Keras the file is written for)
    notes: list[str] = field(default_factory=list)
    #: the Keras (1, 2 or 3) whose rules the counts follow
    keras: int = 3
    #: what the file asserts of its free sizes (``Eq(Mod(d, 8), 0)``), which the counts assume
    conditions: tuple = ()

    #: a model read from source code has no config file behind it
    config = None

    def trace_of(self, model) -> None:
        """A Keras model's shapes are its graph's: there is no forward pass to follow."""
        return None

    @property
    def model(self) -> Functional:
        """The variable ``model`` if there is one, else the last model built."""
        if "model" in self.models:
            return self.models["model"]
        return self.built[-1]

    def pick(self, name: str) -> Functional:
        if name in self.models:
            return self.models[name]
        for m in self.built:
            if m.name == name:
                return m
        known = sorted(set(self.models) | {m.name for m in self.built})
        raise ReadError(f"no model named {name!r}; the file has {', '.join(known)}", self.filename)

    def all(self) -> list[Functional]:
        """Every top-level model once: those held by variables, then the rest, in build order."""
        nested = {id(l) for m in self.built for l in m.layers if isinstance(l, Functional)}
        return [m for m in self.built if id(m) not in nested or m in self.models.values()]


def read_keras_source(source: str, filename: str = "<model>", bindings: Optional[dict] = None,
                      strict: bool = False, limits: Limits = Limits(), ignore_unused: bool = False,
                      input_shape=None, keras: Optional[int] = None,
                      tree: Optional[ast.Module] = None, symbolic: Sequence[str] = (),
                      machine: Optional[Environment] = None) -> ReadResult:
    """Read Keras source text into models. ``bindings`` give values to free names.

    ``input_shape`` (without the batch axis) is the input of models the file
    never gives one: a subclassed model never called, a Sequential whose
    first layer has no ``input_shape``. ``keras`` (1, 2 or 3) says which
    Keras the file was written for, instead of the reader's guess.
    """
    deadline = time.monotonic() + limits.seconds
    tree = tree if tree is not None else parse(source, filename, limits)
    values = {k: binding_value(k, v) for k, v in (bindings or {}).items()}
    given_shape = None
    if input_shape is not None:
        given_shape = binding_value("input_shape", input_shape)
        given_shape = given_shape if isinstance(given_shape, tuple) else (given_shape,)
        if not all(isinstance(v, (int, sympy.Basic)) and not isinstance(v, bool) for v in given_shape):
            raise ReadError("--input-shape must be sizes without the batch axis, e.g. --input-shape 28,28,1",
                            filename)
    if keras not in (None, 1, 2, 3):
        raise ReadError(f"--keras must be 1, 2 or 3, got {keras}", filename)
    dialect = Dialect(keras, given=True) if keras else guess_dialect(tree)
    real_names: set[str] = set()
    # A name used as a multiplier inside int() (``int(32 * alpha)``) must be a
    # real symbol, or sympy would drop the floor: read once more if one shows up.
    for _ in range(2):
        reader = KerasReader(filename, values, strict, real_names, limits, deadline,
                             input_shape=given_shape, dialect=dialect)
        reader.symbolic = frozenset(symbolic)
        reader.assume_environment(machine or Environment())
        old_limit = sys.getrecursionlimit()
        sys.setrecursionlimit(max(old_limit, 20_000))
        try:
            with naming_scope():
                reader.run(tree)
        finally:
            sys.setrecursionlimit(old_limit)
        if reader.wants_real <= real_names:
            break
        real_names |= reader.wants_real
    unused = set(values) - reader.used_bindings
    if unused and not ignore_unused:
        raise ReadError(unused_message(unused, reader.free_names), filename)
    if not reader.built:
        raise ReadError("no Keras model is built in this file (no Sequential or Model)", filename)
    reader.check_symbolic()
    notes = ([dialect.note()] if dialect.version < 3 or dialect.given else []) + reader.read_notes()
    return ReadResult(filename, reader.named_models, reader.built, reader.warnings, reader.free_names,
                      notes, dialect.version, tuple(reader.conditions))

