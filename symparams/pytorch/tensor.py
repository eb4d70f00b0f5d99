"""A PyTorch tensor as its shape, and the shape rules of the tensor operations a
``forward`` uses (``torch/_refs/__init__.py`` and ``torch/_prims_common`` state the
same rules for real tensors: broadcasting, ``view`` with one ``-1``, ``permute``...).

Shapes are tuples of sympy sizes, the batch included: PyTorch has no unknown batch
axis, the input size says it (``(1, 3, 224, 224)``). A rule that cannot hold raises
:class:`ShapeError`, whose message the reader prints at the line of the call.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import sympy

from ..core.dims import as_size, known_unequal, product
from . import window

ONE = sympy.Integer(1)


class ShapeError(ValueError):
    """Shapes that do not fit; the message says which sizes and why."""


@dataclass(frozen=True)
class Tensor:
    """A tensor's shape and element type (``long`` for token ids)."""

    shape: tuple
    dtype: str = "float32"

    def __post_init__(self):
        object.__setattr__(self, "shape", tuple(as_size(s) for s in self.shape))

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def numel(self) -> sympy.Expr:
        return sympy.expand(product(self.shape)) if self.shape else ONE

    def with_shape(self, shape) -> "Tensor":
        return Tensor(tuple(shape), self.dtype)


def text(shape: Sequence) -> str:
    """A shape as PyTorch prints it: ``[1, 64, 56, 56]``."""
    return "[" + ", ".join(str(s) for s in shape) + "]"


def dim(x: Tensor, d, what: str = "dim") -> int:
    """A possibly negative axis of ``x`` as an index."""
    if isinstance(d, sympy.Basic) and d.is_Integer:
        d = int(d)
    if not isinstance(d, int) or isinstance(d, bool):
        raise ShapeError(f"{what} must be a whole number, got {d}")
    n = max(x.ndim, 1)
    if not -n <= d < n:
        raise ShapeError(f"{what} {d} is out of range for a tensor of shape {text(x.shape)}")
    return d % n


def broadcast(*shapes) -> tuple:
    """The shape of an elementwise result (NumPy's broadcasting, which PyTorch follows)."""
    n = max(len(s) for s in shapes)
    out = []
    for i in range(n):
        sizes = [s[len(s) - n + i] for s in shapes if len(s) - n + i >= 0]
        result = ONE
        for size in sizes:
            if size == 1:
                continue
            if result == 1:
                result = size
            elif known_unequal(result, size):
                raise ShapeError("shapes " + " and ".join(text(s) for s in shapes)
                                 + f" do not broadcast: {result} against {size} at axis {i - n}")
        out.append(result)
    return tuple(out)


def view(x: Tensor, sizes: Sequence) -> Tensor:
    """``x.view(*sizes)`` / ``reshape``: at most one ``-1``, which takes what is left."""
    sizes = [int(s) if isinstance(s, sympy.Basic) and s.is_Integer and s < 0 else s for s in sizes]
    holes = [i for i, s in enumerate(sizes) if isinstance(s, int) and s == -1]
    if len(holes) > 1:
        raise ShapeError("only one size can be -1 in view() or reshape()")
    known = product(as_size(s) for i, s in enumerate(sizes) if i not in holes) if len(sizes) > len(holes) else ONE
    total = x.numel
    if holes:
        rest = sympy.simplify(total / known)
        if rest.is_number and not rest.is_integer:
            raise ShapeError(f"shape {text(x.shape)} ({total} values) cannot be viewed as "
                             f"{text(sizes)}: {total} is not a multiple of {known}")
        sizes[holes[0]] = rest
    elif known_unequal(sympy.expand(product(as_size(s) for s in sizes) if sizes else ONE), total):
        raise ShapeError(f"shape {text(x.shape)} ({total} values) cannot be viewed as {text(sizes)} "
                         f"({sympy.expand(product(as_size(s) for s in sizes))} values)")
    return x.with_shape(sizes)


def flatten(x: Tensor, start: int = 0, end: int = -1) -> Tensor:
    if x.ndim == 0:
        return x.with_shape((1,))
    s, e = dim(x, start, "start_dim"), dim(x, end, "end_dim")
    if s > e:
        raise ShapeError(f"flatten: start_dim {start} comes after end_dim {end}")
    merged = sympy.expand(product(x.shape[s:e + 1]))
    return x.with_shape(x.shape[:s] + (merged,) + x.shape[e + 1:])


def unflatten(x: Tensor, d, sizes: Sequence) -> Tensor:
    i = dim(x, d)
    inner = view(Tensor((x.shape[i],)), sizes)
    return x.with_shape(x.shape[:i] + inner.shape + x.shape[i + 1:])


def permute(x: Tensor, dims: Sequence) -> Tensor:
    order = [dim(x, d) for d in dims]
    if sorted(order) != list(range(x.ndim)):
        raise ShapeError(f"permute({', '.join(map(str, dims))}) does not name each of the "
                         f"{x.ndim} axes of {text(x.shape)} once")
    return x.with_shape(tuple(x.shape[i] for i in order))


def transpose(x: Tensor, a, b) -> Tensor:
    i, j = dim(x, a), dim(x, b)
    shape = list(x.shape)
    shape[i], shape[j] = shape[j], shape[i]
    return x.with_shape(shape)


def unsqueeze(x: Tensor, d) -> Tensor:
    n = x.ndim + 1
    if isinstance(d, sympy.Basic):
        d = int(d)
    if not -n <= d < n:
        raise ShapeError(f"unsqueeze({d}) is out of range for a tensor of shape {text(x.shape)}")
    d %= n
    return x.with_shape(x.shape[:d] + (ONE,) + x.shape[d:])


def squeeze(x: Tensor, d=None) -> Tensor:
    if d is None:
        return x.with_shape(tuple(s for s in x.shape if s != 1))
    axes = {dim(x, a) for a in (d if isinstance(d, (tuple, list)) else (d,))}
    return x.with_shape(tuple(s for i, s in enumerate(x.shape) if not (i in axes and s == 1)))


def reduce(x: Tensor, d=None, keepdim: bool = False) -> Tensor:
    """``sum``/``mean``/``amax`` over ``d`` (all axes when None)."""
    if d is None:
        return x.with_shape(())
    axes = {dim(x, a) for a in (d if isinstance(d, (tuple, list)) else (d,))}
    if keepdim:
        return x.with_shape(tuple(ONE if i in axes else s for i, s in enumerate(x.shape)))
    return x.with_shape(tuple(s for i, s in enumerate(x.shape) if i not in axes))


def cat(tensors: Sequence[Tensor], d=0) -> Tensor:
    if not tensors:
        raise ShapeError("torch.cat() needs at least one tensor")
    first = tensors[0]
    i = dim(first, d)
    for t in tensors[1:]:
        if t.ndim != first.ndim or any(known_unequal(a, b) for k, (a, b) in
                                       enumerate(zip(first.shape, t.shape)) if k != i):
            raise ShapeError("torch.cat: shapes " + ", ".join(text(t.shape) for t in tensors)
                             + f" differ outside axis {d}")
    joined = sympy.expand(sum((t.shape[i] for t in tensors), sympy.Integer(0)))
    return first.with_shape(first.shape[:i] + (joined,) + first.shape[i + 1:])


def stack(tensors: Sequence[Tensor], d=0) -> Tensor:
    if not tensors:
        raise ShapeError("torch.stack() needs at least one tensor")
    first = tensors[0]
    for t in tensors[1:]:
        if t.ndim != first.ndim or any(known_unequal(a, b) for a, b in zip(first.shape, t.shape)):
            raise ShapeError("torch.stack: shapes " + ", ".join(text(t.shape) for t in tensors) + " differ")
    u = unsqueeze(first, d)
    i = dim(u, d)
    return u.with_shape(u.shape[:i] + (sympy.Integer(len(tensors)),) + u.shape[i + 1:])


def split(x: Tensor, size, d=0) -> list[Tensor]:
    """``x.split(size, dim)``: pieces of ``size`` (the last may be shorter), or of the given sizes."""
    i = dim(x, d)
    whole = x.shape[i]
    if isinstance(size, (list, tuple)):
        pieces = [as_size(s) for s in size]
        if known_unequal(sympy.expand(sum(pieces, sympy.Integer(0))), whole):
            raise ShapeError(f"split sizes {text(pieces)} do not add up to {whole}")
    else:
        size = as_size(size)
        count = sympy.ceiling(whole / size)
        if not count.is_Integer:
            raise ShapeError(f"split({size}) of a free size {whole} gives a count the reader cannot know")
        pieces = [size] * (int(count) - 1) + [whole - size * (int(count) - 1)]
    return [x.with_shape(x.shape[:i] + (p,) + x.shape[i + 1:]) for p in pieces]


def chunk(x: Tensor, chunks: int, d=0) -> list[Tensor]:
    """``x.chunk(n, dim)``: pieces of ⌈size/n⌉; a free size is taken to divide evenly, as
    the model's author intends (``qkv.chunk(3, dim=-1)``)."""
    i = dim(x, d)
    q = x.shape[i] / as_size(chunks)
    if q.is_number:
        return split(x, sympy.ceiling(q), d)
    return [x.with_shape(x.shape[:i] + (q,) + x.shape[i + 1:]) for _ in range(int(chunks))]


def matmul(a: Tensor, b: Tensor) -> tuple[Tensor, sympy.Expr]:
    """``a @ b`` and its multiply-accumulates (``torch.matmul``'s rules: vectors,
    matrices, and batches broadcast in front)."""
    sa, sb = a.shape, b.shape
    if not sa or not sb:
        raise ShapeError("matmul needs tensors of at least one axis")
    va, vb = len(sa) == 1, len(sb) == 1
    ma = (ONE,) + sa if va else sa
    mb = sb + (ONE,) if vb else sb
    if known_unequal(ma[-1], mb[-2]):
        raise ShapeError(f"matmul: {text(sa)} @ {text(sb)}: the inner sizes {ma[-1]} and {mb[-2]} differ")
    batch = broadcast(ma[:-2], mb[:-2])
    out = batch + (ma[-2], mb[-1])
    macs = sympy.expand(product(out) * ma[-1]) if out else ma[-1]
    if va:
        out = out[:-2] + out[-1:]
    if vb:
        out = out[:-1]
    return Tensor(out, a.dtype), macs


def index(x: Tensor, key) -> Tensor:
    """``x[key]`` with integers, slices, ``None`` and ``...``; tensors as keys select
    along an axis (a boolean mask is refused: its count is data)."""
    keys = list(key) if isinstance(key, tuple) else [key]
    if sum(1 for k in keys if k is Ellipsis) > 1:
        raise ShapeError("an index can hold only one ...")
    used = sum(1 for k in keys if k is not None and k is not Ellipsis)
    if used > x.ndim:
        raise ShapeError(f"too many indices ({used}) for a tensor of shape {text(x.shape)}")
    if Ellipsis in keys:
        at = keys.index(Ellipsis)
        keys = keys[:at] + [slice(None)] * (x.ndim - used) + keys[at + 1:]
    else:
        keys = keys + [slice(None)] * (x.ndim - used)
    out, axis = [], 0
    for k in keys:
        if k is None:
            out.append(ONE)
            continue
        size = x.shape[axis]
        axis += 1
        if isinstance(k, slice):
            out.append(_slice_length(size, k))
        elif isinstance(k, Tensor):
            out.extend(k.shape)
        elif isinstance(k, (int, sympy.Basic)) and not isinstance(k, bool):
            continue
        elif isinstance(k, list) and k and all(isinstance(i, int) and not isinstance(i, bool) for i in k):
            # x[:, [-1], :] (nanoGPT's last position, kept as an axis): one index per item
            if sum(1 for j in keys if isinstance(j, (list, Tensor))) > 1:
                raise ShapeError("several index lists or tensors in one index broadcast together, "
                                 "which the reader does not follow")
            out.append(sympy.Integer(len(k)))
        else:
            raise ShapeError(f"the index {k!r} is not one the reader follows")
    return x.with_shape(out)


def _slice_length(size, s: slice):
    start, stop, step = s.start, s.stop, s.step if s.step is not None else 1
    if start is None and stop is None and step == 1:
        return size
    if isinstance(step, sympy.Basic):
        step = int(step)
    if not isinstance(step, int) or step <= 0:
        raise ShapeError("a slice step must be a positive whole number")

    def clamp(v, default):
        if v is None:
            return default
        v = as_size(v)
        if v.is_number and v < 0:
            v = size + v
        if v.is_number and size.is_number:
            return sympy.Max(0, sympy.Min(v, size))
        return v
    lo, hi = clamp(start, sympy.Integer(0)), clamp(stop, size)
    length = sympy.ceiling((hi - lo) / step)
    if length.is_number:
        length = sympy.Max(length, 0)
    return sympy.simplify(length)


def conv_length(size, kernel, stride, padding, dilation, ceil_mode: bool = False) -> sympy.Expr:
    """``torch/nn/modules/conv.py`` and ``pooling.py``'s output length:
    ⌊(L + 2·p − d·(k − 1) − 1)/s⌋ + 1 (⌈ ⌉ with ``ceil_mode``), by the rule in force
    (:mod:`symparams.pytorch.window`)."""
    return window.rule().length(size, kernel, stride, padding, dilation, ceil_mode)


def positive(size, what: str) -> sympy.Expr:
    if size.has(sympy.zoo, sympy.nan, sympy.oo):
        # a window's length divided by a stride of 0; PyTorch: "non-positive stride is not supported"
        raise ShapeError(f"{what} divides by a stride of 0; a stride must be positive, as PyTorch requires")
    if size.is_number and size <= 0:
        raise ShapeError(f"{what} would be {size}: the input is too small")
    return size
