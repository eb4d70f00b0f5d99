"""Calls in a Keras file: a layer class called to make a layer, a layer called on
tensors, the methods of models, layers and tensors, ``add_weight``, tensor functions and
operators, and a loop over a free count (one ``Repeat``). The part of
:class:`~symparams.readers.keras.KerasReader` the interpreter asks for ``f(...)``."""

from __future__ import annotations

import ast

import sympy

from ...core.errors import ModelError, ReadError, ShapeError, SymparamsError
from ...keras.layers.base import Layer, Tensor, UnknownArgumentError
from ...keras.layers.core import placeholder
from ...keras.layers.ops import constant
from ...keras.model import Functional, Input, Sequential, UserModel
from . import legacy, tensor_ops
from ..python.builtins import call_method as call_safe_method
from ..python.interpreter import Scope, _Break, _Continue
from .tensor_ops import OpError, TensorFunction
from ..python.values import (BoundFunction, BoundMethod, Builtin, Namespace, Opaque, OpaqueShape,
                             SymbolicRange, UserFunction)
from .api import (_FOREIGN_WRAPPERS, _IGNORED_METHODS, _LAYER_NAMES, BACKEND, LayerClass,
                  accepted_arguments, activation_named, closest, missing_import, own_arguments)
from .helpers import _by_user, _clean, _python_shape, _text_of

_LoopControl = (_Break, _Continue)


class KerasCalls:
    """Calls and layer construction of the Keras host."""

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
            activation = _third_party_activation(func.path)
            if activation is not None and any(isinstance(a, Tensor) for a in args):
                # tensorflow_addons.layers.GELU()(x): a library's one-line layer without weights
                self.warn(f"read {func.path} as the activation {activation}, which has no weights", node)
                return self.call_layer(self.construct("Activation", [activation], {}, node), args, kwargs, node)
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
        self.count_made(1, node)
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



def _third_party_activation(path: str):
    """``tensorflow_addons.layers.GELU()``, an object made by a library's layer class named after
    an activation: that activation's name, else None."""
    import re
    m = re.fullmatch(r"(?:\w+\.)*layers\.(\w+)\(\)", path)
    return activation_named(m.group(1)) if m else None
