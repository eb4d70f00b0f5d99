"""Models in a Keras file: ``Sequential([...])``, ``Model(inputs, outputs)``,
``Input(shape)`` and the merge functions (``concatenate([a, b])``), which
:data:`~symparams.readers.keras.api.KERAS_API` calls on the host."""

from __future__ import annotations

from ...core.errors import ModelError, ShapeError
from ...keras.layers.base import Layer, Tensor
from ...keras.model import Functional, Input, Sequential
from ..python.values import Opaque, OpaqueShape
from .api import _LAYER_NAMES, closest, missing_import
from .helpers import _clean


class KerasModels:
    """Sequential, functional models and inputs of the Keras host."""

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
        for value in (inputs if isinstance(inputs, list) else [inputs]) + \
                (outputs if isinstance(outputs, list) else [outputs]):
            if isinstance(value, Opaque):
                # a value from a library the reader does not read (tfa.layers.X()(x)): name it
                raise self.error(f"the model's inputs or outputs come from {value.path}, which the reader "
                                 f"cannot follow{missing_import(value.path)}; write it with Keras's own layers",
                                 node)
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

