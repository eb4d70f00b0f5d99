"""The tensor functions of Keras code, under every spelling, as operations on shapes.

``keras.ops.sum``, the Keras 2 backend's ``K.sum`` and TensorFlow's
``tf.reduce_sum`` are one operation with three argument orders. This table
maps each spelling to a class of :mod:`symparams.layers.ops` and says where
its arguments are; :func:`apply` calls the operation on the tensors.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Optional

import sympy

from ...core.dims import as_size
from ...keras.layers import ops
from ...keras.layers.base import Tensor

# Keras's operation class for each function (keras/src/ops/numpy.py, nn.py, core.py).
BINARY = {
    "add": "Add", "subtract": "Subtract", "multiply": "Multiply", "divide": "Divide",
    "true_divide": "TrueDivide", "maximum": "Maximum", "minimum": "Minimum", "power": "Power",
    "pow": "Power", "floor_divide": "FloorDivide", "mod": "Mod", "squared_difference": "SquaredDifference",
    "equal": "Equal", "not_equal": "NotEqual", "greater": "Greater", "less": "Less",
    "greater_equal": "GreaterEqual", "less_equal": "LessEqual", "logical_and": "LogicalAnd",
    "logical_or": "LogicalOr", "where": "Where", "truediv": "TrueDivide",
}
UNARY = {
    "abs": "Absolute", "absolute": "Absolute", "sqrt": "Sqrt", "square": "Square", "exp": "Exp",
    "log": "Log", "negative": "Negative", "sign": "Sign", "relu": "Relu", "relu6": "Relu6",
    "sigmoid": "Sigmoid", "tanh": "Tanh", "softmax": "Softmax", "log_softmax": "LogSoftmax",
    "softplus": "Softplus", "softsign": "Softsign", "gelu": "Gelu", "silu": "Silu", "swish": "Silu",
    "elu": "Elu", "selu": "Selu", "leaky_relu": "LeakyRelu", "hard_sigmoid": "HardSigmoid",
    "rsqrt": "Rsqrt", "erf": "Erf", "floor": "Floor", "ceil": "Ceil", "round": "Round",
    "cos": "Cos", "sin": "Sin", "clip": "Clip", "clip_by_value": "Clip", "cast": "Cast",
    "stop_gradient": "StopGradient", "l2_normalize": "Normalize", "normalize": "Normalize",
    "identity": "Identity", "convert_to_tensor": "ConvertToTensor", "zeros_like": "ZerosLike",
    "ones_like": "OnesLike", "expm1": "Expm1", "log1p": "Log1p", "reciprocal": "Reciprocal",
    "cumsum": "Cumsum", "cumprod": "Cumprod", "dropout": "Dropout", "logical_not": "LogicalNot",
    "nan_to_num": "NanToNum", "copy": "Copy",
}
REDUCE = {
    "sum": "Sum", "reduce_sum": "Sum", "mean": "Mean", "reduce_mean": "Mean", "max": "Max",
    "reduce_max": "Max", "amax": "Max", "min": "Min", "reduce_min": "Min", "amin": "Min",
    "prod": "Prod", "reduce_prod": "Prod", "std": "Std", "reduce_std": "Std", "var": "Var",
    "reduce_variance": "Var", "argmax": "Argmax", "argmin": "Argmin", "logsumexp": "Logsumexp",
    "reduce_logsumexp": "Logsumexp", "any": "Any", "all": "All", "reduce_any": "Any",
    "reduce_all": "All", "norm": "Norm",
}
#: functions that make a tensor from sizes
CONSTANTS = {"arange", "range", "zeros", "ones", "full", "empty", "eye", "random_normal",
             "random_uniform"}
OTHER = {"reshape", "transpose", "permute_dimensions", "concatenate", "concat", "stack",
         "expand_dims", "squeeze", "matmul", "dot", "batch_flatten", "flatten", "shape",
         "int_shape", "epsilon", "backend"}
NAMES = frozenset(BINARY) | frozenset(UNARY) | frozenset(REDUCE) | CONSTANTS | OTHER


@dataclass(frozen=True)
class TensorFunction:
    """A tensor function as the file reaches it (``ops.sum``, ``K.sum``, ``tf.reduce_sum``)."""

    name: str
    path: str


def is_tensor(value) -> bool:
    return isinstance(value, Tensor)


def _arg(args: list, kwargs: dict, index: int, *names: str, default=None):
    for n in names:
        if n in kwargs:
            return kwargs[n]
    return args[index] if len(args) > index else default


def _int(value, what: str):
    if isinstance(value, sympy.Basic) and value.is_Integer:
        return int(value)
    if isinstance(value, (list, tuple)):
        return tuple(_int(v, what) for v in value)
    if value is None or isinstance(value, int):
        return value
    raise ValueError(f"{what} must be a whole number, got {value}")


class OpError(ValueError):
    """A tensor function called in a way the reader cannot follow (the message says why)."""


def apply(fn: TensorFunction, args: list, kwargs: dict, name: Callable[[str], Optional[str]]):
    """Call the operation; ``name(keras_type)`` gives the node's name (None: Keras's automatic one).

    Returns a tensor, a Python value (``shape``, ``epsilon``), or raises
    :class:`OpError`. Returns ``NotImplemented`` when no tensor is involved
    and the function is a plain number function (``K.sqrt(2.0)``).
    """
    f = fn.name
    tensors = [a for a in args if is_tensor(a)]
    if f == "epsilon":
        return 1e-7
    if f == "backend":
        return "tensorflow"
    if f in ("shape", "int_shape"):
        x = args[0] if args else None
        if not is_tensor(x):
            raise OpError("it needs a tensor")
        return tuple(None if s is None else (int(s) if s.is_Integer else s) for s in x.shape)
    if f in CONSTANTS:
        return _constant(fn, args, kwargs, name)
    if f in BINARY:
        operands = [a for a in args[:3 if f == "where" else 2] if is_tensor(a)]
        if not operands:
            return NotImplemented
        return _call(ops.Elementwise(BINARY[f], name=name(BINARY[f])), operands)
    if f in UNARY:
        x = _arg(args, kwargs, 0, "x", "inputs", "features", "t", "input")
        if not is_tensor(x):
            # cast(8, "float32") of a plain number is that number
            if f in ("cast", "convert_to_tensor", "identity", "stop_gradient") and \
                    isinstance(x, (int, float, sympy.Basic)) and not isinstance(x, bool):
                return x
            return NotImplemented
        return _call(ops.Unary(UNARY[f], name=name(UNARY[f])), [x])
    if f in REDUCE:
        x = _arg(args, kwargs, 0, "x", "input_tensor", "input", "tensor")
        if not is_tensor(x):
            return NotImplemented
        position = 2 if f == "norm" else 1
        axis = _int(_arg(args, kwargs, position, "axis"), "axis")
        keep = _arg(args, kwargs, position + 1, "keepdims", "keep_dims", default=False)
        if f in ("argmax", "argmin") and fn.path.split(".")[0] in ("tf", "tensorflow") and axis is None:
            axis = 0  # tf.argmax's default axis
        return _call(ops.Reduce(REDUCE[f], axis=axis, keepdims=bool(keep), name=name(REDUCE[f])), [x])
    if not tensors and f not in ("concatenate", "concat", "stack"):
        return NotImplemented
    if f == "reshape":
        shape = _arg(args, kwargs, 1, "newshape", "new_shape", "shape")
        if not isinstance(shape, (tuple, list)):
            shape = (shape,)
        return _call(ops.ReshapeOp(tuple(_size_or_none(s) for s in shape), name=name("Reshape")), [args[0]])
    if f in ("transpose", "permute_dimensions"):
        axes = _int(_arg(args, kwargs, 1, "axes", "perm", "pattern"), "axes")
        return _call(ops.Transpose(axes, name=name("Transpose")), [args[0]])
    if f in ("concatenate", "concat", "stack"):
        items = _arg(args, kwargs, 0, "xs", "tensors", "values", "x", "arrays")
        # The Keras 2 backend joins on the last axis by default; keras.ops and tf on the first.
        default = -1 if fn.path.rsplit(".", 1)[0].split(".")[-1] in ("K", "backend") else 0
        axis = _int(_arg(args, kwargs, 1, "axis", default=default), "axis")
        if not isinstance(items, (list, tuple)) or not all(is_tensor(t) for t in items):
            raise OpError("it takes a list of tensors")
        cls = ops.Stack if f == "stack" else ops.ConcatenateOp
        return _call(cls(axis, name=name("Stack" if f == "stack" else "Concatenate")), list(items))
    if f == "expand_dims":
        axis = _int(_arg(args, kwargs, 1, "axis", default=-1), "axis")
        return _call(ops.ExpandDims(axis, name=name("ExpandDims")), [args[0]])
    if f == "squeeze":
        axis = _int(_arg(args, kwargs, 1, "axis"), "axis")
        return _call(ops.Squeeze(axis, name=name("Squeeze")), [args[0]])
    if f in ("matmul", "dot"):
        a, b = _arg(args, kwargs, 0, "x1", "a", "x"), _arg(args, kwargs, 1, "x2", "b", "y")
        if not (is_tensor(a) and is_tensor(b)):
            raise OpError("a matrix product needs two tensors")
        return _call(ops.Matmul(bool(kwargs.get("transpose_b", False)), name=name("Matmul")), [a, b])
    if f in ("batch_flatten", "flatten"):
        if f == "flatten":
            return _call(ops.ReshapeOp((-1,), name=name("Reshape")), [args[0]])
        return _call(ops.Flatten2D(name=name("BatchFlatten")), [args[0]])
    raise OpError("the reader does not follow this function")


def _size_or_none(s):
    if s is None or (isinstance(s, int) and s == -1):
        return s
    if isinstance(s, sympy.Basic) and s == -1:
        return -1
    return as_size(s)


def _call(op, tensors: list):
    try:
        return op(*tensors) if len(tensors) > 1 else op(tensors[0])
    except (TypeError, ValueError) as exc:
        raise OpError(str(exc)) from None


def _constant(fn: TensorFunction, args: list, kwargs: dict, name) -> Tensor:
    f = fn.name
    if f in ("arange", "range"):
        start = _arg(args, kwargs, 0, "start")
        stop = _arg(args, kwargs, 1, "stop", "limit")
        step = _arg(args, kwargs, 2, "step", "delta", default=1)
        if stop is None:
            start, stop = 0, start
        if step != 1:
            raise OpError("a step other than 1 is not supported")
        length = as_size(stop) - as_size(start or 0)
        shape: Any = (length,)
    elif f == "eye":
        n = _arg(args, kwargs, 0, "N", "num_rows")
        m = _arg(args, kwargs, 1, "M", "num_columns", default=n)
        shape = (n, m)
    else:
        shape = _arg(args, kwargs, 0, "shape")
        if not isinstance(shape, (tuple, list)):
            shape = (shape,)
        if any(s is None for s in shape):
            raise OpError("it needs a shape of known sizes")
    keras_type = {"arange": "Arange", "range": "Arange"}.get(f, f.title().replace("_", ""))
    return ops.Constant(shape, keras_type, name=name(keras_type)).output
