"""The Keras API as the reader knows it: which names are layer classes, which are
functions (``Sequential``, ``Model``, ``Input``, the merge functions, Keras 1's ``merge``,
the backend's ``K.*``), which keywords a layer class takes, and the tables of names the
host's parts look up (import roots, model methods that change nothing, wrappers of other
frameworks). The functions of :data:`KERAS_API` and :data:`BACKEND` take the host first.
"""

from __future__ import annotations

import difflib
import inspect
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ...keras import layers as L
from ...keras.layers.base import COMMON_INERT, Layer, Tensor, clear_session
from . import legacy
from ..python.builtins import BUILTINS
from ..python.values import Builtin

KERAS_ROOTS = ("keras", "tensorflow", "tf", "tf_keras")


@dataclass(frozen=True)
class LayerClass:
    """A layer class as the file names it (``Dense``, ``Convolution2D``)."""

    name: str


# --------------------------------------------------------------------------
# What names mean

_LAYER_NAMES: dict[str, type] = dict(L.LAYERS)
_KERAS1_ONLY = {"TimeDistributedDense", "Merge", "MaxoutDense", "Highway", "AtrousConvolution1D",
                "AtrousConvolution2D", "Deconvolution2D", "Deconvolution3D", "SeparableConvolution2D"}
_MERGE_FUNCTIONS = {"add": "Add", "subtract": "Subtract", "multiply": "Multiply",
                    "average": "Average", "maximum": "Maximum", "minimum": "Minimum",
                    "concatenate": "Concatenate", "dot": "Dot"}
_IGNORED_METHODS = {"compile", "fit", "fit_generator", "evaluate", "evaluate_generator", "predict",
                    "predict_generator", "predict_on_batch", "train_on_batch", "test_on_batch",
                    "save", "save_weights", "load_weights", "summary", "to_json", "to_yaml",
                    "get_config", "get_weights", "set_weights", "build", "reset_states",
                    "reset_metrics", "compute_output_shape", "export", "make_predict_function"}


@lru_cache(maxsize=None)
def accepted_arguments(cls: type) -> frozenset[str]:
    """Every keyword a layer class takes (its own, its bases', and the shape-inert ones)."""
    names: set[str] = set(COMMON_INERT) | set(getattr(cls, "inert_args", ()))
    for klass in cls.__mro__:
        init = klass.__dict__.get("__init__")
        if init is None:
            continue
        for p in inspect.signature(init).parameters.values():
            if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) and p.name != "self":
                names.add(p.name)
    return frozenset(names)


def own_arguments(cls: type) -> frozenset[str]:
    """The keywords a layer class's own constructors take, not those every layer takes
    (``input_dim`` there is Keras 2's input shape; Embedding's own is its vocabulary)."""
    names: set[str] = set()
    for klass in cls.__mro__:
        init = klass.__dict__.get("__init__")
        if klass is Layer or init is None:
            continue
        names.update(p.name for p in inspect.signature(init).parameters.values()
                     if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) and p.name != "self")
    return frozenset(names)


#: a module name people use without importing it, and the import that binds it
IMPORTS = {"layers": "from keras import layers", "keras": "import keras", "tf": "import tensorflow as tf",
           "K": "from keras import backend as K", "models": "from keras import models"}


def missing_import(path: str) -> str:
    """``; `layers` is not defined: add `from keras import layers` at the top`` for an opaque
    ``layers.Conv2D()`` whose module was never imported (the file read it as a free name)."""
    root = str(path).split(".")[0].split("(")[0]
    if root in IMPORTS and "." in str(path):
        return f"; `{root}` is not defined: add `{IMPORTS[root]}` at the top of the file"
    return ""


#: keras.activations' functions (keras/src/activations/__init__.py, ALL_OBJECTS): a layer
#: class named after one (tensorflow_addons' GELU) is that activation, without weights
ACTIVATIONS = frozenset({
    "relu", "leaky_relu", "relu6", "softmax", "celu", "elu", "selu", "softplus", "softsign",
    "squareplus", "soft_shrink", "sparse_plus", "silu", "gelu", "glu", "tanh", "tanh_shrink",
    "threshold", "sigmoid", "sparse_sigmoid", "exponential", "hard_sigmoid", "hard_silu",
    "hard_tanh", "hard_shrink", "linear", "mish", "log_softmax", "log_sigmoid", "swish",
    "hard_swish"})


def activation_named(name: str):
    """The activation a layer class is named after (``GELU`` → ``gelu``, ``HardSwish`` →
    ``hard_swish``), or None."""
    import re
    snake = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()
    for candidate in (name.lower(), snake):
        if candidate in ACTIVATIONS:
            return candidate
    return None


def closest(name: str, candidates) -> str:
    activation = activation_named(name)
    if activation is not None:
        # never a layer with weights (GELU is not GRU): the activation it names
        return f"; {name} is the activation {activation}, which has no weights: write " \
               f"layers.Activation(\"{activation}\")"
    found = difflib.get_close_matches(name, list(candidates), n=3, cutoff=0.5)
    return f"; closest supported: {', '.join(found)}" if found else ""



_FOREIGN_WRAPPERS = {"TorchModuleWrapper": "a PyTorch module", "JaxLayer": "a JAX function",
                     "FlaxLayer": "a Flax module", "TFSMLayer": "a TensorFlow SavedModel"}

_OPS_MODULES = {"ops", "backend", "K", "math", "nn", "linalg", "numpy", "activations", "tf",
                "tensorflow"}


def _is_ops_path(path: str) -> bool:
    """Whether functions in this module are tensor functions (keras.ops, K, tf, tf.math...)."""
    parts = path.split(".")
    return (parts[0] in KERAS_ROOTS or parts[0] == "K") and parts[-1] in _OPS_MODULES \
        and "layers" not in parts



_PY2_BUILTINS = frozenset({"range", "xrange", "zip", "map", "filter", "input", "reduce"}) & set(BUILTINS)

_LIST_METHODS = frozenset({"append", "extend", "insert", "pop", "update", "setdefault", "keys",
                           "items", "values"})



# ---- the Keras API (names that are not layer classes) ------------------------------


def _sequential(host, args, kwargs, node):
    return host.make_sequential(list(args), dict(kwargs), node)


def _model(host, args, kwargs, node):
    return host.make_model(list(args), dict(kwargs), node)


def _input(host, args, kwargs, node):
    return host.make_input(list(args), dict(kwargs), node)


def _merge_fn(cls_name):
    def fn(host, args, kwargs, node):
        return host.make_merge(cls_name, list(args), dict(kwargs), node)
    return fn


def _keras1_merge(host, args, kwargs, node):
    inputs = kwargs.pop("inputs", args[0] if args else None)
    mode = kwargs.pop("mode", args[1] if len(args) > 1 else "sum")
    try:
        cls_name, layer_kwargs = legacy.merge_layer(mode, kwargs)
    except ValueError as exc:
        raise host.error(str(exc), node) from None
    layer = host.construct(cls_name, [], layer_kwargs, node)
    return host.call_layer(layer, [inputs], {}, node)


KERAS_API: dict[str, Any] = {
    "Sequential": Builtin("Sequential", _sequential),
    "Model": Builtin("Model", _model),
    "Functional": Builtin("Functional", _model),
    "Input": Builtin("Input", _input),
    "merge": Builtin("merge", _keras1_merge),
    **{name: Builtin(name, _merge_fn(cls)) for name, cls in _MERGE_FUNCTIONS.items()},
}


def _set_format(value_map):
    def fn(host, args, kwargs, node):
        value = args[0] if args else None
        host.data_format = value_map.get(value, value)
        return None
    return fn


def _int_shape(host, args, kwargs, node):
    if not isinstance(args[0], Tensor):
        raise host.error("int_shape() needs a tensor", node)
    return host.get_attribute(args[0], "shape", node)


def _clear(host, args, kwargs, node):
    clear_session()
    return None


BACKEND = {
    "set_image_dim_ordering": _set_format({"th": "channels_first", "tf": "channels_last"}),
    "set_image_data_format": _set_format({}),
    "image_data_format": lambda h, a, k, n: h.data_format or "channels_last",
    "image_dim_ordering": lambda h, a, k, n: "th" if h.data_format == "channels_first" else "tf",
    "int_shape": _int_shape,
    "clear_session": _clear,
}
