"""Read PyTorch source into :mod:`symparams.pytorch` modules, without running it.

The interpreter (:mod:`symparams.readers.interpreter`) reads the Python; this host says
what PyTorch's names mean. ``nn.Linear(...)`` makes a module of
:mod:`symparams.pytorch.nn`; a class of the file that extends ``nn.Module`` runs its
``__init__`` in the interpreter on a module object, so ``self.fc = nn.Linear(4, 2)``
registers ``fc`` exactly as ``nn.Module.__setattr__`` does, and
``self.lm_head.weight = self.wte.weight`` ties the two.

Calling a module on a tensor (``model(torch.randn(1, 3, 224, 224))`` at the end of the
file, torchinfo's ``summary(model, input_size=...)``, or ``--input-size``) follows its
``forward`` on shapes: the file's own ``forward`` runs in the interpreter, PyTorch's
modules give their output shapes (:mod:`symparams.pytorch.layers`), and the tensor
functions are :mod:`symparams.readers.torch_ops`. Every call is recorded in a
:class:`~symparams.pytorch.trace.Trace`.
"""

from __future__ import annotations

import ast
import difflib
import functools
import re
import sys
import time
from dataclasses import dataclass, field
from typing import Optional, Sequence

import sympy

from ...core.errors import ReadError, SymparamsError
from ...pytorch import nn as torch_nn
from ...pytorch.containers import Stacked, same_shape
from ...pytorch.module import (Buffer, ForwardError, Module, Parameter, UserModule, derived_module,
                                module_type)
from ...pytorch.tensor import ShapeError, Tensor
from ...pytorch.trace import Trace, current, tracing
from . import ops as torch_ops
from ..python.base_host import HostBase
from ..python.builtins import BUILTINS, MATH, MATH_FUNCTIONS, SAFE_METHODS
from ..python.builtins import call_method as call_safe_method
from ..python.environment import Environment
from ..python.interpreter import Scope
from ..python.scope import _Break, _Continue
from ..python.hostkit import python_item, sized
from ..python.subs import binding_value, unused_message
from ..python.limits import Limits
from ..python.source import parse
from ..python.values import (BoundMethod, Builtin, FreeName, Instance, Namespace, Opaque, RepeatedItems,
                             SymbolicRange, UserClass, UserFunction)
from ..dialect import TORCH_ROOTS
from .names import (ACCELERATOR_CHECKS as _ACCELERATOR_CHECKS, INERT_METHODS as _INERT_METHODS,
                    MODULE_METHODS as _MODULE_METHODS, OPAQUE_METHODS as _OPAQUE_METHODS,
                    SNIPPET_NAMES as _SNIPPET_NAMES,
                    SUMMARY_FUNCTIONS as _SUMMARY_FUNCTIONS)


@dataclass(frozen=True)
class TorchName:
    """A name in PyTorch's API (``torch.nn.Linear``, ``torch.zeros``, ``F.relu``)."""

    path: str


@dataclass
class TorchReadResult:
    """What a PyTorch file defines: its modules by variable name, and which one to summarise."""

    filename: str
    modules: dict[str, Module]
    warnings: list[str] = field(default_factory=list)
    free_names: set[str] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)
    #: the forward pass of each module the file (or ``--input-size``) calls on a tensor
    traces: dict[int, Trace] = field(default_factory=dict)
    #: what the file asserts of its free sizes (``Eq(Mod(n_embd, 12), 0)``), which the counts assume
    conditions: tuple = ()

    #: a module read from source code has no config file behind it
    config = None

    def trace_of(self, module: Module) -> Optional[Trace]:
        return self.traces.get(id(module))

    @property
    def model(self) -> Module:
        return self.module

    def all(self) -> list[Module]:
        return list(self.modules.values())

    @property
    def module(self) -> Module:
        """``model`` if the file has one, else the module it assigns last."""
        if "model" in self.modules:
            return self.modules["model"]
        return list(self.modules.values())[-1]

    def pick(self, name: str) -> Module:
        if name not in self.modules:
            raise ReadError(f"no module is assigned to {name!r}; the file's modules are "
                            f"{', '.join(self.modules)}", self.filename)
        return self.modules[name]


def read_torch_source(source: str, filename: str, bindings: Optional[dict] = None,
                      limits: Limits = Limits(), ignore_unused: bool = False,
                      tree: Optional[ast.Module] = None, input_size: Optional[list] = None,
                      model: Optional[str] = None, symbolic: Sequence[str] = (),
                      machine: Optional[Environment] = None) -> TorchReadResult:
    """Read PyTorch source text into modules. ``bindings`` give values to free names;
    ``input_size`` (one shape per input, as ``--input-size`` gives them) runs the model's
    forward on shapes, as a call in the file would; ``model`` names the module to run."""
    deadline = time.monotonic() + limits.seconds
    tree = tree if tree is not None else parse(source, filename, limits)
    values = {k: binding_value(k, v) for k, v in (bindings or {}).items()}
    reader = TorchReader(filename, values, limits, deadline)
    reader.symbolic = frozenset(symbolic)
    reader.assume_environment(machine or Environment())
    old_limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old_limit, 20_000))
    try:
        reader.run(tree)
        if (model and model not in reader.modules) or not reader.modules:
            reader.build_class(tree, model)
        if input_size and reader.modules:
            reader.run_input(model, input_size)
    finally:
        sys.setrecursionlimit(old_limit)
    unused = set(values) - reader.used_bindings
    if unused and not ignore_unused:
        raise ReadError(unused_message(unused, reader.free_names), filename)
    if not reader.modules:
        raise ReadError("no PyTorch module is assigned to a variable in this file "
                        "(write model = MyNet() at the end)", filename)
    assumed = [f"took {path}() as {reader.machine.cuda}: " +
               ("the model is counted on the CPU (its counts do not depend on the device; --assume "
                "cuda=true reads the other branch)" if not reader.machine.cuda else "--assume cuda=true")
               for path in reader.assumed]
    reader.check_symbolic()
    built = [f"the file makes no module: read {reader.built_from}, its model class (--model NAME "
             "picks another)"] if reader.built_from else []
    return TorchReadResult(filename, reader.modules, reader.warnings, reader.free_names,
                           ["read as PyTorch code", *built, *assumed, *reader.read_notes()], reader.traces,
                           tuple(reader.conditions))



class TorchReader(HostBase):
    """The interpreter's :class:`~symparams.readers.host.Host` for PyTorch code."""

    roots = TORCH_ROOTS
    not_numbers = (TorchName, Module, Namespace, Builtin)
    framework_names = (TorchName,)
    tensor_types = (Tensor, Parameter, Buffer)
    kept_from_subs = (Module,)
    made_word = "modules"

    def __init__(self, filename: str, bindings: dict, limits: Limits, deadline: Optional[float] = None):
        super().__init__(filename, bindings, limits, deadline)
        self.modules: dict[str, Module] = {}
        self.traces: dict[int, Trace] = {}
        #: the class whose forward() is running, for the message of a missing attribute
        self.in_forward: list[str] = []
        #: how the model was made when the file makes none (``GPT(GPTConfig())``)
        self.built_from: Optional[str] = None
        #: while the body of a loop over a free count is read: what it appends, and to what
        self.appended: Optional[list] = None

    def too_deep_message(self) -> str:
        # Unlike the Keras host's, this message has never named the limits; kept as it was.
        return "the file's calls and expressions nest too deeply for the reader"

    def build_class(self, tree: ast.Module, name: Optional[str]) -> None:
        """A file that defines its model's class but never makes one (nanoGPT's ``model.py``):
        the class ``--model`` names, else the one module class no other class of the file
        uses, made as ``GPT(GPTConfig())``: an argument named like a config takes the file's
        one dataclass with its defaults; any other required argument is a free size of its name."""
        classes = {n: v for n, v in self.root.vars.items() if isinstance(v, UserClass) and v.kind == "module"}
        if name is not None:
            if name not in classes:
                return  # TorchReadResult.pick names the file's modules
            cls = classes[name]
        else:
            nodes = [n for n in tree.body if isinstance(n, ast.ClassDef) and n.name in classes]
            used = {ref.id for n in nodes for ref in ast.walk(n)
                    if isinstance(ref, ast.Name) and ref.id != n.name}
            top = [n.name for n in nodes if n.name not in used]
            if len(top) != 1:
                if not classes:
                    return
                raise ReadError("the file makes no module; it defines the module classes "
                                f"{', '.join(top or classes)}: pick one with --model NAME", self.filename)
            cls = classes[top[0]]
        found, init = cls.lookup("__init__")
        args: list = []
        kwargs: dict = {}
        said: list = []
        if found and isinstance(init, UserFunction) and isinstance(init.node, ast.FunctionDef):
            a = init.node.args
            positional = [*a.posonlyargs, *a.args][1:]
            required = positional[:len(positional) - len(a.defaults)] if a.defaults else positional
            configs = [v for v in self.root.vars.values() if isinstance(v, UserClass) and v.dataclass]
            for arg in required:
                if len(configs) == 1 and re.search(r"conf|cfg|args|hparams|params", arg.arg, re.I):
                    args.append(self.instantiate(configs[0], [], {}, init.node))
                    said.append(f"{configs[0].name}()")
                else:
                    args.append(FreeName(arg.arg))
                    self.free_names.add(arg.arg)
                    said.append(arg.arg)
        self.modules[cls.name] = self.instantiate(cls, args, kwargs, None)
        self.built_from = f"{cls.name}({', '.join(said)})"

    def run_input(self, name: Optional[str], sizes: list) -> None:
        """``--input-size``: the model's forward on tensors of these shapes."""
        module = self.modules.get(name) if name else (self.modules.get("model") or list(self.modules.values())[-1])
        if module is None:
            raise ReadError(f"no module is assigned to {name!r}", self.filename)
        try:
            self.forward(module, [Tensor(tuple(s)) for s in sizes], {}, None)
        except ReadError:
            raise
        except SymparamsError as exc:
            raise self.error(str(exc)) from None

    def forward(self, module: Module, args: list, kwargs: dict, node):
        """A module called on tensors: inside a forward, one more call of the running
        trace; elsewhere (the end of the file), a new forward pass of that module."""
        try:
            if current() is not None:
                return module(*args, **kwargs)
            with tracing(module) as trace:
                trace.inputs = tuple(a.shape for a in args if isinstance(a, Tensor))
                out = module(*args, **kwargs)
                trace.output = out
            self.traces[id(module)] = trace
            return out
        except ReadError:
            raise
        except (ShapeError, ForwardError) as exc:
            raise self.error(self.where(module) + str(exc), node) from None
        except torch_ops.NotFollowed as exc:
            raise self.error(str(exc), node) from None

    def where(self, module: Module) -> str:
        """``fc1 (Linear): `` for a message about a module call inside a trace."""
        trace = current()
        name = trace.names.get(id(module)) if trace is not None else None
        return f"{name}: " if name else ""

    def whole_sizes(self, name: str, cls: type, args, kwargs, node) -> None:
        """A size given as a float (``nn.Conv2d(24, out_planes / 4, 1)``, kuangliu's ShuffleNet):
        PyTorch refuses it (``empty(): argument 'size' must be tuple of ints``), so does the reader."""
        given = {**dict(zip(_parameter_names(cls), args)), **kwargs}
        for key, value in given.items():
            if key in _SIZE_ARGUMENTS and isinstance(value, (float, sympy.Float)):
                raise self.error(f"nn.{name}: {key} is {value!r}, a float; PyTorch takes whole numbers for "
                                 "sizes (write int(...) or //)", node)

    def run_base(self, base: type, method: str, obj: Module, args, kwargs, node):
        """The built-in module's own ``__init__`` or ``forward`` on an object of a class that
        extends it."""
        args = [self.as_argument(a) for a in args]
        kwargs = {k: self.as_argument(v) for k, v in kwargs.items()}
        if method == "__init__":
            self.count_made(1, node)
            try:
                base.__init__(obj, *args, **kwargs)
            except TypeError as exc:
                raise self.error(f"nn.{base.__name__}: " + re.sub(r"^(\w+\.)?__init__\(\) ", "", str(exc)),
                                 node) from None
            except (ValueError, ArithmeticError) as exc:
                raise self.error(f"nn.{base.__name__}: {exc}", node) from None
            return None
        return self.forward_base(base, obj, args, kwargs, node)

    def forward_base(self, base: type, obj: Module, args, kwargs, node):
        try:
            return base.forward(obj, *[sized(self, a) for a in args], **{k: sized(self, v) for k, v in kwargs.items()})
        except (ShapeError, ForwardError) as exc:
            raise self.error(str(exc), node) from None

    def run_user_forward(self, module: UserModule, args: tuple, kwargs: dict):
        cls = module.user_class
        found, fn = cls.lookup("forward") if cls is not None else (False, None)
        if not found or not isinstance(fn, UserFunction):
            raise ForwardError(f"class {module.class_name} defines no forward()")
        self.in_forward.append(module.class_name)
        try:
            return self.interp.call_user(fn, [module, *args], dict(kwargs), fn.node)
        finally:
            self.in_forward.pop()

    # ---- messages ----------------------------------------------------------------------
    def error(self, message: str, node=None) -> ReadError:
        # Without a node the error has no line, where the Keras host's (HostBase.error) takes
        # the line the interpreter is at; the PyTorch host has always done this, kept as it was.
        line = getattr(node, "lineno", None)
        return ReadError(message, self.filename, line)

    def describe(self, value) -> str:
        if isinstance(value, TorchName):
            return value.path
        if isinstance(value, Module):
            return f"the module {module_type(value)}"
        if isinstance(value, Parameter):
            return "a parameter"
        if isinstance(value, Tensor):
            return f"a tensor of shape {tuple(value.shape)}"
        if isinstance(value, (FreeName, Opaque)):
            return value.path
        if isinstance(value, UserClass):
            return f"the class {value.name}"
        if isinstance(value, Instance):
            return f"a {value.user_class.name} object"
        if isinstance(value, (Builtin, BoundMethod)):
            return f"{value.name}()"
        if isinstance(value, Namespace):
            return value.path
        if isinstance(value, SymbolicRange):
            return f"range({value.text})"
        if isinstance(value, RepeatedItems):
            return f"{value.text} copies of {self.describe(value.item)}"
        return "a value" if not isinstance(value, (int, float, str, tuple, list, dict)) \
            else repr(value)[:60]

    def to_text(self, value) -> str:
        return self.describe(value)

    # ---- names -------------------------------------------------------------------------
    def framework_global(self, name: str):
        if name in _SNIPPET_NAMES:
            # a snippet pasted without its imports: torch's usual names
            return TorchName(_SNIPPET_NAMES[name])
        return None

    def framework_module(self, dotted: str):
        return TorchName(dotted)

    def framework_import(self, module: str, name: str):
        return TorchName(f"{module}.{name}")

    def library_name(self, module: str, name: str):
        if module == "collections" and name == "OrderedDict":
            return Builtin("OrderedDict", lambda host, a, k, n: dict(*a, **k))
        return None

    def import_star(self, module: str, scope: Scope) -> None:
        if module.split(".")[0] in TORCH_ROOTS:
            for name in torch_nn.__all__:
                scope.assign(name, TorchName(f"torch.nn.{name}"))

    def note_variable(self, name: str, value) -> None:
        if isinstance(value, Module):
            self.modules[name] = value

    # ---- values as sizes ---------------------------------------------------------------
    @staticmethod
    def as_tensor(value):
        """A parameter or a buffer used in forward() is a tensor of its shape."""
        if isinstance(value, (Parameter, Buffer)):
            return Tensor(value.shape, getattr(value, "dtype", "float32"))
        if isinstance(value, (list, tuple)):
            return type(value)(TorchReader.as_tensor(v) for v in value)
        return value

    # ---- attributes --------------------------------------------------------------------
    def get_attribute(self, obj, attr: str, node):
        standard = self.standard_attribute(obj, attr, node)
        if standard is not None:
            return standard
        if isinstance(obj, TorchName):
            if attr.startswith("__"):
                # torchvision.models.__dict__: the module's insides, outside the model
                return Opaque(f"{obj.path}.{attr}")
            return TorchName(f"{obj.path}.{attr}")
        if isinstance(obj, Namespace):
            if obj is MATH and attr in MATH_FUNCTIONS:
                return MATH_FUNCTIONS[attr]
            return Namespace(f"{obj.path}.{attr}", keras=False)
        if isinstance(obj, Module):
            for table in (obj._parameters, obj._modules, obj._buffers):
                if attr in table:
                    return table[attr]
            if not attr.startswith("_") and attr in obj.__dict__:
                return obj.__dict__[attr]
            if attr == "__setattr__":
                # self.__setattr__("level_%d" % i, subtree) (kuangliu's DLA): setattr on the module
                return Builtin("__setattr__", lambda host, a, k, n: BUILTINS["setattr"].fn(host, [obj, *a], k, n))
            if attr in _MODULE_METHODS or attr in _INERT_METHODS or attr in _OPAQUE_METHODS or attr == "forward":
                return BoundMethod(obj, attr)
            if self.in_forward and isinstance(obj, UserModule):
                raise self.error(f"forward() of {obj.class_name} uses self.{attr}, which __init__ never "
                                 f"created; create it in __init__ (self.{attr} = ...)", node)
            raise self.error(f"{module_type(obj)} has no attribute {attr!r} that the reader knows", node)
        if isinstance(obj, Parameter):
            if attr == "shape":
                return obj.shape
            if attr == "requires_grad":
                return obj.requires_grad
            if attr == "data":
                return obj
            return BoundMethod(obj, attr)
        if isinstance(obj, Buffer):
            value = torch_ops.attribute(self.as_tensor(obj), attr)
            return value if value is not None else BoundMethod(self.as_tensor(obj), attr)
        if isinstance(obj, Tensor):
            value = torch_ops.attribute(obj, attr)
            return value if value is not None else BoundMethod(obj, attr)
        if isinstance(obj, Opaque):
            return Opaque(f"{obj.path}.{attr}")
        if isinstance(obj, torch_ops.Pair) and attr in ("values", "indices"):
            return getattr(obj, attr)
        if isinstance(obj, (list, dict, str, tuple)) and attr in SAFE_METHODS.get(type(obj), ()):
            return BoundMethod(obj, attr)
        raise self.error(f"the reader does not know the attribute {attr!r} of {self.describe(obj)}", node)

    def set_attribute(self, obj, attr: str, value, node) -> None:
        if isinstance(obj, Instance):
            obj.attributes[attr] = value
            return
        if isinstance(obj, Module):
            self.interp.guard(value, node)
            if isinstance(value, Opaque) and not isinstance(value, FreeName):
                # a module assigned here would count: an unknown value must not vanish from it
                # (a free name is a size, self.n_head = n_head; called, it is refused below)
                raise self.error(f"self.{attr} = {value.path}: the reader cannot follow this value, and a "
                                 "module assigned here would count; write the module's class (nn.LSTM(...))",
                                 node)
            if isinstance(value, Tensor):
                # self.scale = torch.ones(3): a plain tensor attribute, neither counted nor saved
                object.__setattr__(obj, attr, value)
                return
            try:
                setattr(obj, attr, value)
            except (TypeError, AttributeError) as exc:
                raise self.error(f"cannot set {attr!r} on {self.describe(obj)}: {exc}", node) from None
            return
        if isinstance(obj, Parameter) and attr == "requires_grad":
            obj.requires_grad = self.interp.truth(value, node)
            return
        if isinstance(obj, (Opaque, Namespace, Tensor, TorchName)):
            # torch.backends.cudnn.benchmark = True: a setting of the machine, not of the model
            return
        raise self.error(f"the reader cannot set {attr!r} on {self.describe(obj)}", node)

    def get_item(self, container, key, node):
        if isinstance(container, (list, tuple, str, dict)):
            return python_item(self, container, key, node)
        if isinstance(container, Module) and hasattr(type(container), "__getitem__"):
            try:
                return container[key]
            except (IndexError, KeyError, TypeError):
                raise self.error(f"{module_type(container)} has no item {key!r}", node) from None
        if isinstance(container, Opaque):
            return Opaque(f"{container.path}[{key}]")
        if isinstance(container, RepeatedItems):
            raise self.unstacked(container, node)
        if isinstance(container, (Parameter, Buffer)):
            container = self.as_tensor(container)
        if isinstance(container, Tensor):
            key = tuple(sized(self, k) for k in key) if isinstance(key, tuple) else sized(self, key)
            try:
                return torch_ops.index(container, key)
            except ShapeError as exc:
                raise self.error(str(exc), node) from None
        raise self.error(f"cannot index {self.describe(container)}", node)

    def iterate(self, value, node):
        if isinstance(value, Module) and hasattr(type(value), "__iter__"):
            return list(value)
        if isinstance(value, Stacked):
            raise self.error(f"{module_type(value)}, a stack of {value.n} blocks, is read one block at "
                             "a time in `for block in stack:` (each block x = block(x)); give "
                             f"{value.n} a value with --subs to use it otherwise", node)
        if isinstance(value, RepeatedItems):
            raise self.unstacked(value, node)
        if isinstance(value, SymbolicRange):
            raise self.error(f"the loop runs {value.text} times, a free size; give it a value with "
                             f"--subs {value.text}=...", node)
        if isinstance(value, FreeName):
            raise self.error(f"the loop runs over the free name {value.path!r}; give it a value "
                             f"with --subs {value.path}=...", node)
        raise self.error(f"cannot loop over {self.describe(value)}", node)

    def repeated(self, value) -> bool:
        return isinstance(value, Stacked)

    def makes_model(self, value) -> bool:
        if isinstance(value, TorchName):
            last = value.path.split(".")[-1]
            return value.path.startswith("torch.nn.") and last in torch_nn.__all__ and last[:1].isupper()
        return super().makes_model(value)

    def unstacked(self, value: RepeatedItems, node) -> ReadError:
        return self.error(f"the {value.text} modules made for a free count become one stack in "
                          f"nn.ModuleList(...) or nn.Sequential(*...); give {value.text} a value with "
                          f"--subs {value.text}=... to use them otherwise", node)

    def repeat_loop(self, node: ast.For, scope: Scope, count) -> None:
        """``for block in self.h: x = block(x)`` over a stack of a free number of blocks: the
        body runs once, on one block, its products counted ``n`` times; every tensor it
        updates must keep its shape, as a stack's blocks do."""
        if isinstance(count, SymbolicRange):
            self.repeat_appends(node, scope, count)
            return
        stack = count
        trace = current()
        if trace is None:
            raise self.error(f"a loop over {module_type(stack)}, a stack of {stack.n} blocks, is read "
                             "inside forward(); give the number of blocks a value with --subs", node)
        before = {name: value.shape for name, value in scope.vars.items() if isinstance(value, Tensor)}
        self.interp.assign(node.target, stack.block, scope)
        try:
            with trace.repeated(stack, stack.block, stack.n):
                self.interp.exec_block(node.body, scope)
        except (_Break, _Continue):
            raise self.error("break and continue cannot stand in a loop over a stack of a free number "
                             "of blocks", node) from None
        for name, shape in before.items():
            after = scope.vars.get(name)
            if isinstance(after, Tensor) and not same_shape(shape, after.shape):
                raise self.error(f"the loop over {module_type(stack)} changes the shape of {name} from "
                                 f"{tuple(shape)} to {tuple(after.shape)}, so its {stack.n} blocks cannot "
                                 "be one stack; give the number of blocks a value with --subs", node)

    def repeat_appends(self, node: ast.For, scope: Scope, count: SymbolicRange) -> None:
        """``for _ in range(n_layer): self.layers.append(Block(d))`` with a free ``n_layer``, in
        ``__init__``: the body is read for the first two indices with its appends collected;
        one module appended each time to one empty list of ``self``, alike both times and
        nothing else registered, the list becomes a stack of ``n_layer`` blocks."""
        what = (f"the loop runs {count.text} times, a free size; give it a value with --subs "
                f"{count.text}=..., or make the modules in a comprehension: "
                f"nn.ModuleList([Block() for _ in range({count.text})])")
        owner = scope.lookup("self")[1]
        if not isinstance(owner, Module) or self.appended is not None:
            raise self.error(what, node)
        before = [id(m) for _, m in owner.named_modules()]
        made = []
        for index in (0, 1):
            self.appended = []
            try:
                self.interp.assign(node.target, index, scope)
                self.interp.exec_block(node.body, scope)
            except (_Break, _Continue):
                raise self.error("break and continue cannot stand in a loop over a free count", node) from None
            finally:
                appended, self.appended = self.appended, None
            if len(appended) != 1 or not isinstance(appended[0][1], Module) \
                    or [id(m) for _, m in owner.named_modules()] != before:
                raise self.error(what, node)
            made.append(appended[0])
        (target, first), (again, second) = made
        name = next((n for n, m in owner._modules.items() if m is target), None)
        if target is not again or name is None or len(target) or \
                _layout(first) != _layout(second) or \
                any(p is q for p in first.parameters() for q in second.parameters()):
            raise self.error(what, node)
        owner._modules[name] = Stacked(first, count.count, count.text)

    def repeat_items(self, node: ast.ListComp, scope: Scope, count: SymbolicRange):
        """``[Block(config) for _ in range(n_layer)]`` with a free ``n_layer``: the item is made
        for the first two indices; alike (the same modules, parameters and shapes, nothing
        shared), they stand for all ``n_layer``, which ``nn.ModuleList`` stacks."""
        gen = node.generators[0]
        made = []
        for index in (0, 1):
            inner = Scope(scope)
            self.interp.assign(gen.target, index, inner)
            made.append(self.interp.eval(node.elt, inner))
        first, second = made
        what = f"give {count.text} a value with --subs {count.text}=..."
        if not isinstance(first, Module) or isinstance(first, Stacked):
            raise self.error(f"the comprehension runs {count.text} times, a free size, and makes "
                             f"{self.describe(first)}; {what}", node)
        if first is second or any(p is q for p in first.parameters() for q in second.parameters()):
            raise self.error(f"the {count.text} modules this comprehension makes share parameters, so "
                             f"they are not {count.text} copies; {what}", node)
        if _layout(first) != _layout(second):
            raise self.error(f"the modules this comprehension makes differ with its index, so "
                             f"{count.text} of them are not one stack; {what}", node)
        return RepeatedItems(first, count.count, count.text)

    def tensor_operator(self, op: str, left, right, node):
        left, right = self.as_tensor(left), self.as_tensor(right)
        for side in (left, right):
            if not isinstance(side, (Tensor, int, float, sympy.Basic)) and side is not None:
                raise self.error(f"{self.describe(left)} {op} {self.describe(right)}: the reader "
                                 "combines tensors with tensors and numbers", node)
        try:
            return torch_ops.operator(op, left, right)
        except (ShapeError, torch_ops.NotFollowed) as exc:
            raise self.error(f"{op}: {exc}", node) from None

    # ---- calls -------------------------------------------------------------------------
    def call(self, func, args: list, kwargs: dict, node):
        if isinstance(func, Builtin):
            return func.fn(self, args, kwargs, node)
        if isinstance(func, TorchName):
            return self.call_torch(func, args, kwargs, node)
        if isinstance(func, BoundMethod):
            return self.call_method(func, args, kwargs, node)
        if isinstance(func, FreeName):
            # never defined: a module it stood for would go uncounted
            raise self.error(f"{func.path} is never defined in the file, so the reader cannot call it; "
                             "define it (or import it)", node)
        if isinstance(func, Opaque):
            return Opaque(f"{func.path}()")
        if isinstance(func, Namespace):
            if func.path in _SUMMARY_FUNCTIONS:
                return self.summary_call(func.path, args, kwargs, node)
            if func.path in ("copy.deepcopy", "copy.copy") and args and isinstance(args[0], Module):
                # each copy has its own parameters, as PyTorch's clones do
                import copy
                self.count_made(sum(1 for _ in args[0].named_modules()), node)
                return copy.deepcopy(args[0])
            return Opaque(f"{func.path}()")
        if isinstance(func, Module):
            return self.forward(func, [sized(self, a) for a in args],
                                {k: sized(self, v) for k, v in kwargs.items()}, node)
        raise self.error(f"{self.describe(func)} cannot be called", node)

    def call_torch(self, func: TorchName, args, kwargs, node):
        parts = func.path.split(".")
        last = parts[-1]
        args = [self.as_argument(a) for a in args]
        kwargs = {k: self.as_argument(v) for k, v in kwargs.items()}
        if parts[:3] == ["torch", "nn", "init"] or last in ("manual_seed", "set_default_dtype"):
            return None
        if func.path in _ACCELERATOR_CHECKS:
            # a device changes where the model runs, not what it counts
            if func.path not in self.assumed:
                self.assumed.append(func.path)
            return self.machine.cuda
        tensors = (Tensor, Parameter, Buffer)
        if parts[:3] == ["torch", "nn", "functional"] or \
                (any(isinstance(a, tensors) for a in (*args, *kwargs.values())) or
                 any(isinstance(a, (list, tuple)) and a and isinstance(a[0], tensors) for a in args)) \
                and not last[:1].isupper():
            return self.tensor_function(func.path, args, kwargs, node)
        if last == "Parameter" and parts[:2] == ["torch", "nn"]:
            data = args[0] if args else kwargs.get("data")
            if not isinstance(data, (Tensor, Parameter)):
                raise self.error("nn.Parameter(...) needs a tensor made from its shape, such as "
                                 "torch.zeros(3, 4)", node)
            return Parameter(data.shape, kwargs.get("requires_grad", args[1] if len(args) > 1 else True))
        if parts[:2] == ["torch", "nn"] and last in torch_nn.__all__ and last != "Module":
            return self.construct(last, args, kwargs, node)
        if parts[:2] == ["torch", "nn"] and last[:1].isupper():
            found = difflib.get_close_matches(last, torch_nn.__all__, n=3, cutoff=0.6)
            raise self.error(f"unknown PyTorch module nn.{last}"
                             + (f"; closest: {', '.join('nn.' + f for f in found)}" if found else ""), node)
        if len(parts) == 2 and last in torch_ops.FACTORIES:
            return self.tensor_function(func.path, args, kwargs, node)
        return Opaque(f"{func.path}()")

    def tensor_function(self, path: str, args, kwargs, node):
        args = [self.as_tensor(a) for a in args]
        kwargs = {k: self.as_tensor(v) for k, v in kwargs.items()}
        try:
            out = torch_ops.function(path, args, kwargs)
        except (ShapeError, torch_ops.NotFollowed) as exc:
            raise self.error(f"{path.replace('torch.nn.functional.', 'F.')}: {exc}", node) from None
        except (TypeError, IndexError):
            raise self.error(f"{path.replace('torch.nn.functional.', 'F.')}(): arguments the reader "
                             "does not follow", node) from None
        if out is NotImplemented:
            if ".functional." in path:
                raise self.error(f"F.{path.rsplit('.', 1)[-1]}() is given no tensor", node)
            return Opaque(f"{path}()")
        return out

    def summary_call(self, path: str, args, kwargs, node):
        """torchinfo's ``summary(model, input_size=(1, 3, 224, 224))``; torchsummary's
        ``summary(model, (3, 224, 224))``, whose size leaves out the batch."""
        model = args[0] if args else kwargs.get("model")
        size = args[1] if len(args) > 1 else kwargs.get("input_size", kwargs.get("input_data"))
        if not isinstance(model, Module) or size is None:
            return None
        sizes = [size] if isinstance(size, Tensor) or not isinstance(size[0], (list, tuple, Tensor)) else list(size)
        shapes = [s.shape if isinstance(s, Tensor) else tuple(s) for s in sizes]
        if path.startswith("torchsummary"):
            shapes = [(1,) + tuple(s) for s in shapes]
        self.forward(model, [Tensor(tuple(sized(self, d) for d in s)) for s in shapes], {}, node)
        return None

    def construct(self, name: str, args, kwargs, node):
        self.count_made(1, node)
        if any(isinstance(a, RepeatedItems) for a in (*args, *kwargs.values())):
            repeated = args[0] if len(args) == 1 and not kwargs else None
            if name not in ("ModuleList", "Sequential") or not isinstance(repeated, RepeatedItems):
                raise self.error(f"nn.{name} cannot take a free number of modules; give the count a "
                                 "value with --subs", node)
            return Stacked(repeated.item, repeated.count, repeated.text)
        for value in (*args, *kwargs.values()):
            if isinstance(value, (list, tuple, dict)):
                # registering each item is work: a list of a million modules is a million steps
                self.interp.walk(len(value), node, f"nn.{name}()")
        layers = kwargs.get("num_layers", args[2] if len(args) > 2 else 1) if name in ("RNN", "LSTM", "GRU") else 1
        if isinstance(layers, (int, sympy.Integer)) and layers > 1:
            # each of a recurrent module's layers has weights and a derivation of its own
            self.count_made(int(layers) - 1, node)
        cls = getattr(torch_nn, name)
        self.whole_sizes(name, cls, args, kwargs, node)
        try:
            return cls(*args, **kwargs)
        except TypeError as exc:
            # "Linear.__init__() got an unexpected keyword..." said as the call is written
            raise self.error(f"nn.{name}: " + re.sub(r"^(\w+\.)?__init__\(\) ", "", str(exc)), node) from None
        except (ValueError, ArithmeticError) as exc:
            raise self.error(f"nn.{name}: {exc}", node) from None

    def call_method(self, method: BoundMethod, args, kwargs, node):
        obj, name = method.owner, method.name
        if isinstance(obj, (list, dict, str, tuple)):
            return call_safe_method(self, obj, name, args, kwargs, node)
        if isinstance(obj, Module):
            return self.module_method(obj, name, args, kwargs, node)
        if isinstance(obj, Parameter):
            if name == "numel":
                return obj.numel
            if name == "size":
                return obj.shape if not args else obj.shape[args[0]]
            if name == "dim":
                return len(obj.shape)
            if name == "requires_grad_":
                obj.requires_grad = bool(args[0]) if args else True
                return obj
            obj = self.as_tensor(obj)
        if isinstance(obj, Tensor):
            try:
                return torch_ops.method(obj, name, [sized(self, a) for a in args],
                                        {k: sized(self, v) for k, v in kwargs.items()})
            except (ShapeError, torch_ops.NotFollowed) as exc:
                raise self.error(f".{name}(): {exc}", node) from None
            except (TypeError, IndexError):
                raise self.error(f".{name}(): arguments the reader does not follow", node) from None
        raise self.error(f"the reader does not follow {name}() here", node)

    def module_method(self, obj: Module, name: str, args, kwargs, node):
        if name in _INERT_METHODS:
            return obj
        if name in _OPAQUE_METHODS:
            return Opaque(f"{module_type(obj)}.{name}()")
        if name == "forward":
            return self.forward(obj, list(args), dict(kwargs), node)
        if name == "register_buffer":
            buf_name, value = args[0], args[1] if len(args) > 1 else kwargs.get("tensor")
            persistent = kwargs.get("persistent", args[2] if len(args) > 2 else True)
            obj.register_buffer(buf_name, None if value is None else getattr(value, "shape", ()),
                                persistent=persistent)
            return None
        if name == "register_parameter":
            obj.register_parameter(args[0], args[1] if len(args) > 1 else kwargs.get("param"))
            return None
        if self.appended is not None and name == "append" and len(args) == 1 and not kwargs:
            # the body of a loop over a free count, read once: the append is collected
            self.appended.append((obj, args[0]))
            return obj
        if name in ("add_module", "append", "extend", "insert") and hasattr(obj, name):
            try:
                getattr(obj, name)(*args, **kwargs)
            except TypeError as exc:
                raise self.error(f"{module_type(obj)}.{name}(): {exc}", node) from None
            return None if name == "add_module" else obj
        if name in ("parameters", "buffers", "children", "modules"):
            if name == "modules":
                return [m for _, m in obj.named_modules()]
            if name == "children":
                return list(obj.children())
            return [b for _, b in obj.named_buffers()] if name == "buffers" else list(obj.parameters())
        if name in ("named_parameters", "named_modules", "named_children", "named_buffers"):
            items = {"named_parameters": obj.named_parameters, "named_buffers": obj.named_buffers,
                     "named_modules": obj.named_modules,
                     "named_children": lambda: obj._modules.items()}[name]()
            return [tuple(x) for x in items]
        if name == "requires_grad_":
            return obj.requires_grad_(bool(args[0]) if args else True)
        if name in ("keys", "values", "items") and hasattr(obj, name):
            return list(getattr(obj, name)())
        raise self.error(f"the reader does not follow {module_type(obj)}.{name}()", node)

    # ---- the file's own classes -------------------------------------------------------
    def define_class(self, cls: UserClass, node):
        # Every base is looked at: class Linear(Bottle, nn.Linear) (pytorch/examples' SNLI) has a
        # module mixin first and the built-in whose weights it has second
        for base in cls.bases:
            if isinstance(base, UserClass):
                if base.kind != "plain":
                    cls.kind = base.kind
                continue
            if isinstance(base, TorchName):
                last = base.path.split(".")[-1]
                if last == "Module":
                    cls.kind = "module"
                    continue
                builtin = getattr(torch_nn, last, None) if base.path.startswith("torch.nn.") else None
                if isinstance(builtin, type) and issubclass(builtin, Module):
                    # class TransformerModel(nn.Transformer): the base's weights and forward,
                    # and what the class adds or overrides
                    cls.kind = "module"
                    if cls.framework_base is not None and cls.framework_base is not builtin:
                        raise self.error(f"class {cls.name} extends two of PyTorch's modules, "
                                         f"{cls.framework_base.__name__} and {last}; the reader follows one", node)
                    cls.framework_base = builtin
                # torch.optim.Optimizer, torch.utils.data.Dataset...: a plain class, outside the
                # model; only an object of it used as a module would matter, and says so then
        return cls

    def framework_class_of(self, obj) -> Optional[UserClass]:
        return obj.user_class if isinstance(obj, UserModule) else None

    def framework_attributes(self, obj) -> Optional[dict]:
        if isinstance(obj, UserModule):
            # Read through one view, as nn.Module.__getattr__ finds them; writes go
            # through set_attribute, which registers.
            plain = {k: v for k, v in obj.__dict__.items() if not k.startswith("_")}
            return {**plain, **{k: v for k, v in obj._buffers.items()},
                    **obj._modules, **obj._parameters}
        return None

    def framework_instance(self, cls: UserClass, args, kwargs, node):
        base = next((c.framework_base for c in cls.mro() if c.framework_base is not None), None)
        obj = derived_module(base, cls.name, self.run_user_forward, cls) if base is not None else \
            UserModule(cls.name, self.run_user_forward, cls)
        if not self.interp.run_init(cls, obj, list(args), dict(kwargs), node) and base is not None:
            # class MyLinear(nn.Linear) with no __init__ of its own: the base's takes the arguments
            self.run_base(base, "__init__", obj, list(args), dict(kwargs), node)
        return obj

    def super_attribute(self, sup, attr: str, node):
        base = getattr(type(sup.instance), "builtin_base", None)
        if base is not None and attr in ("__init__", "forward"):
            # super().__init__(d_model=...) of a class extending nn.Transformer: the base's own
            return Builtin(attr, lambda host, a, k, n: self.run_base(base, attr, sup.instance, a, k, n))
        if attr == "__init__":
            # nn.Module.__init__: the registry is already there.
            return Builtin("__init__", lambda host, a, k, n: None)
        raise self.error(f"super().{attr} reaches PyTorch's own base class, which the reader does not "
                         "follow", node)


#: the arguments of torch.nn's modules that are sizes, which PyTorch takes as whole numbers only
_SIZE_ARGUMENTS = frozenset({
    "in_features", "out_features", "in1_features", "in2_features", "in_channels", "out_channels",
    "kernel_size", "stride", "padding", "dilation", "groups", "num_features", "num_embeddings",
    "embedding_dim", "hidden_size", "input_size", "proj_size", "num_layers", "d_model", "nhead",
    "dim_feedforward", "num_encoder_layers", "num_decoder_layers", "embed_dim", "num_heads", "kdim",
    "vdim", "num_groups", "num_channels", "num_parameters", "upscale_factor", "downscale_factor"})


@functools.lru_cache(maxsize=None)
def _parameter_names(cls: type) -> tuple:
    """The names of a module class's constructor arguments, in order (looked up once per class:
    every module the file makes asks)."""
    import inspect
    try:
        return tuple(inspect.signature(cls.__init__).parameters)[1:]
    except (TypeError, ValueError):
        return ()


def _layout(module: Module) -> tuple:
    """What makes two modules copies of one block: their modules' types, and their
    parameters' and buffers' names, shapes and flags."""
    return (tuple((name, module_type(m)) for name, m in module.named_modules()),
            tuple((name, tuple(map(str, p.shape)), p.requires_grad) for name, p in module.named_parameters()),
            tuple((name, tuple(map(str, b.shape))) for name, b in module.named_buffers()))

