"""The vocabulary layers use to explain themselves: named sizes, where they come from, formulas.

A layer's :meth:`~symparams.layers.base.Layer.textbook` gives its parameter
count as a :class:`Textbook` (a formula in named sizes and each size's value
and origin), and :meth:`~symparams.layers.base.Layer.axis_rules` gives the
working of its output sizes as :class:`AxisRule` objects. Derivations render
them; the formula of a count must equal the sum of the layer's weights, which
``tests/test_derive.py`` checks for every layer of every fixture.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Protocol

import sympy

from ...core.formula import Formula, Name, Num
from ...core.parse import as_expr

#: spatial axis labels by rank, and the kernel's size names
SPATIAL = {1: ["L"], 2: ["H", "W"], 3: ["D", "H", "W"]}
KERNEL = {1: ["k"], 2: ["k_h", "k_w"], 3: ["k_d", "k_h", "k_w"]}


@dataclass(frozen=True)
class Origin:
    """Where a named size comes from: an argument of the layer, an argument left out (its
    default), or an axis of its input."""

    kind: str                       # "argument", "default", "input", "derived"
    argument: Optional[str] = None  # the Keras argument (``filters``)
    axis: Optional[int] = None      # the axis of the input shape
    input_index: int = 0            # which input (for layers with several)
    #: for a default: the argument whose value it takes (a pooling's strides: ``pool_size``)
    default: Optional[str] = None

    def shifted(self, by: int) -> "Origin":
        """The same origin, its input axis moved (a wrapped layer sees one time step)."""
        return Origin(self.kind, self.argument, None if self.axis is None else self.axis + by,
                      self.input_index, self.default)


def arg(name: str) -> Origin:
    return Origin("argument", argument=name)


def default(name: str, taken_from: str) -> Origin:
    """An argument left out, whose value Keras takes from another argument."""
    return Origin("default", argument=name, default=taken_from)


def axis(i: int, input_index: int = 0) -> Origin:
    return Origin("input", axis=i, input_index=input_index)


DERIVED = Origin("derived")


@dataclass(frozen=True)
class Quantity:
    key: str
    value: sympy.Expr
    origin: Origin


class Sizes(Protocol):
    """Where a rule gets its sizes: as names (a derivation) or as values (a shape)."""

    def q(self, key: str, value, origin: Origin) -> Formula: ...


@dataclass
class Textbook:
    """A formula in named sizes, with each size's value and origin."""

    formula: Formula = field(default_factory=lambda: Num(sympy.Integer(0)))
    quantities: list[Quantity] = field(default_factory=list)
    #: the part of the formula that is not trainable (BatchNormalization's 2C)
    non_trainable: Optional[Formula] = None

    def q(self, key: str, value, origin: Origin) -> Name:
        """The name ``key`` for ``value``, recorded once with where it comes from."""
        if all(x.key != key for x in self.quantities):
            self.quantities.append(Quantity(key, as_expr(value), origin))
        return Name(key)


class Values:
    """Sizes as their values: a rule given ``Values()`` computes instead of explaining."""

    def q(self, key: str, value, origin: Origin) -> Num:
        return Num(as_expr(value))


VALUES = Values()


@dataclass
class AxisRule:
    """How one output axis is computed: a formula in named sizes and their values."""

    axis: int
    label: str
    formula: Formula
    quantities: list[Quantity]
