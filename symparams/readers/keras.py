"""Read Keras 1, 2 and 3 source into symparams models, without running it.

:func:`read_source` parses the file with ``ast`` and interprets it with
:class:`~symparams.readers.interpreter.Interpreter`; this module supplies what
the names mean: the Keras API (under any import spelling, or none), Python
builtins, and the attributes of models, layers and tensors that model code
uses. Names the file never binds become positive integer symbols.
"""

from __future__ import annotations

import ast
import difflib
import inspect
import re
import sys
import time
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Optional

import sympy

from .. import layers as L
from ..dims import symbol
from ..errors import ModelError, ReadError, ShapeError, SymparamsError
from ..layers.base import (COMMON_INERT, Layer, Tensor, UnknownArgumentError, auto_name,
                           clear_session, naming_scope, to_snake_case)
from ..layers.base import describe as describe_shape
from ..layers.core import placeholder
from ..layers.ops import constant, get_item
from ..layers.user import fill, slot_labels, user_layer
from ..model import Functional, Input, Sequential, TracedBlock, UserModel
from . import legacy, tensor_ops
from .dialect import Dialect
from .dialect import guess as guess_dialect
from .tensor_ops import OpError, TensorFunction
from .builtins import BUILTINS, MATH, MATH_FUNCTIONS, NUMPY_FUNCTIONS, SAFE_METHODS
from .builtins import call_method as call_safe_method
from .interpreter import Interpreter, Scope, _Break, _Continue, python_message
from .limits import Limits
from .source import parse
from .hostkit import guarded_instance, python_item, sized
from .subs import binding_value
from .values import (BoundFunction, BoundMethod, Builtin, FreeName, Instance, Namespace, Opaque,
                     OpaqueShape, Super,
                     SymbolicRange, UserClass, UserFunction)

_LoopControl = (_Break, _Continue)

KERAS_ROOTS = ("keras", "tensorflow", "tf", "tf_keras")


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
                      tree: Optional[ast.Module] = None) -> ReadResult:
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
        raise ReadError(f"--subs {', '.join(sorted(unused))}: the file never uses "
                        f"{'this name' if len(unused) == 1 else 'these names'}", filename)
    if not reader.built:
        raise ReadError("no Keras model is built in this file (no Sequential or Model)", filename)
    notes = [dialect.note()] if dialect.version < 3 or dialect.given else []
    return ReadResult(filename, reader.named_models, reader.built, reader.warnings, reader.free_names,
                      notes, dialect.version)



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


def closest(name: str, candidates) -> str:
    found = difflib.get_close_matches(name, list(candidates), n=3, cutoff=0.5)
    return f"; closest supported: {', '.join(found)}" if found else ""


class KerasReader:
    """The interpreter's :class:`~symparams.readers.host.Host` for Keras 1, 2 and 3 code."""

    def __init__(self, filename: str, bindings: dict, strict: bool, real_names: set[str],
                 limits: Limits, deadline: Optional[float] = None, input_shape: Optional[tuple] = None,
                 dialect: Dialect = Dialect(3)):
        self.filename = filename
        self.input_shape = input_shape
        self.dialect = dialect
        self.bindings = bindings
        self.strict = strict
        self.real_names = real_names
        self.limits = limits
        self.layers_made = 0
        self.interp = Interpreter(self, filename, limits, deadline)
        self.warnings: list[str] = []
        self.named_models: dict[str, Functional] = {}
        self.built: list[Functional] = []
        self.used_bindings: set[str] = set()
        self.free_names: set[str] = set()
        self.wants_real: set[str] = set()
        self.classes: dict[str, int] = {}
        self.data_format: Optional[str] = None
        self.root = Scope()
        #: the file's class of each object made from one (Keras layers and models included)
        self.class_of: dict[int, UserClass] = {}
        #: the layers whose ``call`` (or Lambda function) is being traced, innermost last;
        #: operations there take no automatic names
        self.tracing: list[str] = []
        self.trace_names: dict[str, int] = {}

    def run(self, tree: ast.Module) -> None:
        try:
            self.interp.run(tree, self.root)
            self.give_inputs()
        except ReadError:
            raise
        except ShapeError as exc:
            raise self.error(str(exc)) from None
        except SymparamsError as exc:
            raise self.error(str(exc)) from None
        except RecursionError:
            raise self.error("the file's calls and expressions nest too deeply for the reader "
                             f"(calls nest at most {self.limits.call_depth} deep, code "
                             f"{self.limits.nesting} levels)") from None

    def give_inputs(self) -> None:
        """Models the file never gives an input: ``--input-shape``, or sizes named for a subclassed model."""
        for model in list(self.built):
            if isinstance(model, UserModel) and not model.called:
                shape = self.input_shape or self.assumed_input(model)
                if self.input_shape is None:
                    self.warn(f"model {model.name!r} is never called on an input; symparams takes its "
                              f"input as {describe_shape((None, *shape))} (give --input-shape to set it)")
                model(placeholder((None, *shape), self.trace_name("inputs")))
            elif isinstance(model, Sequential) and model.graph is None and model.layers \
                    and self.input_shape is not None:
                model.build((None, *self.input_shape))

    def assumed_input(self, model) -> tuple:
        first = model.layers[0] if model.layers else None
        rank = getattr(first, "input_rank", None) or 2
        names = getattr(first, "input_sizes", None) or \
            {2: ("input_dim",), 3: ("steps", "input_dim"), 4: ("height", "width", "channels"),
             5: ("depth", "height", "width", "channels")}.get(rank, tuple(f"d{i}" for i in range(1, rank)))
        for n in names:
            self.free_names.add(n)
        return tuple(symbol(n) for n in names)

    # ---- reporting -----------------------------------------------------------
    def error(self, message: str, node=None) -> ReadError:
        return self.interp.error(message, node)

    def warn(self, message: str, node=None) -> None:
        line = getattr(node, "lineno", None) or self.interp.line
        text = f"{self.filename}:{line}: warning: {message}"
        if text not in self.warnings:
            self.warnings.append(text)

    def describe(self, value) -> str:
        if isinstance(value, Tensor):
            return "a tensor"
        if isinstance(value, Layer):
            return f"layer {value.name!r}"
        if isinstance(value, FreeName):
            return f"the free name {value.path!r}"
        if isinstance(value, Opaque):
            return value.path
        if isinstance(value, OpaqueShape):
            return f"{value.shape.path}[{value.start}:]"
        if isinstance(value, Namespace):
            return f"the module {value.path}"
        if isinstance(value, UserFunction):
            return f"the function {value.name}"
        if isinstance(value, sympy.Basic):
            return str(value)
        if isinstance(value, (BoundMethod, Builtin)):
            return f"the function {value.name}"
        if isinstance(value, LayerClass):
            return f"the layer class {value.name}"
        if isinstance(value, UserClass):
            return f"the class {value.name}"
        if isinstance(value, Instance):
            return f"a {value.user_class.name} object"
        if isinstance(value, BoundFunction):
            return f"the method {value.function.name}"
        if isinstance(value, Super):
            return "super()"
        if isinstance(value, TensorFunction):
            return f"the function {value.path}"
        if isinstance(value, SymbolicRange):
            return f"range({value.text})"
        if isinstance(value, (int, float, str, bool)) or value is None:
            return repr(value)
        if isinstance(value, (list, tuple, dict, set, frozenset, range, slice)):
            return f"a {type(value).__name__}"
        return "a value the reader cannot use here"

    def to_text(self, value) -> str:
        if isinstance(value, Layer):
            return value.name
        if isinstance(value, Tensor):
            return f"<tensor of shape {describe_shape(value.shape)}>"
        if isinstance(value, (list, tuple, dict, set, frozenset)):
            return _text_of(value, self)
        if isinstance(value, (str, int, float, bool, type(None), sympy.Basic)):
            return str(value)
        return self.describe(value)

    def shape_of(self, value) -> Optional[tuple]:
        """The shape of a tensor (``len(x.shape)``, ``len(x)``), else None."""
        return value.shape if isinstance(value, Tensor) else None

    # ---- names ---------------------------------------------------------------------
    def global_name(self, name: str, node):
        if name in self.bindings:
            self.used_bindings.add(name)
            return self.bindings[name]
        value = self.keras_name(name, bare=True)
        if value is not None:
            return value
        if name in BUILTINS:
            return BUILTINS[name]
        if name in ("np", "numpy", "math"):
            return Namespace(name, keras=False) if name != "math" else MATH
        if name in ("K", "keras", "tf", "tensorflow"):
            return Namespace(name, keras=True)
        self.free_names.add(name)
        return FreeName(name)

    def keras_name(self, name: str, bare: bool = False):
        """What ``name`` means in the Keras API (any version), or None."""
        if name in _LAYER_NAMES or name in legacy.CLASS_RENAMES or name in _KERAS1_ONLY:
            return LayerClass(name)
        api = KERAS_API.get(name)
        if api is not None:
            return api
        if bare:
            return None
        return None

    def import_module(self, dotted: str):
        root = dotted.split(".")[0]
        if root in KERAS_ROOTS:
            return Namespace(dotted, keras=True)
        if dotted == "math":
            return MATH
        return Namespace(dotted, keras=False)

    def import_name(self, module: str, name: str):
        root = module.split(".")[0] if module else ""
        if root in KERAS_ROOTS:
            value = self.keras_name(name)
            return value if value is not None else Namespace(f"{module}.{name}", keras=True)
        if module == "math" and name in MATH_FUNCTIONS:
            return MATH_FUNCTIONS[name]
        if module in ("six.moves", "builtins", "past.builtins") and name in _PY2_BUILTINS:
            return BUILTINS[name]
        if module in ("numpy",) and name in NUMPY_FUNCTIONS:
            return NUMPY_FUNCTIONS[name]
        return Namespace(f"{module}.{name}", keras=False)

    def import_star(self, module: str, scope: Scope) -> None:
        # ``from keras.layers import *``: names resolve lazily through the API.
        pass

    def note_assignment(self, name: str, value, scope: Scope) -> None:
        if scope is not self.root:
            return
        if name in self.bindings and not isinstance(value, (Functional, Layer, Tensor)):
            # --subs overrides a module-level size the file sets itself.
            self.used_bindings.add(name)
            scope.vars[name] = self.bindings[name]
            return
        if isinstance(value, Functional):
            self.named_models[name] = value

    def note_class(self, name: str, line: int) -> None:
        self.classes[name] = line

    def note_model(self, model: Functional) -> Functional:
        if all(m is not model for m in self.built):
            self.built.append(model)
        return model

    # ---- values as sizes ------------------------------------------------------------
    def size_symbol(self, value: Opaque):
        name = value.symbol_name()
        if name in self.bindings:
            # A size named after the outside value it comes from (--subs X_train_shape_1=784).
            self.used_bindings.add(name)
            return self.bindings[name]
        if not isinstance(value, FreeName):
            self.free_names.add(name)
        return symbol(name, integer=name not in self.real_names)

    def as_operand(self, value, node):
        if isinstance(value, Opaque):
            return self.size_symbol(value)
        if isinstance(value, (Namespace, UserFunction, Builtin, LayerClass)):
            raise self.error(f"{self.describe(value)} is not a number", node)
        return value

    def as_argument(self, value):
        """Turn free names into symbols inside a layer's arguments (tuples included)."""
        return sized(self, value)

    def record_real(self, value) -> None:
        if isinstance(value, sympy.Basic) and not value.is_Symbol and value.is_integer:
            self.wants_real |= {s.name for s in value.free_symbols if s.is_integer}

    # ---- attributes ------------------------------------------------------------------
    def get_attribute(self, obj, attr: str, node):
        if isinstance(obj, Namespace) and attr == "__version__":
            # Version checks read as Keras 3 on TensorFlow 2 (the convention).
            return "2.18.0" if obj.path.split(".")[0] in ("tf", "tensorflow") else "3.15.1"
        if isinstance(obj, Namespace) and attr in tensor_ops.NAMES and _is_ops_path(obj.path):
            return TensorFunction(attr, f"{obj.path}.{attr}")
        if isinstance(obj, Namespace):
            if obj.keras:
                if obj.path.split(".")[-1] in ("backend",) or obj.path == "K":
                    if attr in BACKEND:
                        return BoundMethod(self, "backend." + attr)
                value = self.keras_name(attr)
                if value is not None:
                    return value
                if attr in BACKEND and obj.path.endswith(("backend", "K")):
                    return BoundMethod(self, "backend." + attr)
                return Namespace(f"{obj.path}.{attr}", keras=True)
            if obj is MATH or obj.path == "math":
                if attr in MATH_FUNCTIONS:
                    return MATH_FUNCTIONS[attr]
            if obj.path in ("np", "numpy") and attr in NUMPY_FUNCTIONS:
                return NUMPY_FUNCTIONS[attr]
            if obj.path in ("six.moves", "builtins", "past.builtins") and attr in _PY2_BUILTINS:
                return BUILTINS[attr]
            return Namespace(f"{obj.path}.{attr}", keras=False)
        if isinstance(obj, FreeName) and attr in _LIST_METHODS:
            raise self.error(f"{obj.path}.{attr}(): {obj.path} is never assigned in the file; "
                             f"create it first, e.g. {obj.path} = []", node)
        if isinstance(obj, Opaque):
            return Opaque(f"{obj.path}.{attr}")
        if isinstance(obj, Tensor):
            if attr in ("shape", "_keras_shape"):
                return _python_shape(obj.shape)
            if attr == "name":
                return obj.layer.name if obj.layer else "tensor"
            if attr == "ndim":
                return len(obj.shape)
            if attr in ("get_shape", "reshape", "transpose"):
                return BoundMethod(obj, attr)
            if attr == "T":
                return self.call_tensor_function(TensorFunction("transpose", "x.T"), [obj], {}, node)
            return Opaque(f"tensor.{attr}")
        if isinstance(obj, Functional):
            return self.model_attribute(obj, attr, node)
        if isinstance(obj, Layer):
            return self.layer_attribute(obj, attr, node)
        if isinstance(obj, tuple) and attr == "shape" and any(obj is v for v in self.bindings.values()):
            # --subs X_train=(60000, 784) gives the data array by its shape.
            return obj
        if isinstance(obj, (list, dict, str, tuple)):
            if attr in SAFE_METHODS.get(type(obj), ()):
                return BoundMethod(obj, attr)
        raise self.error(f"the reader does not know the attribute {attr!r} of {self.describe(obj)}", node)

    def layer_attribute(self, layer: Layer, attr: str, node):
        if attr in ("name", "trainable", "built"):
            return getattr(layer, attr)
        if _by_user(layer):
            if attr in ("add_weight", "add_variable"):
                return BoundMethod(layer, "add_weight")
            if attr in ("input_spec", "supports_masking", "dtype", "compute_dtype", "dtype_policy"):
                return Opaque(f"{layer.name}.{attr}")
            if attr == "layers":
                return list(layer.tracked)
            if attr in ("weights", "trainable_weights", "trainable_variables", "variables"):
                return Opaque(f"{layer.name}.{attr}")
        if attr in ("output", "input", "output_shape", "input_shape"):
            try:
                value = getattr(layer, attr)
            except SymparamsError as exc:
                raise self.error(str(exc), node) from None
            return _python_shape(value) if attr.endswith("shape") else value
        if attr in ("count_params", "get_config", "get_weights", "set_weights", "build",
                    "compute_output_shape", "add_weight"):
            return BoundMethod(layer, attr)
        config = layer.config()
        if attr in config:
            return _python_shape(config[attr])
        if hasattr(layer, attr) and not attr.startswith("_") and isinstance(
                getattr(layer, attr), (int, str, bool, tuple, type(None), sympy.Basic)):
            return _python_shape(getattr(layer, attr))
        raise self.error(f"the reader does not know the attribute {attr!r} of {self.describe(layer)}", node)

    def model_attribute(self, model: Functional, attr: str, node):
        if attr == "layers":
            return list(model.layers)
        if attr in ("inputs", "outputs"):
            return list(getattr(model, attr))
        if attr in ("add", "pop", "get_layer", "count_params", "__call__") or attr in _IGNORED_METHODS:
            return BoundMethod(model, attr)
        return self.layer_attribute(model, attr, node)

    def set_attribute(self, obj, attr: str, value, node) -> None:
        if isinstance(obj, Instance):
            obj.attributes[attr] = value
            return
        if _by_user(obj) and attr not in ("trainable", "name", "_name"):
            self.interp.guard(value, node)
            obj.attributes[attr] = value
            return
        if isinstance(obj, Layer):
            if attr == "trainable":
                obj.trainable = self.interp.truth(value, node)
            elif attr in ("name", "_name") and isinstance(value, str):
                obj.name = value
            return
        if isinstance(obj, (Opaque, Namespace)):
            return
        raise self.error(f"the reader cannot set {attr!r} on {self.describe(obj)}", node)

    def get_item(self, container, key, node):
        if isinstance(key, sympy.Basic) and key.is_Integer:
            key = int(key)
        if isinstance(container, Opaque) and isinstance(key, slice):
            if container.path.endswith(".shape") and isinstance(key.start, int) and key.start >= 0 \
                    and key.stop is None and key.step is None:
                return OpaqueShape(container, key.start)
            raise self.error(f"{container.path}[...] slices a value the reader cannot know; give "
                             f"{container.path.split('.')[0]} with --subs", node)
        if isinstance(container, Opaque):
            return Opaque(f"{container.path}[{key}]")
        if isinstance(container, Tensor):
            return self.tensor_item(container, key, node)
        if isinstance(container, (list, tuple, str, dict)):
            return python_item(self, container, key, node)
        raise self.error(f"cannot index {self.describe(container)}", node)

    def tensor_item(self, tensor: Tensor, key, node):
        parts = key if isinstance(key, tuple) else (key,)
        clean = []
        for part in parts:
            if isinstance(part, sympy.Basic) and part.is_Integer:
                part = int(part)
            if isinstance(part, slice):
                part = slice(*(int(v) if isinstance(v, sympy.Basic) and v.is_Integer else v
                               for v in (part.start, part.stop, part.step)))
            if not (part is None or part is Ellipsis or isinstance(part, (int, slice))) or isinstance(part, bool):
                raise self.error(f"a tensor can be indexed with whole numbers, slices, None and ...; "
                                 f"got {self.describe(part)}", node)
            clean.append(part)
        try:
            return get_item(tensor, tuple(clean), name=self.operation_name("GetItem"))
        except ShapeError as exc:
            raise self.error(str(exc), node) from None

    def iterate(self, value, node):
        if isinstance(value, FreeName):
            raise self.error(f"the loop runs over the free name {value.path!r}; give it a value "
                             f"with --subs {value.path}=...", node)
        if isinstance(value, Opaque):
            raise self.error(f"the loop runs over {value.path}, which the reader cannot know", node)
        if isinstance(value, Tensor):
            raise self.error("iterating over a tensor is not supported", node)
        raise self.error(f"cannot loop over {self.describe(value)}", node)

    # ---- calls ---------------------------------------------------------------------
    def call(self, func, args: list, kwargs: dict, node):
        if isinstance(func, Builtin):
            return func.fn(self, args, kwargs, node)
        if isinstance(func, TensorFunction):
            return self.call_tensor_function(func, args, kwargs, node)
        if isinstance(func, LayerClass):
            return self.construct(func.name, args, kwargs, node)
        if isinstance(func, BoundMethod):
            return self.call_method(func, args, kwargs, node)
        if isinstance(func, Layer):
            return self.call_layer(func, args, kwargs, node)
        if isinstance(func, Opaque):
            return Opaque(f"{func.path}()")
        if isinstance(func, Namespace):
            last = func.path.split(".")[-1]
            if func.keras and last in _FOREIGN_WRAPPERS:
                raise self.error(f"{last} wraps {_FOREIGN_WRAPPERS[last]}, not Keras layers; symparams "
                                 "cannot count its weights from this file (read that model's own source "
                                 "instead)", node)
            if func.keras and last in ("Layer", "Wrapper"):
                raise self.error(f"keras.layers.{last} is a base class: define a class that extends it "
                                 "(class MyLayer(keras.layers.Layer): ...) and use that", node)
            if func.keras and ".layers" in func.path + "." and last[:1].isupper():
                raise self.error(f"unknown layer class {last!r}{closest(last, _LAYER_NAMES)}", node)
            if func.keras and ".applications" in func.path:
                raise self.error(f"{func.path} is a pretrained application; paste its source "
                                 "(symparams reads layers, not downloaded models)", node)
            return Opaque(f"{func.path}()")
        raise self.error(f"{self.describe(func)} cannot be called", node)

    def construct(self, name: str, args: list, kwargs: dict, node):
        self.layers_made += 1
        if self.layers_made > self.limits.layers:
            raise self.interp.over("layers", f"the file creates more than {self.limits.layers:,} "
                                             "layers", node)
        for value in (*args, *kwargs.values()):
            self.interp.guard(value, node)
        wrapped = legacy.wrapper(name, kwargs)
        if wrapped is not None:
            (inner, inner_kwargs), (outer, outer_kwargs) = wrapped
            return self.construct(outer, [self.construct(inner, args, inner_kwargs, node)], outer_kwargs, node)
        if name in legacy.UNSUPPORTED:
            raise self.error(f"the Keras 1 layer {name} is not supported{closest(name, _LAYER_NAMES)}", node)
        name, args, kwargs, notes = legacy.translate(name, list(args), dict(kwargs), self.dialect.version)
        for note in notes:
            self.warn(note, node)
        cls = _LAYER_NAMES.get(name)
        if cls is None:
            raise self.error(f"unknown layer class {name!r}{closest(name, _LAYER_NAMES)}", node)
        kwargs = legacy.sequence_input(kwargs, takes_input_dim="input_dim" in own_arguments(cls),
                                       sequences=getattr(cls, "input_rank", None) == 3)
        accepted = accepted_arguments(cls)
        unknown = [k for k in kwargs if k not in accepted]
        if unknown:
            listed = ", ".join(repr(k) for k in unknown)
            message = f"{name} does not take {listed}"
            if self.strict:
                raise self.error(message, node)
            self.warn(message + " (ignored)", node)
            kwargs = {k: v for k, v in kwargs.items() if k not in unknown}
        for key in ("input_shape", "batch_input_shape", "shape", "batch_shape"):
            if isinstance(kwargs.get(key), OpaqueShape):
                rank = getattr(cls, "input_rank", None)
                kwargs[key] = kwargs[key].sizes(rank - 1 if isinstance(rank, int) else 1)
            if isinstance(kwargs.get(key), Opaque):
                raise self.shape_name_error(kwargs[key], cls, node)
        if self.data_format and "data_format" in accepted and "data_format" not in kwargs:
            kwargs["data_format"] = self.data_format
        if isinstance(kwargs.get("name"), str):
            self.checked_name(kwargs["name"], node)
        if cls.traced_function:
            return self.make_lambda(cls, args, kwargs, node)
        args = [a if isinstance(a, Layer) else self.as_argument(a) for a in args]
        kwargs = {k: (v if isinstance(v, Layer) else self.as_argument(v)) for k, v in kwargs.items()}
        try:
            return cls(*args, **kwargs)
        except UnknownArgumentError as exc:
            raise self.error(str(exc), node) from None
        except SymparamsError:
            raise
        except (TypeError, ValueError) as exc:
            hint = ""
            if "multiple values" in str(exc) and self.dialect.version == 3:
                hint = ("; Keras 3 reads the arguments after the first by position (a kernel, then "
                        "strides): if the file is written for Keras 1 or 2, give --keras 2")
            raise self.error(f"{name}: {_clean(exc)}{hint}", node) from None

    def make_lambda(self, cls, args, kwargs, node):
        function = kwargs.pop("function", args[0] if args else None)
        output_shape = kwargs.pop("output_shape", args[1] if len(args) > 1 else None)
        if function is None:
            raise self.error("Lambda needs a function: Lambda(lambda x: ...)", node)
        if isinstance(output_shape, (UserFunction, BoundFunction, Builtin)):
            shape_fn = output_shape
            output_shape = None
            tracer = self.shape_function_tracer(shape_fn)
        else:
            tracer = self.trace_lambda
            if output_shape is not None:
                if not isinstance(output_shape, (tuple, list)):
                    output_shape = (output_shape,)
                if isinstance(output_shape, list) and all(isinstance(s, (tuple, list)) for s in output_shape):
                    output_shape = [tuple(self.as_argument(v) for v in s) for s in output_shape]
                else:
                    output_shape = tuple(self.as_argument(v) for v in output_shape)
        kwargs = {k: v for k, v in kwargs.items() if k in ("name", "trainable", "arguments", "mask", "dtype")}
        try:
            return cls(function, output_shape, tracer=tracer, **kwargs)
        except (TypeError, ValueError) as exc:
            raise self.error(f"Lambda: {_clean(exc)}", node) from None

    def shape_function_tracer(self, shape_fn):
        """``Lambda(f, output_shape=g)``: Keras calls ``g`` on the input shape (with the batch axis)."""
        def trace(layer, in_shapes, template, first):
            shapes = [_python_shape(s) for s in in_shapes] if isinstance(in_shapes, list) else _python_shape(in_shapes)
            result = self.interp.call(shape_fn, [shapes], {}, None)
            if not isinstance(result, (tuple, list)):
                raise self.error(f"the output_shape function of Lambda {layer.name!r} returns "
                                 f"{self.describe(result)}, not a shape")
            return tuple(None if v is None else self.as_argument(v) for v in result), None
        return trace

    def shape_name_error(self, value: Opaque, cls: type, node) -> ReadError:
        rank = getattr(cls, "input_rank", None)
        if isinstance(rank, int):
            sizes = ", ".join(f"d{i}" for i in range(1, rank))
            what = f"a shape of rank {rank - 1}: --subs {value.symbol_name()}=({sizes})"
        else:
            what = f"a shape: --subs {value.symbol_name()}=(...)"
        return self.error(f"{value.path!r} stands for a whole input shape; give it as {what}", node)

    def call_layer(self, layer: Layer, args, kwargs, node):
        for value in (*args, *kwargs.values()):
            self.interp.guard(value, node)
        for t in args[:1]:
            for item in (t if isinstance(t, (list, tuple)) else [t]):
                if not isinstance(item, Tensor):
                    raise self.error(f"layer {layer.name!r} was called on {self.describe(item)}, "
                                     "not on a Keras tensor", node)
        try:
            out = layer(*args, **kwargs)
        except ShapeError as exc:
            raise self.error(str(exc), node) from None
        except TypeError as exc:
            raise self.error(f"layer {layer.name!r}: {_clean(exc)}", node) from None
        if isinstance(layer, Functional):
            self.note_model(layer)
        return tuple(out) if isinstance(out, list) and not isinstance(layer, Functional) else out

    def call_method(self, method: BoundMethod, args, kwargs, node):
        owner, name = method.owner, method.name
        if owner is self and name.startswith("backend."):
            return BACKEND[name[8:]](self, args, kwargs, node)
        if isinstance(owner, Functional):
            if name in _IGNORED_METHODS:
                if name == "build" and isinstance(owner, Sequential) and args:
                    shape = self.as_argument(args[0])
                    owner.build(tuple(shape))
                if name == "build" and isinstance(owner, UserModel) and args and not owner.called:
                    # Keras 3 leaves a subclassed model's layers unbuilt here (its summary says
                    # "0 (unbuilt)"); Keras 2 traced call(), and so does symparams.
                    shape = self.as_argument(args[0])
                    if not isinstance(shape, (tuple, list)):
                        raise self.error("build() takes the input shape, batch axis first", node)
                    owner(placeholder(tuple(shape), self.trace_name("inputs")))
                return Opaque(f"{owner.name}.{name}()")
            if name == "add":
                return self.sequential_add(owner, args, kwargs, node)
            if name == "pop":
                if not isinstance(owner, Sequential):
                    raise self.error("pop() is a method of Sequential models", node)
                if not owner.layers:
                    raise self.error(f"pop() on the Sequential model {owner.name!r}, which has "
                                     "no layers", node)
                removed = owner._layers.pop()
                owner._maybe_rebuild()
                return removed
            if name == "get_layer":
                try:
                    return owner.get_layer(*args, **kwargs)
                except SymparamsError as exc:
                    raise self.error(str(exc), node) from None
        if isinstance(owner, Tensor):
            if name == "get_shape":
                return _python_shape(owner.shape)
            fn = TensorFunction("reshape" if name == "reshape" else "transpose", f"x.{name}")
            extra = list(args) if len(args) != 1 else [args[0]]
            if name == "reshape" and len(args) > 1:
                extra = [tuple(args)]
            return self.call_tensor_function(fn, [owner, *extra], kwargs, node)
        if _by_user(owner) and name == "add_weight":
            return self.add_weight(owner, args, kwargs, node)
        if isinstance(owner, Layer):
            if name == "count_params":
                value = owner.count_params()
                return int(value) if value.is_Integer else value
            return Opaque(f"{owner.name}.{name}()")
        if isinstance(owner, (list, dict, str, tuple)):
            return call_safe_method(self, owner, name, args, kwargs, node)
        raise self.error(f"cannot call {name} on {self.describe(owner)}", node)

    def add_weight(self, layer, args, kwargs, node):
        """``self.add_weight(shape=..., trainable=...)`` (Keras 3) or ``(name, shape, ...)`` (Keras 2)."""
        args = list(args)
        name = kwargs.get("name")
        if args and isinstance(args[0], str):
            name = args.pop(0)  # Keras 2: add_weight(name, shape, ...)
        shape = kwargs.get("shape", args[0] if args else None)
        if shape is None:
            shape = ()
        if not isinstance(shape, (tuple, list)):
            shape = (shape,)
        shape = tuple(self.as_argument(v) for v in shape)
        if any(v is None or isinstance(v, (Opaque, str, float)) for v in shape):
            raise self.error(f"add_weight: the shape {_text_of(tuple(shape), self)} has a size the reader "
                             "cannot know", node)
        trainable = kwargs.get("trainable", True)
        if not isinstance(trainable, bool):
            raise self.error("add_weight: trainable must be True or False", node)
        if name is None:
            # Keras 3 names an unnamed variable from the same counter as layers (``variable_3``).
            name = self.auto_layer_name("variable")
        try:
            weight = layer.add_weight(str(name), shape, trainable)
        except (TypeError, ValueError, SymparamsError) as exc:
            raise self.error(f"add_weight: {_clean(exc)}", node) from None
        return constant(weight.shape, "Variable", name=self.trace_name(f"{layer.name}.{name}"))

    def sequential_add(self, model, args, kwargs, node):
        if not isinstance(model, Sequential):
            raise self.error("add() is a method of Sequential models", node)
        if len(args) != 1:
            raise self.error("add() takes one layer", node)
        layer = args[0]
        if isinstance(layer, Opaque):
            name = layer.path.split("(")[0].split(".")[-1]
            hint = missing_import(layer.path) or closest(name, _LAYER_NAMES)
            raise self.error(f"add() was given {layer.path}, which is not a layer symparams knows{hint}", node)
        try:
            model.add(layer)
        except ShapeError as exc:
            raise self.error(str(exc), node) from None
        except ModelError as exc:
            raise self.error(str(exc), node) from None
        return None

    # ---- loops over a free count ----------------------------------------------------------
    def repeat_loop(self, node: ast.For, scope: Scope, count: SymbolicRange) -> None:
        """``for _ in range(n): x = block(x)`` with a free ``n``: one Repeat of the body.

        The body is traced once on a fresh input of the loop tensor's shape; it
        must update exactly one tensor variable and keep its shape.
        """
        assigned = {n.id for stmt in node.body for n in ast.walk(stmt)
                    if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
        carried = [name for name in sorted(assigned)
                   if isinstance(scope.lookup(name)[1], Tensor)]
        if len(carried) != 1:
            raise self.error(
                f"the loop over the free count {count.text} must update one tensor (x = block(x)) "
                f"to be repeated; give {count.text} a value with --subs {count.text}=... instead"
                if not carried else
                f"the loop over the free count {count.text} updates several tensors "
                f"({', '.join(carried)}); give {count.text} a value with --subs {count.text}=...", node)
        name = carried[0]
        outer = scope.lookup(name)[1]
        start = Input(batch_shape=outer.shape)
        scope.assign(name, start)
        self.interp.assign(node.target, 0, scope)
        try:
            self.interp.exec_block(node.body, scope)
        except _LoopControl:
            raise self.error("break and continue cannot stand in a loop over a free count", node) from None
        end = scope.lookup(name)[1]
        if not isinstance(end, Tensor):
            raise self.error(f"the loop body turns {name} into {self.describe(end)}, not a tensor", node)
        try:
            block = Functional(start, end)
            # A loop over a free count is the layer symparams adds to Keras's table.
            repeated = _LAYER_NAMES["Repeat"](block, count.count)(outer)
        except ShapeError as exc:
            raise self.error(str(exc), node) from None
        except ModelError as exc:
            raise self.error(f"the loop body cannot be repeated: {exc}", node) from None
        scope.assign(name, repeated)

    # ---- the file's own classes ------------------------------------------------------------
    def define_class(self, cls: UserClass, node):
        for base in cls.bases:
            kind = self.base_kind(base)
            if kind is None:
                continue
            if kind.startswith("keras:"):
                name = kind[6:]
                raise self.error(f"class {cls.name} extends the Keras layer {name}; symparams reads "
                                 f"classes that extend keras.layers.Layer or keras.Model", node)
            cls.kind = kind
            break
        return cls

    def base_kind(self, base) -> Optional[str]:
        """"layer", "model", "keras:<Class>" for another Keras class, or None (a plain base)."""
        if isinstance(base, UserClass):
            return base.kind if base.kind != "plain" else None
        if isinstance(base, Builtin) and base.name in ("Model", "Functional"):
            return "model"
        if isinstance(base, Builtin) and base.name == "Sequential":
            return "keras:Sequential"
        if isinstance(base, Namespace) and base.keras:
            last = base.path.split(".")[-1]
            if last in ("Layer", "Model", "Wrapper"):
                return "model" if last == "Model" else "layer"
        if isinstance(base, LayerClass):
            return "keras:" + base.name
        return None

    def user_class_of(self, obj) -> Optional[UserClass]:
        if isinstance(obj, Instance):
            return obj.user_class
        return self.class_of.get(id(obj))

    def instance_attributes(self, obj) -> Optional[dict]:
        if isinstance(obj, Instance):
            return obj.attributes
        if _by_user(obj) and id(obj) in self.class_of:
            return obj.attributes
        return None

    def instantiate(self, cls: UserClass, args, kwargs, node):
        instance = guarded_instance(self, cls, args, kwargs, node)
        if instance is not None:
            return instance
        self.layers_made += 1
        if self.layers_made > self.limits.layers:
            raise self.interp.over("layers", f"the file creates more than {self.limits.layers:,} "
                                             "layers", node)
        obj = (UserModel if cls.kind == "model" else user_layer)(cls.name, self.trace_user)
        self.class_of[id(obj)] = cls
        if not self.interp.run_init(cls, obj, list(args), dict(kwargs), node):
            self.keras_init(obj, list(args), dict(kwargs), node)
        if not obj.named:
            # A class whose __init__ never calls super().__init__() (Keras would refuse it).
            self.keras_init(obj, [], {}, node)
        if isinstance(obj, UserModel):
            self.note_model(obj)
        return obj

    def keras_init(self, obj, args, kwargs, node):
        """``super().__init__(**kwargs)`` of keras.layers.Layer or keras.Model."""
        if _by_user(obj) and obj.named:
            return None
        name = kwargs.get("name")
        if name is not None and not isinstance(name, str):
            raise self.error(f"a layer's name must be text, got {self.describe(name)}", node)
        if _by_user(obj):
            if isinstance(obj, UserModel) and ("inputs" in kwargs or len(args) >= 2):
                raise self.error(f"{obj.class_name} passes inputs and outputs to Model.__init__; "
                                 "symparams reads subclassed models that wire their layers in call()", node)
            obj.name = self.checked_name(name, node) if name is not None else self.auto_layer_name(obj.class_name)
            obj.named = True
            if kwargs.get("trainable") is False:
                obj.trainable = False
        return None

    def auto_layer_name(self, prefix: str) -> str:
        return auto_name(prefix)

    def checked_name(self, name: str, node) -> str:
        if "/" in name:
            raise self.error(f"the layer name {name!r} contains '/', which Keras does not allow in names", node)
        return name

    def super_attribute(self, sup: Super, attr: str, node):
        """What ``super().attr`` reaches when the file's classes do not define it: Keras's base."""
        obj = sup.instance
        if attr == "__init__":
            return Builtin("__init__", lambda host, a, k, n: host.keras_init(obj, a, k, n))
        if attr in ("build", "get_config", "compute_output_shape", "compute_mask", "reset_states"):
            return Builtin(attr, lambda host, a, k, n: {} if attr == "get_config" else None)
        if attr == "__call__" and _by_user(obj):
            return obj
        raise self.error(f"super().{attr} reaches Keras's own base class, which the reader does not "
                         "follow", node)

    def trace_user(self, layer, in_shapes, template, first: bool):
        """Run the file's ``build`` (first call only) and ``call`` on placeholders of these shapes."""
        cls = self.class_of[id(layer)]
        found, call = cls.lookup("call")
        if not found or not isinstance(call, UserFunction):
            raise self.error(f"{cls.name} defines no call() method, so the reader cannot know its output")
        parameters = [a.arg for a in call.node.args.args[1:]]
        labels = slot_labels(template, parameters) if template is not None else {}
        placeholders, structure = self.placeholders(layer, in_shapes, labels)
        args, kwargs = fill(template, placeholders) if template is not None else ([structure], {})
        node = getattr(call.node, "body", [call.node])[0]
        self.tracing.append(layer.name)
        try:
            if first:
                found_build, build = cls.lookup("build")
                if found_build and isinstance(build, UserFunction):
                    self.interp.call_user(build, [layer, _python_shape(in_shapes)], {}, node)
            result = self.interp.call_user(call, [layer, *args], kwargs, node)
        finally:
            self.tracing.pop()
        return self.traced_block(layer, placeholders, result, f"{cls.name}.call()")

    def trace_lambda(self, layer, in_shapes, template, first: bool):
        fn = layer.function
        parameter = fn.node.args.args[0].arg if isinstance(fn, UserFunction) and fn.node.args.args else "inputs"
        count = len(in_shapes) if isinstance(in_shapes, list) else 1
        labels = {i: f"{parameter}[{i}]" for i in range(count)} if isinstance(in_shapes, list) else {0: parameter}
        placeholders, structure = self.placeholders(layer, in_shapes, labels)
        arguments = getattr(layer, "arguments", None) or {}
        self.tracing.append(layer.name)
        try:
            result = self.interp.call(layer.function, [structure], dict(arguments), None)
        except ReadError as exc:
            raise ReadError(f"{exc.reason}; if the reader cannot follow the function of Lambda "
                            f"{layer.name!r}, give the Lambda output_shape=(...)", exc.filename, exc.line) from None
        finally:
            self.tracing.pop()
        if not _all_tensors(result):
            raise self.error(f"the function of Lambda {layer.name!r} returns {self.describe(result)}, "
                             "not a tensor the reader can follow; give the Lambda output_shape=(...)")
        return self.traced_block(layer, placeholders, result, "the Lambda's function")

    def placeholders(self, layer, in_shapes, labels: dict):
        """Tensors of these shapes to trace with, named as the code names them (``inputs``)."""
        shapes = in_shapes if isinstance(in_shapes, list) else [in_shapes]
        made = []
        for i, shape in enumerate(shapes):
            made.append(placeholder(shape, self.trace_name(labels.get(i, "inputs"))))
        return made, (made if isinstance(in_shapes, list) else made[0])

    def trace_name(self, base: str) -> str:
        """A name unique inside the traced blocks, as readable as the code that made it."""
        count = self.trace_names.get(base, 0)
        self.trace_names[base] = count + 1
        return base if count == 0 else f"{base}_{count}"

    def traced_block(self, layer, placeholders, result, what: str):
        outputs = list(result.values()) if isinstance(result, dict) else result
        if not _all_tensors(outputs):
            raise self.error(f"{what} returns {self.describe(result)}, not a tensor")
        flat = list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]
        sources = _sources(flat, placeholders)
        try:
            if layer.defined_by_user:
                block = TracedBlock(placeholders + sources, flat, layer)
            else:
                block = Functional(placeholders + sources, flat, name=layer.name)
        except ModelError as exc:
            raise self.error(f"{what}: {exc}") from None
        shapes = [t.shape for t in flat]
        return (shapes if isinstance(outputs, (list, tuple)) else shapes[0]), block

    def operation_name(self, keras_type: str) -> Optional[str]:
        """Operations traced inside a layer take no automatic name, as under Keras's own tracing."""
        if not self.tracing:
            return None
        return self.trace_name(f"{to_snake_case(keras_type)}_in_{self.tracing[-1]}")

    def tensor_operator(self, op: str, left, right, node):
        kinds = {"+": "add", "-": "subtract", "*": "multiply", "/": "true_divide", "**": "power",
                 "//": "floor_divide", "%": "mod", "@": "matmul"}
        if right is None:
            if op == "+":
                return left
            return self.call_tensor_function(TensorFunction("negative", "the operator -"), [left], {}, node)
        name = kinds.get(op)
        if name is None:
            raise self.error(f"the operator {op} is not supported on tensors", node)
        for side in (left, right):
            # An opaque value here is a number the reader cannot know (tf.sqrt(tf.cast(d, ...))).
            if not isinstance(side, (Tensor, int, float, sympy.Basic, Opaque)) or isinstance(side, bool):
                raise self.error(f"cannot compute {self.describe(left)} {op} {self.describe(right)}", node)
        return self.call_tensor_function(TensorFunction(name, f"the operator {op}"), [left, right], {}, node)

    def call_tensor_function(self, fn: TensorFunction, args, kwargs, node):
        for value in (*args, *kwargs.values()):
            self.interp.guard(value, node)
        args = [self.as_argument(a) if not isinstance(a, Tensor) else a for a in args]
        kwargs = {k: (self.as_argument(v) if not isinstance(v, Tensor) else v) for k, v in kwargs.items()}
        try:
            result = tensor_ops.apply(fn, list(args), dict(kwargs), self.operation_name)
        except OpError as exc:
            raise self.error(f"{fn.path}: {exc}", node) from None
        except ShapeError as exc:
            raise self.error(str(exc), node) from None
        except (TypeError, ValueError) as exc:
            raise self.error(f"{fn.path}: {_clean(exc)}", node) from None
        if result is NotImplemented:
            return Opaque(f"{fn.path}()")
        return result

    # ---- models -------------------------------------------------------------------------
    def make_sequential(self, args, kwargs, node):
        layers = kwargs.pop("layers", args[0] if args else None)
        if layers is not None and not isinstance(layers, (list, tuple)):
            raise self.error("Sequential takes a list of layers", node)
        for item in layers or []:
            if not isinstance(item, (Layer, Tensor)):
                path = str(getattr(item, "path", ""))
                hint = missing_import(path) or closest(path.split("(")[0].split(".")[-1], _LAYER_NAMES)
                raise self.error(f"Sequential was given {self.describe(item)}, which is not a layer{hint}", node)
        kwargs = {k: v for k, v in kwargs.items() if k in ("name", "trainable")}
        if isinstance(kwargs.get("name"), str):
            self.checked_name(kwargs["name"], node)
        try:
            return self.note_model(Sequential(layers, **kwargs))
        except ShapeError as exc:
            raise self.error(str(exc), node) from None

    def make_model(self, args, kwargs, node):
        for value in (*args, *kwargs.values()):
            self.interp.guard(value, node)
        if "input" in kwargs:
            kwargs["inputs"] = kwargs.pop("input")  # Keras 1
        if "output" in kwargs:
            kwargs["outputs"] = kwargs.pop("output")
        names = ["inputs", "outputs", "name"]
        for n, a in zip(names, args):
            kwargs.setdefault(n, a)
        if "inputs" not in kwargs or "outputs" not in kwargs:
            raise self.error("Model needs inputs and outputs: Model(inputs, outputs) "
                             "(subclassed models are not supported)", node)
        inputs, outputs = kwargs["inputs"], kwargs["outputs"]
        if isinstance(kwargs.get("name"), str):
            self.checked_name(kwargs["name"], node)
        if isinstance(inputs, dict):
            inputs = list(inputs.values())
        if isinstance(outputs, dict):
            outputs = list(outputs.values())
        if isinstance(inputs, tuple):
            inputs = list(inputs)
        if isinstance(outputs, tuple):
            outputs = list(outputs)
        try:
            model = Functional(inputs, outputs, name=kwargs.get("name"),
                               trainable=kwargs.get("trainable", True))
        except ModelError as exc:
            raise self.error(str(exc), node) from None
        return self.note_model(model)

    def make_input(self, args, kwargs, node):
        if args:
            kwargs.setdefault("shape", args[0])
        if isinstance(kwargs.get("shape"), OpaqueShape):
            # The rank is unknown here: one size, unless --subs gives the array's shape.
            kwargs["shape"] = kwargs["shape"].sizes(1)
        if isinstance(kwargs.get("name"), str):
            self.checked_name(kwargs["name"], node)
        for key in ("shape", "batch_shape"):
            if isinstance(kwargs.get(key), Opaque):
                raise self.error(f"{kwargs[key].path!r} stands for a whole input shape; give it with "
                                 f"--subs {kwargs[key].symbol_name()}=(...)", node)
        allowed = {"shape", "batch_size", "dtype", "sparse", "batch_shape", "name", "tensor",
                   "optional", "ragged"}
        unknown = [k for k in kwargs if k not in allowed]
        if unknown:
            message = f"Input does not take {', '.join(repr(k) for k in unknown)}"
            if self.strict:
                raise self.error(message, node)
            self.warn(message + " (ignored)", node)
        shape = kwargs.get("shape")
        if shape is not None and not isinstance(shape, (tuple, list)):
            shape = (shape,)
        try:
            return Input(shape=self.as_argument(tuple(shape)) if shape is not None else None,
                         batch_size=self.as_argument(kwargs.get("batch_size")),
                         batch_shape=self.as_argument(kwargs.get("batch_shape")),
                         name=kwargs.get("name"))
        except (TypeError, ValueError) as exc:
            raise self.error(f"Input: {_clean(exc)}", node) from None

    def make_merge(self, cls_name: str, args, kwargs, node):
        inputs = kwargs.pop("inputs", args[0] if args else None)
        layer = self.construct(cls_name, list(args[1:]), kwargs, node)
        return self.call_layer(layer, [inputs], {}, node)


_FOREIGN_WRAPPERS = {"TorchModuleWrapper": "a PyTorch module", "JaxLayer": "a JAX function",
                     "FlaxLayer": "a Flax module", "TFSMLayer": "a TensorFlow SavedModel"}

_OPS_MODULES = {"ops", "backend", "K", "math", "nn", "linalg", "numpy", "activations", "tf",
                "tensorflow"}


def _is_ops_path(path: str) -> bool:
    """Whether functions in this module are tensor functions (keras.ops, K, tf, tf.math...)."""
    parts = path.split(".")
    return (parts[0] in KERAS_ROOTS or parts[0] == "K") and parts[-1] in _OPS_MODULES \
        and "layers" not in parts


def _by_user(obj) -> bool:
    """Whether ``obj`` is a layer or model made from a class the file defines."""
    return isinstance(obj, Layer) and obj.defined_by_user


def _all_tensors(value) -> bool:
    items = list(value.values()) if isinstance(value, dict) else value
    if isinstance(items, (list, tuple)):
        return bool(items) and all(isinstance(t, Tensor) for t in items)
    return isinstance(items, Tensor)


def _sources(outputs: list, placeholders: list) -> list:
    """Tensors a traced block starts from besides its inputs: constants and weights it made."""
    known = {id(t) for t in placeholders}
    found, seen = [], set()
    stack = list(outputs)
    while stack:
        t = stack.pop()
        if id(t) in seen or t.node is None:
            continue
        seen.add(id(t))
        if t.node.is_input:
            if id(t) not in known:
                found.append(t)
            continue
        stack.extend(t.node.inputs)
    return found


# six.moves and builtins spell Python's own functions (six.moves.range is range).
_PY2_BUILTINS = frozenset({"range", "xrange", "zip", "map", "filter", "input", "reduce"}) & set(BUILTINS)

_LIST_METHODS = frozenset({"append", "extend", "insert", "pop", "update", "setdefault", "keys",
                           "items", "values"})


def _text_of(value, host) -> str:
    """``str()`` of a container of the reader's values (sizes by name, layers by name)."""
    if isinstance(value, dict):
        inner = ", ".join(f"{_item_text(k, host)}: {_item_text(v, host)}" for k, v in value.items())
        return "{" + inner + "}"
    inner = ", ".join(_item_text(v, host) for v in value)
    if isinstance(value, tuple):
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, (set, frozenset)):
        return "{" + inner + "}" if value else "set()"
    return f"[{inner}]"


def _item_text(value, host) -> str:
    return repr(value) if isinstance(value, str) else host.to_text(value)


def _clean(exc: Exception) -> str:
    """A constructor's complaint in the user's words (``got multiple values for 'strides'``)."""
    text = re.sub(r"[\w.]*__init__\(\)\s*", "", " ".join(str(exc).split()))
    return python_message(ValueError(text)) if text else "wrong arguments"


def _python_shape(value):
    if isinstance(value, tuple):
        return tuple(_python_shape(v) for v in value)
    if isinstance(value, list):
        return [_python_shape(v) for v in value]
    if isinstance(value, sympy.Basic) and value.is_Integer:
        return int(value)
    return value


@dataclass(frozen=True)
class LayerClass:
    """A layer class as the file names it (``Dense``, ``Convolution2D``)."""

    name: str


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
