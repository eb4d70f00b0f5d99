"""Layers that move sizes around without weights: Flatten, Reshape, padding..."""

from __future__ import annotations

import sympy

from ...core.dims import as_positive, as_size, as_tuple, known_unequal, product
from ...core.formula import Difference, Num, Quotient, add, mul
from .base import Layer, describe, no_macs
from .conv import _Spatial, standardize_data_format
from .textbook import SPATIAL, AxisRule, Textbook, arg, axis


def _all_axes_rule(input_shape, label: str = "n_out", ax: int = 1):
    """``n_1·n_2·…``: every axis but the batch multiplied (None when one is unknown)."""
    dims = input_shape[1:]
    if any(d is None for d in dims):
        return None, None
    t = Textbook()
    return t, mul(*[t.q(f"n_{i}", d, axis(i)) for i, d in enumerate(dims, start=1)])


class Flatten(Layer):
    prose = "flatten"
    misconceptions = frozenset({"flatten_without_channels"})
    macs = no_macs

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)

    def axis_rules(self, input_shape):
        if len(input_shape) < 3:
            return []
        t, f = _all_axes_rule(input_shape)
        return [] if t is None else [AxisRule(1, "n_out", f, t.quantities)]

    def check_input(self, in_shapes):
        if len(in_shapes) < 2:
            raise self.error(f"Flatten needs an input of rank 2 or more, got {describe(in_shapes)}")

    def compute_output_shape(self, input_shape):
        return (input_shape[0], product(input_shape[1:]))


class Reshape(Layer):
    prose = "reshape"
    macs = no_macs

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(target_shape, (list, tuple)):
            target_shape = (target_shape,)
        self.target_shape = tuple(as_size(v) for v in target_shape)
        if sum(1 for v in self.target_shape if v == -1) > 1:
            raise ValueError(f"Reshape target_shape {target_shape} has more than one -1")

    def compute_output_shape(self, input_shape):
        total = product(input_shape[1:])
        known = product(v for v in self.target_shape if v != -1)
        if any(v == -1 for v in self.target_shape):
            if total is None:
                missing = None
            else:
                missing = sympy.cancel(total / known)
                if missing.is_number and not missing.is_Integer:
                    raise self.error(f"cannot reshape input {describe(input_shape)} "
                                     f"({total} values) to {_fmt(self.target_shape)}")
            out = tuple(missing if v == -1 else v for v in self.target_shape)
        else:
            out = self.target_shape
            if total is not None and known_unequal(total, known):
                raise self.error(f"cannot reshape input {describe(input_shape)} ({total} values) "
                                 f"to {_fmt(out)} ({known} values)")
        return (input_shape[0], *out)

    def config(self):
        return {"target_shape": self.target_shape}

    def axis_rules(self, input_shape):
        if not any(v == -1 for v in self.target_shape):
            return []
        t, total = _all_axes_rule(input_shape)
        if t is None:
            return []
        known = [v for v in self.target_shape if v != -1]
        ax = 1 + list(self.target_shape).index(-1)
        f = Quotient(total, mul(*[Num(v) for v in known])) if known else total
        return [AxisRule(ax, "n_out", f, t.quantities)]


def _fmt(shape):
    return "(" + ", ".join(str(v) for v in shape) + ")"


class Permute(Layer):
    prose = "reshape"
    macs = no_macs

    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        self.dims = tuple(int(d) for d in dims)
        if sorted(self.dims) != list(range(1, len(self.dims) + 1)):
            raise ValueError(f"Permute dims {self.dims} must be a permutation of 1..{len(self.dims)}")

    def check_input(self, in_shapes):
        if len(in_shapes) != len(self.dims) + 1:
            raise self.error(f"Permute{self.dims} does not fit input {describe(in_shapes)}")

    def compute_output_shape(self, input_shape):
        return (input_shape[0], *(input_shape[d] for d in self.dims))


class RepeatVector(Layer):
    input_rank = 2
    prose = "reshape"
    macs = no_macs

    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        self.n = as_positive(n, "n")

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.n, input_shape[1])


def _pairs(value, rank: int, what: str):
    """Keras's forms of padding/cropping: 1, (1, 2), or ((1, 1), (2, 2))."""
    if rank == 1:
        if isinstance(value, (list, tuple)):
            if len(value) != 2:
                raise ValueError(f"{what} must be an int or a pair, got {value!r}")
            return ((as_size(value[0]), as_size(value[1])),)
        return ((as_size(value), as_size(value)),)
    if not isinstance(value, (list, tuple)):
        return ((as_size(value), as_size(value)),) * rank
    if len(value) != rank:
        raise ValueError(f"{what} must have {rank} entries, got {value!r}")
    pairs = []
    for v in value:
        if isinstance(v, (list, tuple)):
            if len(v) != 2:
                raise ValueError(f"{what} entries must be pairs, got {value!r}")
            pairs.append((as_size(v[0]), as_size(v[1])))
        else:
            pairs.append((as_size(v), as_size(v)))
    return tuple(pairs)


class _PadCrop(_Spatial):
    sign: int = 1
    what: str = "padding"
    prose = "padding"
    macs = no_macs

    def __init__(self, amount, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.amounts = _pairs(amount, self.rank, self.what)
        self.data_format = "channels_last" if self.rank == 1 else standardize_data_format(data_format)

    def compute_output_shape(self, input_shape):
        spatial = []
        for n, (a, b) in zip(self.spatial(input_shape), self.amounts):
            spatial.append(None if n is None else n + self.sign * (a + b))
        self.check_spatial(input_shape, spatial, what=self.what)
        return self.assemble(input_shape, spatial, self.channels(input_shape))

    def check_input(self, in_shapes):
        Layer.check_input(self, in_shapes)

    def config(self):
        return {self.what: self.amounts, "data_format": self.data_format}

    def axis_rules(self, input_shape):
        rules = []
        first = 1 if self.data_format == "channels_last" else 2
        for i, (a, b) in enumerate(self.amounts):
            n = input_shape[first + i]
            if n is None or (a == 0 and b == 0):
                continue
            t = Textbook()
            label = SPATIAL[self.rank][i]
            n_ = t.q(f"{label}_in", n, axis(first + i))
            a_, b_ = t.q("a", a, arg(self.what)), t.q("b", b, arg(self.what))
            f = add(n_, a_, b_) if self.sign > 0 else Difference(Difference(n_, a_), b_)
            rules.append(AxisRule(first + i, f"{label}_out", f, t.quantities))
        return rules


class ZeroPadding1D(_PadCrop):
    rank = 1

    def __init__(self, padding=1, data_format=None, **kwargs):
        super().__init__(padding, data_format, **kwargs)


class ZeroPadding2D(_PadCrop):
    rank = 2

    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        super().__init__(padding, data_format, **kwargs)


class ZeroPadding3D(_PadCrop):
    rank = 3

    def __init__(self, padding=(1, 1, 1), data_format=None, **kwargs):
        super().__init__(padding, data_format, **kwargs)


class Cropping1D(_PadCrop):
    rank, sign, what = 1, -1, "cropping"

    def __init__(self, cropping=(1, 1), **kwargs):
        super().__init__(cropping, None, **kwargs)


class Cropping2D(_PadCrop):
    rank, sign, what = 2, -1, "cropping"

    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        super().__init__(cropping, data_format, **kwargs)


class Cropping3D(_PadCrop):
    rank, sign, what = 3, -1, "cropping"

    def __init__(self, cropping=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(cropping, data_format, **kwargs)


class _UpSampling(_Spatial):
    inert_args = frozenset({"interpolation"})
    prose = "padding"
    macs = no_macs

    def __init__(self, size=2, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.size = as_tuple(size, self.rank, "size")
        self.data_format = "channels_last" if self.rank == 1 else standardize_data_format(data_format)

    def compute_output_shape(self, input_shape):
        spatial = [None if n is None else n * s for n, s in zip(self.spatial(input_shape), self.size)]
        return self.assemble(input_shape, spatial, self.channels(input_shape))

    def check_input(self, in_shapes):
        Layer.check_input(self, in_shapes)

    def config(self):
        return {"size": self.size, "data_format": self.data_format}

    def axis_rules(self, input_shape):
        rules = []
        first = 1 if self.data_format == "channels_last" else 2
        for i, s in enumerate(self.size):
            n = input_shape[first + i]
            if n is None or s == 1:
                continue
            t = Textbook()
            label = SPATIAL[self.rank][i]
            f = mul(t.q(f"{label}_in", n, axis(first + i)), t.q("s", s, arg("size")))
            rules.append(AxisRule(first + i, f"{label}_out", f, t.quantities))
        return rules


class UpSampling1D(_UpSampling):
    rank = 1


class UpSampling2D(_UpSampling):
    rank = 2


class UpSampling3D(_UpSampling):
    rank = 3
