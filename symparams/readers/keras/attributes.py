"""Attributes and items in a Keras file: ``x.shape``, ``layer.output``, ``model.layers``,
``K.int_shape``, ``x[:, 0]``, and what can be set or looped over. The part of
:class:`~symparams.readers.keras.KerasReader` the interpreter asks for ``obj.attr``,
``obj.attr = value``, ``obj[key]`` and ``for item in obj``."""

from __future__ import annotations

import sympy

from ...core.errors import ShapeError, SymparamsError
from ...keras.layers.base import Layer, Tensor
from ...keras.layers.ops import get_item
from ...keras.model import Functional
from . import tensor_ops
from ..python.builtins import BUILTINS, MATH, MATH_FUNCTIONS, NUMPY_FUNCTIONS, SAFE_METHODS
from ..python.hostkit import python_item
from .tensor_ops import TensorFunction
from ..python.values import BoundMethod, FreeName, Instance, Namespace, Opaque, OpaqueShape
from .api import _IGNORED_METHODS, _LIST_METHODS, _PY2_BUILTINS, BACKEND, KERAS_ROOTS, _is_ops_path, missing_import
from .helpers import _by_user, _python_shape


class KerasAttributes:
    """Attribute access, items and loops of the Keras host."""

    # ---- attributes ------------------------------------------------------------------
    def get_attribute(self, obj, attr: str, node):
        standard = self.standard_attribute(obj, attr, node)
        if standard is not None:
            return standard
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
            if isinstance(value, Opaque) and _could_be_a_layer(value.path):
                # Keras tracks a layer assigned to an attribute, used in call() or not: an
                # object of a class the reader cannot follow must not vanish from the count
                raise self.error(f"self.{attr} = {value.path}: the reader cannot follow this value, and a "
                                 "layer assigned here would count; write it with Keras's own layers"
                                 f"{missing_import(value.path)}", node)
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



def _could_be_a_layer(path: str) -> bool:
    """Whether an object the reader cannot follow may be a layer: made by calling a class of
    another library or of no import (``mylib.Block(2)``, ``Block(2)``), not a Keras or
    TensorFlow object it knows is none (``keras.metrics.Mean()``), nor a function's value."""
    import re
    made = re.fullmatch(r"(?:(\w+)\.)?(?:\w+\.)*([A-Za-z_]\w*)\(\)", path)
    if made is None:
        return False
    root, name = made.group(1), made.group(2)
    return name[:1].isupper() and root not in KERAS_ROOTS
