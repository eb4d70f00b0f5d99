"""The tensor operations of a PyTorch ``forward`` as operations on shapes: ``torch.*``,
``torch.nn.functional`` (``F.*``), a tensor's methods and attributes, and the operators.

Each raises :class:`~symparams.pytorch.tensor.ShapeError` when the shapes do not fit and
:class:`NotFollowed` for an operation the reader does not know; the reader turns either
into one line at the line of the call. Matrix products and convolutions count their
multiply-accumulates in the running trace (:func:`symparams.pytorch.trace.count`).
"""

from __future__ import annotations

from typing import Optional

import sympy

from ...core.dims import as_size, known_unequal
from ...core.parse import as_expr
from ...pytorch import tensor as T
from ...pytorch import trace
from ...pytorch.module import numel
from ...pytorch.tensor import ShapeError, Tensor, text


class NotFollowed(ValueError):
    """An operation outside what the reader follows (the message names it)."""


class Pair(tuple):
    """What ``torch.max(x, dim)``, ``x.sort()`` and ``x.topk(k)`` return: (values, indices),
    unpacked or read as ``.values`` and ``.indices`` (torch.return_types)."""

    @property
    def values(self):
        return self[0]

    @property
    def indices(self):
        return self[1]


def _pair(values: Tensor) -> Pair:
    """The values and their indices, which have the values' shape."""
    return Pair((values, Tensor(values.shape, "int64")))


#: elementwise functions: the output has the (broadcast) shape of the tensors
UNARY = {"relu", "relu_", "relu6", "sigmoid", "tanh", "gelu", "silu", "mish", "elu", "selu", "celu",
         "leaky_relu", "hardtanh", "hardswish", "hardsigmoid", "softplus", "softsign", "exp", "log",
         "sqrt", "rsqrt", "abs", "neg", "negative", "sin", "cos", "square", "reciprocal", "sign",
         "floor", "ceil", "round", "clamp", "clip", "dropout", "dropout1d", "dropout2d", "dropout3d",
         "alpha_dropout", "softmax", "log_softmax", "softmin", "normalize", "contiguous", "float",
         "double", "half", "bfloat16", "long", "int", "bool", "to", "type", "type_as", "detach",
         "clone", "cpu", "cuda", "tril", "triu", "masked_fill", "masked_fill_", "logsigmoid",
         "erf", "pow", "nan_to_num", "layer_norm", "group_norm", "batch_norm", "instance_norm",
         "rms_norm", "local_response_norm", "requires_grad_", "add_", "mul_", "zero_", "fill_",
         "sigmoid_", "tanh_", "exp_", "prelu", "rrelu", "threshold", "hardshrink", "softshrink",
         "tanhshrink", "logit", "cumsum", "cumprod", "flip", "roll", "float_power",
         "pin_memory"}
BINARY = {"add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide", "maximum",
          "minimum", "where", "eq", "ne", "lt", "le", "gt", "ge", "logical_and", "logical_or",
          "atan2", "fmod", "remainder", "hypot"}
REDUCE = {"sum", "mean", "amax", "amin", "prod", "std", "var", "logsumexp", "norm", "all", "any",
          "argmax", "argmin", "count_nonzero", "nansum", "nanmean"}
#: functions whose result is the values, or the (values, indices) pair, of a reduction
REDUCE_PAIR = {"max", "min", "median", "mode", "kthvalue"}
FACTORIES = {"zeros", "ones", "randn", "rand", "empty", "full", "Tensor", "FloatTensor",
             "LongTensor", "zeros_like", "ones_like", "randn_like", "rand_like", "empty_like",
             "full_like", "eye", "tensor", "arange", "linspace", "randint", "randperm", "as_tensor",
             "from_numpy", "triu_indices", "tril_indices", "new_zeros", "new_ones", "new_empty",
             "new_full", "new_tensor"}


def _arg(args, kwargs, i, *names, default=None):
    for n in names:
        if n in kwargs:
            return kwargs[n]
    return args[i] if len(args) > i else default


def _sizes(args: list) -> tuple:
    """``view(2, 3)`` or ``view((2, 3))``: the sizes either way."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        return tuple(args[0])
    return tuple(args)


def _tensor(value, what: str) -> Tensor:
    if not isinstance(value, Tensor):
        raise NotFollowed(f"{what} needs a tensor")
    return value


def _kind(path: str) -> str:
    return path.rsplit(".", 1)[-1]


# ---- making tensors ------------------------------------------------------------------------
def factory(name: str, args: list, kwargs: dict) -> Tensor:
    """``torch.zeros(3, 4)``, ``torch.arange(n)``... as the tensor's shape."""
    dtype = "int64" if name in ("arange", "randint", "randperm", "LongTensor") and not \
        any(isinstance(a, float) for a in args) else str(kwargs.get("dtype", "float32")).split(".")[-1]
    like = args[0] if args and isinstance(args[0], Tensor) else kwargs.get("input")
    if name.endswith("_like"):
        return _tensor(like, f"torch.{name}()").with_shape(like.shape)
    first = args[0] if args else kwargs.get("size", kwargs.get("end", kwargs.get("data", ())))
    if name in ("full", "new_full"):
        return Tensor(tuple(first) if isinstance(first, (tuple, list)) else (first,))
    if name == "eye":
        return Tensor((first, args[1] if len(args) > 1 else kwargs.get("m", first)))
    if name == "linspace":
        return Tensor((_arg(args, kwargs, 2, "steps"),))
    if name == "randint":
        size = _arg(args, kwargs, 2 if len(args) > 2 else 1, "size")
        return Tensor(tuple(size), "int64")
    if name == "randperm":
        return Tensor((first,), "int64")
    if name == "arange":
        # torch.arange(end) or (start, end[, step]): ⌈(end − start)/step⌉ values
        start, end = (0, first) if len(args) < 2 else (args[0], args[1])
        step = _arg(args, kwargs, 2, "step", default=1)
        length = sympy.ceiling((as_size(end) - as_size(start)) / as_expr(step))
        return Tensor((length,), dtype)
    if name in ("tensor", "as_tensor", "from_numpy", "new_tensor"):
        shape, data = [], first
        while isinstance(data, (list, tuple)):
            shape.append(len(data))
            data = data[0] if data else None
        return Tensor(tuple(shape), dtype)
    if name in ("triu_indices", "tril_indices"):
        raise NotFollowed(f"torch.{name}() has a length the reader does not work out")
    dims = _sizes(args)
    if any(not isinstance(d, (int, sympy.Basic)) or isinstance(d, bool) for d in dims):
        raise NotFollowed(f"torch.{name}() needs sizes")
    return Tensor(dims, dtype)


# ---- functions: torch.* and F.* ----------------------------------------------------------------
def function(path: str, args: list, kwargs: dict):
    """``torch.cat(...)``, ``F.relu(x)``... on shapes; ``NotImplemented`` when no tensor
    is involved and the name is not one that makes a tensor."""
    name = _kind(path)
    functional = ".functional." in path or path.startswith("F.")
    if name in FACTORIES and not functional:
        return factory(name, args, kwargs)
    if functional:
        out = _functional(name, args, kwargs)
        if out is not NotImplemented:
            return out
    return _shared(name, path, args, kwargs)


def _shared(name: str, path: str, args: list, kwargs: dict):
    """What ``torch.f(x, ...)`` and ``x.f(...)`` both mean."""
    x = args[0] if args else _arg(args, kwargs, 0, "input", "tensors")
    if name in ("cat", "concat", "concatenate", "stack", "hstack", "vstack"):
        items = list(_arg(args, kwargs, 0, "tensors"))
        d = _arg(args, kwargs, 1, "dim", "axis", default=0)
        if not all(isinstance(t, Tensor) for t in items):
            raise NotFollowed(f"torch.{name}() takes a list of tensors")
        if name == "hstack":
            d = 1 if items[0].ndim > 1 else 0
        return T.stack(items, d) if name == "stack" else T.cat(items, 0 if name == "vstack" else d)
    if name in ("matmul", "mm", "bmm", "mv", "dot", "inner"):
        a, b = _tensor(args[0], f"torch.{name}()"), _tensor(args[1], f"torch.{name}()")
        out, macs = T.matmul(a, b)
        trace.count(macs, "matrix products")
        return out
    if name in ("baddbmm", "addmm", "addbmm", "addmv"):
        a, b = _tensor(args[1], f"torch.{name}()"), _tensor(args[2], f"torch.{name}()")
        out, macs = T.matmul(a, b)
        trace.count(macs, "matrix products")
        return out.with_shape(T.broadcast(out.shape, _tensor(args[0], f"torch.{name}()").shape))
    if name == "einsum":
        raise NotFollowed("torch.einsum() is not followed; write it with @ or torch.matmul")
    if not isinstance(x, Tensor):
        return NotImplemented
    if name in UNARY:
        if name == "type" and not args[1:] and not kwargs:
            return "torch.FloatTensor"
        return x
    if name in BINARY:
        others = [a for a in list(args[1:3 if name == "where" else 2]) + list(kwargs.values()) if isinstance(a, Tensor)]
        return x.with_shape(T.broadcast(x.shape, *(o.shape for o in others))) if others else x
    if name in REDUCE or name in REDUCE_PAIR:
        d = _arg(args, kwargs, 1, "dim", "axis")
        if name == "norm":
            d = _arg(args, kwargs, 2, "dim")
        if isinstance(d, Tensor):         # torch.max(a, b): elementwise
            return x.with_shape(T.broadcast(x.shape, d.shape))
        keep = bool(_arg(args, kwargs, 2 if name != "norm" else 3, "keepdim", default=False))
        out = T.reduce(x, d, keep)
        return _pair(out) if name in REDUCE_PAIR and d is not None else out
    if name == "sort":
        return _pair(x)
    if name == "argsort":
        return x.with_shape(x.shape)
    if name in ("flatten",):
        return T.flatten(x, _arg(args, kwargs, 1, "start_dim", default=0), _arg(args, kwargs, 2, "end_dim", default=-1))
    if name == "unflatten":
        return T.unflatten(x, _arg(args, kwargs, 1, "dim"), _arg(args, kwargs, 2, "sizes"))
    if name in ("reshape", "view"):
        return T.view(x, _sizes(list(args[1:])) if len(args) > 1 else tuple(kwargs.get("shape", ())))
    if name in ("permute",):
        return T.permute(x, _sizes(list(args[1:])) if len(args) > 1 else kwargs.get("dims"))
    if name in ("transpose", "swapaxes", "swapdims"):
        return T.transpose(x, _arg(args, kwargs, 1, "dim0"), _arg(args, kwargs, 2, "dim1"))
    if name in ("t",):
        return T.transpose(x, 0, -1) if x.ndim == 2 else x
    if name == "unsqueeze":
        return T.unsqueeze(x, _arg(args, kwargs, 1, "dim"))
    if name == "squeeze":
        return T.squeeze(x, _arg(args, kwargs, 1, "dim"))
    if name in ("split", "tensor_split"):
        return T.split(x, _arg(args, kwargs, 1, "split_size_or_sections", "split_size"), _arg(args, kwargs, 2, "dim", default=0))
    if name == "chunk":
        return T.chunk(x, int(_arg(args, kwargs, 1, "chunks")), _arg(args, kwargs, 2, "dim", default=0))
    if name == "unbind":
        d = T.dim(x, _arg(args, kwargs, 1, "dim", default=0))
        count = x.shape[d]
        if not count.is_Integer:
            raise NotFollowed(f"unbind() over a free size {count} gives a number of tensors the reader cannot know")
        return tuple(x.with_shape(x.shape[:d] + x.shape[d + 1:]) for _ in range(int(count)))
    if name == "gather":
        return _tensor(_arg(args, kwargs, 2, "index"), "gather()")
    if name in ("index_select",):
        d = T.dim(x, _arg(args, kwargs, 1, "dim"))
        idx = _tensor(_arg(args, kwargs, 2, "index"), "index_select()")
        return x.with_shape(x.shape[:d] + idx.shape + x.shape[d + 1:])
    if name in ("topk",):
        k = _arg(args, kwargs, 1, "k")
        d = T.dim(x, _arg(args, kwargs, 2, "dim", default=-1))
        out = x.with_shape(x.shape[:d] + (as_size(k),) + x.shape[d + 1:])
        return _pair(out)
    if name == "one_hot":
        return Tensor(x.shape + (as_size(_arg(args, kwargs, 1, "num_classes")),), "int64")
    raise NotFollowed(f"the reader does not follow {path}()")


def _functional(name: str, args: list, kwargs: dict):
    """``torch.nn.functional``: the functions with their own shape rule."""
    x = _arg(args, kwargs, 0, "input")
    if name == "linear":
        w = _arg(args, kwargs, 1, "weight")
        x = _tensor(x, "F.linear()")
        w_shape = getattr(w, "shape", None)
        if w_shape is None or len(w_shape) != 2:
            raise NotFollowed("F.linear() needs a weight of two axes")
        if known_unequal(x.shape[-1], w_shape[1]):
            raise ShapeError(f"F.linear: input features {x.shape[-1]} and weight {text(w_shape)} differ")
        out = x.with_shape(x.shape[:-1] + (w_shape[0],))
        trace.count(out.numel * w_shape[1], "matrix products")
        return out
    if name == "scaled_dot_product_attention":
        q, k, v = (_tensor(_arg(args, kwargs, i, n), "F.scaled_dot_product_attention()")
                   for i, n in enumerate(("query", "key", "value")))
        if known_unequal(q.shape[-1], k.shape[-1]) or known_unequal(k.shape[-2], v.shape[-2]):
            raise ShapeError(f"F.scaled_dot_product_attention: query {text(q.shape)}, key {text(k.shape)} "
                             f"and value {text(v.shape)} do not fit")
        batch = T.broadcast(q.shape[:-2], k.shape[:-2], v.shape[:-2])
        length, keys = q.shape[-2], k.shape[-2]
        # Q·Kᵀ and the weights times V, every query–key pair (is_causal masks, it does not skip)
        trace.count(numel(batch) * length * keys * (q.shape[-1] + v.shape[-1]), "attention products")
        return Tensor(batch + (length, v.shape[-1]), q.dtype)
    if name in ("conv1d", "conv2d", "conv3d"):
        rank = int(name[4])
        x = _tensor(x, f"F.{name}()")
        w = _arg(args, kwargs, 1, "weight")
        w_shape = tuple(getattr(w, "shape", ()))
        if len(w_shape) != rank + 2:
            raise NotFollowed(f"F.{name}() needs a weight of {rank + 2} axes")
        groups = as_size(_arg(args, kwargs, 6, "groups", default=1))
        stride = _per_axis(_arg(args, kwargs, 3, "stride", default=1), rank)
        padding = _arg(args, kwargs, 4, "padding", default=0)
        dilation = _per_axis(_arg(args, kwargs, 5, "dilation", default=1), rank)
        if known_unequal(x.shape[-rank - 1], w_shape[1] * groups):
            raise ShapeError(f"F.{name}: input channels {x.shape[-rank - 1]} do not fit weight {text(w_shape)}")
        sizes = []
        for i, length in enumerate(x.shape[-rank:]):
            if padding == "same":
                sizes.append(length)
            else:
                p = 0 if padding == "valid" else _per_axis(padding, rank)[i]
                sizes.append(T.positive(T.conv_length(length, w_shape[2 + i], stride[i], p, dilation[i]), f"F.{name}'s output"))
        out = x.with_shape(x.shape[:-rank - 1] + (w_shape[0],) + tuple(sizes))
        trace.count(out.numel * numel(w_shape[1:]), "convolutions")
        return out
    if name in ("max_pool1d", "max_pool2d", "max_pool3d", "avg_pool1d", "avg_pool2d", "avg_pool3d"):
        rank = int(name[-2])
        x = _tensor(x, f"F.{name}()")
        kernel = _per_axis(_arg(args, kwargs, 1, "kernel_size"), rank)
        stride_arg = _arg(args, kwargs, 2, "stride")
        stride = kernel if stride_arg in (None, [], ()) else _per_axis(stride_arg, rank)
        padding = _per_axis(_arg(args, kwargs, 3, "padding", default=0), rank)
        is_max = name.startswith("max")
        dilation = _per_axis(_arg(args, kwargs, 4, "dilation", default=1), rank) if is_max else (1,) * rank
        ceil = bool(_arg(args, kwargs, 5 if is_max else 4, "ceil_mode", default=False))
        sizes = tuple(T.positive(T.conv_length(length, kernel[i], stride[i], padding[i], dilation[i], ceil),
                                 f"F.{name}'s output") for i, length in enumerate(x.shape[-rank:]))
        out = x.with_shape(x.shape[:-rank] + sizes)
        return (out, out) if is_max and _arg(args, kwargs, 6, "return_indices", default=False) else out
    if name.startswith("adaptive_") and name[-2:] in ("1d", "2d", "3d"):
        rank = int(name[-2])
        x = _tensor(x, f"F.{name}()")
        size = _arg(args, kwargs, 1, "output_size")
        sizes = tuple(size) if isinstance(size, (tuple, list)) else (size,) * rank
        return x.with_shape(x.shape[:-rank] + tuple(length if s is None else as_size(s)
                                                    for s, length in zip(sizes, x.shape[-rank:])))
    if name == "interpolate" or name == "upsample":
        x = _tensor(x, "F.interpolate()")
        rank = x.ndim - 2
        size = _arg(args, kwargs, 1, "size")
        if size is not None:
            return x.with_shape(x.shape[:2] + _per_axis(size, rank))
        factor = _arg(args, kwargs, 2, "scale_factor")
        factors = factor if isinstance(factor, (list, tuple)) else (factor,) * rank
        return x.with_shape(x.shape[:2] + tuple(sympy.floor(length * as_expr(f))
                                                for length, f in zip(x.shape[2:], factors)))
    if name == "pad":
        x = _tensor(x, "F.pad()")
        pad = list(_arg(args, kwargs, 1, "pad"))
        shape = list(x.shape)
        for i in range(len(pad) // 2):
            axis = len(shape) - 1 - i
            shape[axis] = sympy.expand(shape[axis] + pad[2 * i] + pad[2 * i + 1])
        return x.with_shape(shape)
    if name == "embedding":
        w = _arg(args, kwargs, 1, "weight")
        return Tensor(_tensor(x, "F.embedding()").shape + (tuple(w.shape)[1],))
    if name == "glu":
        x = _tensor(x, "F.glu()")
        d = T.dim(x, _arg(args, kwargs, 1, "dim", default=-1))
        return x.with_shape(x.shape[:d] + (x.shape[d] / 2,) + x.shape[d + 1:])
    if name in ("cross_entropy", "nll_loss", "mse_loss", "l1_loss", "binary_cross_entropy",
                "binary_cross_entropy_with_logits", "smooth_l1_loss", "kl_div"):
        return Tensor(())
    if name == "cosine_similarity":
        a, b = _tensor(args[0], "F.cosine_similarity()"), _tensor(args[1], "F.cosine_similarity()")
        return T.reduce(a.with_shape(T.broadcast(a.shape, b.shape)), _arg(args, kwargs, 2, "dim", default=1))
    if name == "flatten":
        return T.flatten(_tensor(x, "F.flatten()"), _arg(args, kwargs, 1, "start_dim", default=0))
    return NotImplemented


def _per_axis(value, rank: int) -> tuple:
    if isinstance(value, (list, tuple)):
        return tuple(as_size(v) for v in value)
    return (as_size(value),) * rank


# ---- a tensor's attributes and methods ------------------------------------------------------
def attribute(x: Tensor, attr: str):
    """``x.shape``, ``x.ndim``, ``x.T``...; None for a method name."""
    if attr == "shape":
        return tuple(x.shape)
    if attr == "ndim":
        return x.ndim
    if attr == "dtype":
        return f"torch.{x.dtype}"
    if attr == "device":
        return "cpu"
    if attr in ("T", "mT"):
        return x.with_shape(tuple(reversed(x.shape))) if attr == "T" else T.transpose(x, -2, -1)
    if attr in ("is_cuda", "requires_grad"):
        return False
    if attr == "data":
        return x
    return None


def method(x: Tensor, name: str, args: list, kwargs: dict):
    """``x.view(...)``, ``x.size(1)``... on shapes."""
    if name == "size":
        d = _arg(args, kwargs, 0, "dim")
        return tuple(x.shape) if d is None else x.shape[T.dim(x, d)]
    if name == "dim" or name == "ndimension":
        return x.ndim
    if name == "numel" or name == "nelement":
        return x.numel
    if name in ("item", "tolist"):
        raise NotFollowed(f"x.{name}() reads the tensor's values, which the reader does not know")
    if name == "expand":
        sizes = _sizes(args)
        lead = len(sizes) - x.ndim
        out = [as_size(s) if not (s == -1) else x.shape[i - lead] for i, s in enumerate(sizes)]
        return x.with_shape(T.broadcast(x.shape, tuple(out)))
    if name == "repeat":
        sizes = _sizes(args)
        shape = (sympy.Integer(1),) * (len(sizes) - x.ndim) + x.shape
        return x.with_shape(tuple(sympy.expand(a * as_size(b)) for a, b in zip(shape, sizes)))
    if name in ("view_as", "reshape_as", "expand_as"):
        # the shape of the other tensor (torch/_tensor.py: view_as is view(other.size())):
        # never a no-op, x.mean(-1, keepdim=True).expand_as(x) widens x back
        other = _arg(args, kwargs, 0, "other")
        if not isinstance(other, Tensor):
            raise NotFollowed(f"x.{name}() takes a tensor")
        if name == "expand_as":
            return x.with_shape(T.broadcast(x.shape, other.shape))
        return method(x, name[:-3], list(other.shape), {})
    if name in ("new_zeros", "new_ones", "new_empty", "new_full", "new_tensor"):
        return factory(name, args, kwargs)
    if name in ("view", "reshape") and len(args) == 1 and isinstance(args[0], str):
        return x                  # x.view(torch.float16): a dtype, not a shape
    if name in ("permute", "view", "reshape") and args:
        return _shared(name, name, [x, *args], kwargs)
    return _shared(name, f"x.{name}", [x, *args], kwargs)


def operator(op: str, left, right) -> Tensor:
    """``a + b``, ``a @ b``, ``-a``: broadcasting, or a matrix product."""
    if op == "@":
        a, b = _tensor(left, "@"), _tensor(right, "@")
        out, macs = T.matmul(a, b)
        trace.count(macs, "matrix products")
        return out
    tensors = [v for v in (left, right) if isinstance(v, Tensor)]
    if len(tensors) == 1:
        return tensors[0]
    return tensors[0].with_shape(T.broadcast(left.shape, right.shape))


def index(x: Tensor, key) -> Tensor:
    return T.index(x, key)


