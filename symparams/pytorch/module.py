"""PyTorch's ``nn.Module`` as sizes: parameters, buffers and submodules, registered as
PyTorch registers them (``torch/nn/modules/module.py``), with sympy sizes.

A module holds three ordered tables, as ``nn.Module`` does: ``_parameters``,
``_buffers`` and ``_modules``. Assigning a :class:`Parameter` or a :class:`Module` to
an attribute registers it under that name, so ``self.fc = Linear(4, 2)`` makes the
parameters ``fc.weight`` and ``fc.bias``. Assigning another module's parameter ties
the two (``self.lm_head.weight = self.wte.weight``): it is one tensor, which
:meth:`Module.parameters` yields once, as PyTorch's ``remove_duplicate=True`` does.
"""

from __future__ import annotations

import contextvars
from dataclasses import dataclass
from typing import Callable, Iterator, Optional

import sympy

from ..core.dims import as_size
from ..core.in_place import InPlace

ONE = sympy.Integer(1)
ZERO = sympy.Integer(0)

#: what runs a module call: set by a trace (:mod:`symparams.pytorch.trace`) to record
#: each call, as PyTorch's global forward hooks (``register_module_forward_hook``) do
CALL_HOOK: contextvars.ContextVar = contextvars.ContextVar("symparams_torch_call", default=None)


class ForwardError(ValueError):
    """A forward the reader cannot follow, or shapes that do not fit (the message says which)."""


def numel(shape: tuple) -> sympy.Expr:
    """The number of entries of a tensor of this shape (1 for a scalar's ``()``)."""
    out = ONE
    for s in shape:
        out = out * s
    return sympy.expand(out)


class Parameter:
    """A learned tensor: its shape and whether it takes gradients. Compared by identity,
    so a tied weight is the same object under two names."""

    __slots__ = ("shape", "requires_grad")

    def __init__(self, shape, requires_grad: bool = True):
        # nn.Parameter(torch.zeros(3, 4)) gives a tensor; symparams keeps its shape.
        shape = getattr(shape, "shape", shape)
        self.shape = tuple(as_size(s) for s in shape)
        if None in self.shape:
            # nn.Linear(4, None): PyTorch's torch.empty refuses a size that is None, as here
            raise ValueError(f"a weight of shape ({', '.join(map(str, self.shape))}) has a size that is "
                             "None; each size argument must be a whole number")
        self.requires_grad = bool(requires_grad)

    @property
    def numel(self) -> sympy.Expr:
        return numel(self.shape)

    def __repr__(self) -> str:
        return f"Parameter(shape={self.shape})"


@dataclass(frozen=True)
class Buffer:
    """State that is not a parameter (BatchNorm's running mean): saved, never trained."""

    shape: tuple
    persistent: bool = True
    dtype: str = "float32"

    @property
    def numel(self) -> sympy.Expr:
        return numel(self.shape)


class Module(InPlace):
    """The base of every PyTorch module: the registry of parameters, buffers and children."""

    #: a copy at numbers (:meth:`at`) is of this module alone; its children are their own
    in_place_links = frozenset({"_modules"})

    def __init__(self, *args, **kwargs):
        object.__setattr__(self, "_parameters", {})
        object.__setattr__(self, "_buffers", {})
        object.__setattr__(self, "_modules", {})
        object.__setattr__(self, "training", True)

    # ---- registration, as nn.Module.__setattr__ does it -------------------------------
    def __setattr__(self, name: str, value) -> None:
        if "_parameters" not in self.__dict__:
            raise AttributeError("cannot assign before Module.__init__() call")
        if isinstance(value, Parameter):
            self._modules.pop(name, None)
            self._buffers.pop(name, None)
            self._parameters[name] = value
        elif isinstance(value, Module):
            self._parameters.pop(name, None)
            self._buffers.pop(name, None)
            self._modules[name] = value
        elif value is None and any(name in t for t in (self._parameters, self._buffers, self._modules)):
            for table in (self._parameters, self._buffers, self._modules):
                if name in table:
                    table[name] = None
        else:
            object.__setattr__(self, name, value)

    def __getattr__(self, name: str):
        d = self.__dict__
        for table in ("_parameters", "_buffers", "_modules"):
            if table in d and name in d[table]:
                return d[table][name]
        raise AttributeError(f"{type(self).__name__} has no attribute {name!r}")

    def register_parameter(self, name: str, param: Optional[Parameter]) -> None:
        self._parameters[name] = param

    def register_buffer(self, name: str, shape, persistent: bool = True, dtype: str = "float32") -> None:
        """``shape``: the buffer's shape, or a tensor that has one (as torch takes a tensor)."""
        shape = getattr(shape, "shape", shape)
        self._buffers[name] = None if shape is None else Buffer(tuple(as_size(s) for s in shape),
                                                                persistent, dtype)

    def add_module(self, name: str, module: Optional["Module"]) -> None:
        if module is not None and not isinstance(module, Module):
            # nn.Module.add_module refuses it the same way
            raise TypeError(f"submodule {name!r} is not a module ({_what(module)})")
        self._modules[name] = module

    # ---- walking, as named_modules / named_parameters do it ----------------------------
    def named_children(self) -> Iterator[tuple[str, "Module"]]:
        seen: set = set()
        for name, child in self._modules.items():
            if child is not None and id(child) not in seen:
                seen.add(id(child))
                yield name, child

    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, "Module"]]:
        seen: set = set()

        def walk(module: Module, prefix: str):
            if id(module) in seen:
                return
            seen.add(id(module))
            yield prefix, module
            for name, child in module._modules.items():
                if child is not None:
                    yield from walk(child, f"{prefix}.{name}" if prefix else name)
        yield from walk(self, prefix)

    def named_parameters(self, recurse: bool = True, remove_duplicate: bool = True
                         ) -> Iterator[tuple[str, Parameter]]:
        seen: set = set()
        modules = self.named_modules() if recurse else [("", self)]
        for prefix, module in modules:
            for name, p in module._parameters.items():
                if p is None or (remove_duplicate and id(p) in seen):
                    continue
                seen.add(id(p))
                yield (f"{prefix}.{name}" if prefix else name), p

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        for _, p in self.named_parameters(recurse):
            yield p

    def named_buffers(self, recurse: bool = True) -> Iterator[tuple[str, Buffer]]:
        modules = self.named_modules() if recurse else [("", self)]
        for prefix, module in modules:
            for name, b in module._buffers.items():
                if b is not None:
                    yield (f"{prefix}.{name}" if prefix else name), b

    def children(self) -> Iterator["Module"]:
        for m in self._modules.values():
            if m is not None:
                yield m

    def counted_names(self) -> dict:
        """Each parameter tensor (by ``id``) and the name PyTorch counts it under: the first
        of the names it is registered by (a tied ``lm_head.weight`` is ``wte.weight``)."""
        first: dict = {}
        for name, p in self.named_parameters(remove_duplicate=False):
            first.setdefault(id(p), name)
        return first

    def tied(self) -> list[tuple[str, str]]:
        """``(name, the earlier name of the same tensor)`` for every tied parameter."""
        first = self.counted_names()
        return [(name, first[id(p)]) for name, p in self.named_parameters(remove_duplicate=False)
                if first[id(p)] != name]

    # ---- counts --------------------------------------------------------------------------
    def count(self, recurse: bool = True) -> sympy.Expr:
        """Parameters, each tensor once (``sum(p.numel() for p in m.parameters())``)."""
        return sympy.expand(sum((p.numel for p in self.parameters(recurse)), sympy.Integer(0)))

    def trainable_count(self) -> sympy.Expr:
        return sympy.expand(sum((p.numel for p in self.parameters() if p.requires_grad), sympy.Integer(0)))

    def buffer_count(self, recurse: bool = True) -> sympy.Expr:
        return sympy.expand(sum((b.numel for _, b in self.named_buffers(recurse)), sympy.Integer(0)))

    def requires_grad_(self, requires_grad: bool = True) -> "Module":
        for p in self.parameters():
            p.requires_grad = requires_grad
        return self

    def eval(self) -> "Module":
        return self

    def train(self, mode: bool = True) -> "Module":
        return self

    # ---- explaining the count -------------------------------------------------------------
    #: the key of the words that explain this kind of module (templates/prose.j2)
    prose = "torch_module"
    #: the exam's misconceptions (tags in symparams/exam/misconceptions.py) that apply to it
    misconceptions: frozenset = frozenset()
    #: whether the module is an embedding table (nn.Embedding), which scaling laws leave out of N
    embedding_table = False
    #: what it is in any framework, so that ``symparams compare`` lines up a Linear with a
    #: Keras Dense ("linear"); None: a kind of its own, named by its type
    kind: Optional[str] = None
    #: the prefix of the parameters that are a recurrent module's second bias (``bias_hh``:
    #: PyTorch keeps b_ih and b_hh per gate, cuDNN's layout); "" where there is none
    second_bias = ""
    #: whether its weights put the output axis first: PyTorch's are (out, in, ...)
    kernel_out_first = True
    #: the attributes the words of its derivation read (templates/prose.j2), besides those
    #: its base classes name; ``class_name`` names a user's class or a family's
    described_by: tuple = ("class_name",)

    def description(self) -> dict:
        """What the words of its derivation say of it: each attribute its classes name in
        ``described_by`` that it has, and whether it learns a bias."""
        names: list = []
        for cls in reversed(type(self).__mro__):
            names += [n for n in vars(cls).get("described_by", ()) if n not in names]
        out = {n: getattr(self, n) for n in names if getattr(self, n, None) is not None}
        out["bias"] = self.has_bias()
        return out

    def has_bias(self) -> bool:
        """Whether it learns a bias (its parameter ``bias``)."""
        return self._parameters.get("bias") is not None

    def textbook(self):
        """Its own parameter count as a formula in named sizes
        (:class:`~symparams.layers.textbook.Textbook`), or None where the count is just
        the entries of its parameters (a user's ``nn.Parameter``)."""
        return None

    # ---- forward, on shapes ----------------------------------------------------------------
    def __call__(self, *args, **kwargs):
        hook = CALL_HOOK.get()
        if hook is None:
            return self.forward(*args, **kwargs)
        return hook(self, args, kwargs, self.forward)

    def forward(self, *args, **kwargs):
        """The output's shape from the inputs' (:class:`~symparams.pytorch.tensor.Tensor`)."""
        raise ForwardError(f"the reader does not follow the forward of {module_type(self)}")

    def macs(self, inputs: tuple, output) -> sympy.Expr:
        """Multiply-accumulates of this module's own matrix products and convolutions
        (those of the modules it calls are theirs)."""
        return ZERO

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"

    def _repr_mimebundle_(self, include=None, exclude=None):
        # In a notebook: the summary as text, and the diagram with the table as HTML
        # (symparams.page registers the view).
        from ..core.views import view
        return {"text/plain": repr(self), **view("model", self)}


class UserModule(Module):
    """An object of a class the file defines that extends ``nn.Module``."""

    def __init__(self, class_name: str, run_forward: Optional[Callable] = None, user_class=None):
        super().__init__()
        object.__setattr__(self, "class_name", class_name)
        # the reader's way to run the file's own forward (in its interpreter), and the
        # reader's record of the class: shared by copies, never copied
        object.__setattr__(self, "run_forward", run_forward)
        object.__setattr__(self, "user_class", user_class)

    def __deepcopy__(self, memo):
        """``copy.deepcopy(block)`` (a transformer's ``clones``): new parameters, the same class."""
        import copy
        clone = object.__new__(type(self))
        memo[id(self)] = clone
        for key, value in self.__dict__.items():
            shared = key in ("run_forward", "user_class")
            object.__setattr__(clone, key, value if shared else copy.deepcopy(value, memo))
        return clone

    def forward(self, *args, **kwargs):
        if self.run_forward is None:
            raise ForwardError(f"{self.class_name} has no forward() the reader can follow")
        return self.run_forward(self, args, kwargs)

    def __repr__(self) -> str:
        return f"<{self.class_name}>"


_DERIVED: dict = {}


def derived_module(base: type, class_name: str, run_forward: Callable, user_class) -> "UserModule":
    """An object of a file's class that extends one of PyTorch's modules
    (``class TransformerModel(nn.Transformer)``), before its ``__init__`` runs: it is a
    :class:`UserModule` (its own attributes register, its own ``forward`` runs) and an object
    of ``base``, whose ``__init__`` (``super().__init__(...)``) makes the base's parameters
    and whose ``forward`` runs where the class defines none."""
    cls = _DERIVED.get(base)
    if cls is None:
        cls = _DERIVED[base] = type(f"Derived{base.__name__}", (_Derived, base), {"builtin_base": base})
    obj = cls.__new__(cls)
    Module.__init__(obj)
    object.__setattr__(obj, "class_name", class_name)
    object.__setattr__(obj, "run_forward", run_forward)
    object.__setattr__(obj, "user_class", user_class)
    return obj


class _Derived(UserModule):
    builtin_base: type = Module

    def __init__(self, *args, **kwargs):   # never called: derived_module makes them
        raise TypeError("made by derived_module")

    def forward(self, *args, **kwargs):
        cls = self.user_class
        if cls is not None and cls.lookup("forward")[0]:
            return self.run_forward(self, args, kwargs)
        return self.builtin_base.forward(self, *args, **kwargs)


def module_type(module: Module) -> str:
    """A module's class as PyTorch names it (a LazyLinear is a Linear once it has run)."""
    if isinstance(module, UserModule) or "class_name" in module.__dict__:
        return module.class_name
    return getattr(type(module), "becomes", type(module).__name__)


def _what(value) -> str:
    """What a value that is not a module is, in the words of an error (no internal class name)."""
    if isinstance(value, bool):
        return f"it is {value}"
    if isinstance(value, (int, float)) or (isinstance(value, sympy.Basic) and value.is_number):
        return f"it is the number {value}"
    if isinstance(value, str):
        return f"it is the text {value!r}"
    if isinstance(value, sympy.Basic):
        return f"it is {value}, which the reader cannot follow: a function or name the file never defines"
    if isinstance(value, (list, tuple, dict)):
        return f"it is a {type(value).__name__}; unpack a list of modules with *"
    return "it is a value the reader cannot follow"
