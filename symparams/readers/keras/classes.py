"""The file's own classes in a Keras file: a class that extends ``keras.layers.Layer`` or
``keras.Model`` becomes a layer or model whose ``__init__`` and ``call`` the interpreter
runs, and whose ``call`` (or a Lambda's function) is traced on placeholders into a block.
The part of :class:`~symparams.readers.keras.KerasReader` the interpreter asks about
classes, instances and ``super()``."""

from __future__ import annotations

from typing import Optional

from ...core.errors import ModelError, ReadError
from ...keras.layers.base import Tensor, auto_name, to_snake_case
from ...keras.layers.core import placeholder
from ...keras.layers.user import fill, slot_labels, user_layer
from ...keras.model import Functional, TracedBlock, UserModel
from ..python.values import Builtin, Namespace, Opaque, Super, UserClass, UserFunction
from .api import LayerClass
from .helpers import _by_user, _python_shape


class KerasUserClasses:
    """The file's own classes and their tracing, for the Keras host."""

    # ---- the file's own classes ------------------------------------------------------------
    def define_class(self, cls: UserClass, node):
        for base in cls.bases:
            kind = self.base_kind(base)
            if kind is None:
                continue
            # a class extending one of Keras's own layers is refused when the file makes one,
            # not where it is defined: a file may define classes it never uses
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

    def framework_class_of(self, obj) -> Optional[UserClass]:
        return self.class_of.get(id(obj))

    def framework_attributes(self, obj) -> Optional[dict]:
        if _by_user(obj) and id(obj) in self.class_of:
            return obj.attributes
        return None

    def framework_instance(self, cls: UserClass, args, kwargs, node):
        if cls.kind.startswith("keras:"):
            raise self.error(f"class {cls.name} extends the Keras layer {cls.kind[6:]}; symparams reads "
                             "classes that extend keras.layers.Layer or keras.Model", node)
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
        # Keras 1 and 2 took "/" in a name (SqueezeNet's fire2/squeeze1x1); Keras 3 refuses it
        if "/" in name and self.dialect.version >= 3:
            raise self.error(f"the layer name {name!r} contains '/', which Keras does not allow in names", node)
        return name

    def super_attribute(self, sup: Super, attr: str, node):
        """What ``super().attr`` reaches when the file's classes do not define it: Keras's base."""
        obj = sup.instance
        if attr == "__init__":
            return Builtin("__init__", lambda host, a, k, n: host.keras_init(obj, a, k, n))
        if attr in ("build", "get_config", "compute_output_shape", "compute_mask", "reset_states"):
            return Builtin(attr, lambda host, a, k, n: {} if attr == "get_config" else None)
        if attr in _TRAINING:
            # a model class's compile() or train_step() calling Keras's own: training, which
            # changes no count (keras-io's DDIM and GAN examples override them)
            return Builtin(attr, lambda host, a, k, n: Opaque(f"super().{attr}()"))
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


#: Keras Model methods about training and saving, which a subclass may extend with super()
_TRAINING = frozenset({"compile", "fit", "train_step", "test_step", "predict_step", "evaluate",
                       "predict", "save", "save_weights", "load_weights", "summary", "reset_metrics",
                       "compute_loss", "compute_metrics"})


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

