"""The Keras host: :class:`KerasReader`, the interpreter's
:class:`~symparams.readers.host.Host` for Keras 1, 2 and 3 code.

The class is put together from one part per job: names and imports
(:mod:`.names`), attributes and items (:mod:`.attributes`), calls and layers
(:mod:`.calls`), the file's own classes and the tracing of their ``call``
(:mod:`.classes`) and models (:mod:`.models`); what every host does alike is
:class:`~symparams.readers.base_host.HostBase`. This module holds its state, what it does
once the file has run, and how it names values in messages.
"""

from __future__ import annotations

from typing import Optional

import sympy

from ...core.dims import symbol
from ...keras.layers.base import Layer, Tensor
from ...keras.layers.base import describe as describe_shape
from ...keras.layers.core import placeholder
from ...keras.model import Functional, Sequential, UserModel
from ..python.base_host import HostBase
from ..dialect import Dialect
from ..python.limits import Limits
from .tensor_ops import TensorFunction
from ..python.values import (BoundFunction, BoundMethod, Builtin, FreeName, Instance, Namespace, Opaque,
                             OpaqueShape, Super, SymbolicRange, UserClass, UserFunction)
from .api import KERAS_ROOTS, LayerClass
from .attributes import KerasAttributes
from .calls import KerasCalls
from .classes import KerasUserClasses
from .helpers import _text_of
from .models import KerasModels
from .names import KerasNames


class KerasReader(KerasNames, KerasAttributes, KerasCalls, KerasUserClasses, KerasModels, HostBase):
    """The interpreter's :class:`~symparams.readers.host.Host` for Keras 1, 2 and 3 code."""

    roots = KERAS_ROOTS
    not_numbers = (Namespace, UserFunction, Builtin, LayerClass)
    tensor_types = (Tensor,)
    # --subs replaces a size the file assigns, never a model, a layer or a tensor
    kept_from_subs = (Functional, Layer, Tensor)
    made_word = "layers"

    def __init__(self, filename: str, bindings: dict, strict: bool, real_names: set[str],
                 limits: Limits, deadline: Optional[float] = None, input_shape: Optional[tuple] = None,
                 dialect: Dialect = Dialect(3)):
        super().__init__(filename, bindings, limits, deadline)
        self.input_shape = input_shape
        self.dialect = dialect
        self.strict = strict
        #: names used as multipliers inside int(): their symbols are real (read_keras_source
        #: reads the file again with them)
        self.real_names = real_names
        self.named_models: dict[str, Functional] = {}
        self.built: list[Functional] = []
        self.wants_real: set[str] = set()
        self.classes: dict[str, int] = {}
        self.data_format: Optional[str] = None
        #: the file's class of each object made from one (Keras layers and models included)
        self.class_of: dict[int, UserClass] = {}
        #: the layers whose ``call`` (or Lambda function) is being traced, innermost last;
        #: operations there take no automatic names
        self.tracing: list[str] = []
        self.trace_names: dict[str, int] = {}

    def finish(self) -> None:
        self.give_inputs()

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
    def warn(self, message: str, node=None) -> None:
        line = getattr(node, "lineno", None) or self.interp.line
        text = f"{self.filename}:{line}: warning: {message}"
        if text not in self.warnings:
            self.warnings.append(text)

    def makes_model(self, value) -> bool:
        if isinstance(value, LayerClass):
            return True
        if isinstance(value, Builtin) and value.name in ("Sequential", "Model", "Functional", "Input"):
            return True
        return super().makes_model(value)

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

