"""What the module classes share: their size arguments as sizes (``_tuple``, ``_shape``,
``_div``), the checks on the tensors they are given (``_input``, ``_expect``), and the
rule for each spatial axis of the windowed ones, convolutions and pools (``_window_rules``)."""

from __future__ import annotations

import sympy

from ...core.dims import as_size, known_unequal
from ...keras.layers.textbook import AxisRule, Textbook
from ..module import Module
from ..tensor import ShapeError, Tensor, text


def _tuple(value, n: int) -> tuple:
    values = tuple(value) if isinstance(value, (list, tuple)) else (value,) * n
    if len(values) != n:
        raise ValueError(f"expected {n} values, got {len(values)}: {values}")
    return tuple(as_size(v) for v in values)


def _shape(value) -> tuple:
    return tuple(as_size(v) for v in (value if isinstance(value, (list, tuple)) else (value,)))


def _input(module: Module, x, ranks: tuple = (), layout: str = "") -> Tensor:
    """The tensor a module is given, with one of the numbers of axes it accepts."""
    name = type(module).__name__
    if not isinstance(x, Tensor):
        raise ShapeError(f"{name} is given {type(x).__name__ if x is not None else 'None'}, not a tensor")
    if ranks and x.ndim not in ranks:
        accepted = " or ".join(str(r) for r in ranks)
        raise ShapeError(f"{name} takes a tensor of {accepted} axes{f' ({layout})' if layout else ''}, "
                         f"got shape {text(x.shape)}")
    return x


def _expect(module: Module, what: str, expected, got, x: Tensor) -> None:
    if known_unequal(as_size(expected), as_size(got)):
        raise ShapeError(f"{type(module).__name__} expects {expected} {what}, got {got} "
                         f"(input shape {text(x.shape)}); check the input size or the module's sizes")


def _div(a, b, what: str):
    """``a // b`` where PyTorch requires that b divides a (groups, heads)."""
    a, b = as_size(a), as_size(b)
    q = a / b
    if q.is_number and not q.is_integer:
        raise ValueError(f"{what}: {a} is not divisible by {b}")
    return q if not q.is_number else sympy.Integer(q)


def _window_rules(module, input_shape, make) -> list:
    """One rule per spatial axis of a (batch, channels, spatial...) input: ``make(t, label,
    suffix, axis, n, i)`` gives its formula."""
    r = module.rank
    if input_shape is None or len(input_shape) < r + 1:
        return []
    labels = {1: ("L",), 2: ("H", "W"), 3: ("D", "H", "W")}[r]
    rules = []
    for i, label in enumerate(labels):
        ax = len(input_shape) - r + i
        t = Textbook()
        f = make(t, label, "" if r == 1 else "_" + label.lower(), ax, input_shape[ax], i)
        rules.append(AxisRule(ax, f"{label}_out", f, t.quantities))
    return rules
