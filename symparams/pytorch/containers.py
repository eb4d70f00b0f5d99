"""``torch/nn/modules/container.py``: Sequential, ModuleList, ModuleDict, ParameterList and
ParameterDict, registering their items under the names PyTorch gives them ("0", "1", ...
or the dict's keys)."""

from __future__ import annotations

from collections import OrderedDict

from .module import ForwardError, Module, Parameter


class _Indexed(Module):
    """Modules kept under "0", "1", ...: appended, counted, iterated and indexed in order."""

    def append(self, module: Module):
        self.add_module(str(len(self._modules)), module)
        return self

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def __getitem__(self, index):
        items = list(self._modules.values())
        return type(self)(*self._wrap(items[index])) if isinstance(index, slice) else items[index]

    @staticmethod
    def _wrap(items: list) -> tuple:
        return tuple(items)


class Sequential(_Indexed):
    def __init__(self, *args):
        super().__init__()
        if len(args) == 1 and isinstance(args[0], (dict, OrderedDict)):
            for key, module in args[0].items():
                self.add_module(str(key), module)
        else:
            for module in args:
                self.append(module)

    def forward(self, input):
        for module in self:
            input = module(input)
        return input


class ModuleList(_Indexed):
    def __init__(self, modules=None):
        super().__init__()
        self.extend(modules or ())

    @staticmethod
    def _wrap(items: list) -> tuple:
        return (items,)

    def forward(self, *args, **kwargs):
        raise ForwardError("a ModuleList is not called (PyTorch raises NotImplementedError): loop over "
                           "it in forward(), as in for layer in self.layers: x = layer(x)")

    def extend(self, modules) -> "ModuleList":
        for m in modules:
            self.append(m)
        return self

    def insert(self, index: int, module: Module) -> None:
        items = list(self._modules.values())
        items.insert(index, module)
        self._modules.clear()
        self.extend(items)


class ModuleDict(Module):
    def __init__(self, modules=None):
        super().__init__()
        for key, module in (dict(modules) if modules else {}).items():
            self.add_module(str(key), module)

    def __setitem__(self, key: str, module: Module) -> None:
        self.add_module(str(key), module)

    def forward(self, *args, **kwargs):
        raise ForwardError("a ModuleDict is not called: call its modules, as in self.heads['name'](x)")

    def __getitem__(self, key: str) -> Module:
        return self._modules[key]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules)

    def keys(self):
        return self._modules.keys()

    def values(self):
        return self._modules.values()

    def items(self):
        return self._modules.items()


class ParameterList(Module):
    def __init__(self, values=None):
        super().__init__()
        for p in values or ():
            self.append(p)

    def append(self, value: Parameter) -> "ParameterList":
        self.register_parameter(str(len(self._parameters)), value)
        return self

    def __len__(self) -> int:
        return len(self._parameters)

    def __getitem__(self, index: int) -> Parameter:
        return list(self._parameters.values())[index]


class ParameterDict(Module):
    def __init__(self, parameters=None):
        super().__init__()
        for key, p in (dict(parameters) if parameters else {}).items():
            self.register_parameter(str(key), p)

    def __setitem__(self, key: str, value: Parameter) -> None:
        self.register_parameter(str(key), value)

    def __getitem__(self, key: str) -> Parameter:
        return self._parameters[key]


class Stacked(Module):
    """``n`` copies of one block, where ``n`` may be a free size (a config's
    ``num_hidden_layers`` left symbolic): PyTorch has no such module, so this is what a
    ``ModuleList`` of ``n`` blocks counts, written once. Each of the block's parameters
    is held stacked, with a leading axis of length ``n``, under the name it has in every
    copy with ``*`` for the index (``layers.*.self_attn.q_proj.weight``), as the Keras
    side's ``Repeat`` stacks a block's weights."""

    described_by = ("n", "count_field")

    prose = "torch_stacked"

    def __init__(self, block: Module, n, count_field: str = "n"):
        super().__init__()
        from ..core.dims import as_size
        object.__setattr__(self, "block", block)
        object.__setattr__(self, "n", as_size(n))
        object.__setattr__(self, "count_field", count_field)
        object.__setattr__(self, "class_name", f"{_type_of(block)} × {self.n}")
        for name, p in block.named_parameters():
            self._parameters[f"*.{name}"] = Parameter((self.n, *p.shape), p.requires_grad)
        for name, b in block.named_buffers():
            self.register_buffer(f"*.{name}", (self.n, *b.shape), b.persistent, b.dtype)

    def textbook(self):
        from ..core.formula import mul
        from ..keras.layers.textbook import DERIVED, Textbook, arg
        t = Textbook()
        t.formula = mul(t.q("n", self.n, arg(self.count_field)),
                        t.q("P_block", self.block.count(), DERIVED))
        return t

    def forward(self, x, *args, **kwargs):
        """``nn.Sequential(*[Block() for _ in range(n)])``: the blocks one after another, so
        each must give what it was given; one block's forward is traced, counted ``n`` times."""
        from .tensor import Tensor
        from .trace import current
        trace = current()
        if trace is None:
            out = self.block(x, *args, **kwargs)
        else:
            with trace.repeated(self, self.block, self.n):
                out = self.block(x, *args, **kwargs)
        if not isinstance(x, Tensor) or not isinstance(out, Tensor) or not same_shape(x.shape, out.shape):
            raise ForwardError(f"each of the {self.n} blocks of {self.class_name} must keep its input's "
                               "shape to be stacked; give the number of blocks a value")
        return out


def same_shape(a: tuple, b: tuple) -> bool:
    """Two shapes equal for every value of their sizes."""
    import sympy
    return len(a) == len(b) and all(sympy.expand(sympy.Integer(0) + p - q) == 0 for p, q in zip(a, b))


def _type_of(block: Module) -> str:
    from .module import module_type
    return module_type(block)
