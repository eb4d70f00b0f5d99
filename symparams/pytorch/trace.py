"""One forward pass followed on shapes: which modules ran, on what, giving what, and the
multiply-accumulates each did.

A module call while a trace is open is recorded as a :class:`Call`, as a forward hook
would see it (``register_forward_hook`` fires for every module called as a module;
MultiheadAttention's ``out_proj``, which PyTorch applies with ``F.linear``, is not
called and has no row). The multiply-accumulates of a call include those of the calls
and functions inside it.

Convention (:data:`CONVENTION`): the whole input, batch included, as PyTorch is given
it; only matrix products and convolutions (what ``torch.utils.flop_counter`` counts,
which reports FLOPs = 2·MACs); every query–key product is counted, as PyTorch computes
them all before masking; a recurrent layer does its products at every time step.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable, Iterator, Optional

import sympy

from .module import CALL_HOOK, ForwardError, Module, module_type

ZERO = sympy.Integer(0)

CONVENTION = ("MACs are the multiply-accumulates of one forward pass on the whole input, batch "
              "included; FLOPs = 2·MACs. Only matrix products and convolutions are counted, as "
              "torch.utils.flop_counter counts them (bias additions, activations, normalization, "
              "pooling and softmax are not). Attention counts every query-key product, since "
              "PyTorch computes them all before masking; a recurrent layer counts its products at "
              "every time step.")

@dataclass
class Call:
    """One call of a module: its inputs' and output's shapes and its multiply-accumulates
    (with those of everything it called)."""

    name: str
    type: str
    depth: int
    inputs: tuple
    output: object = None
    macs: sympy.Expr = ZERO
    #: what the counted products were, in order: ("attention products", macs), ...
    parts: list = field(default_factory=list)


class Trace:
    """The calls of one forward pass of ``root``, in the order they began."""

    def __init__(self, root: Module):
        self.root = root
        self.names = {id(m): n for n, m in root.named_modules()}
        self.calls: list[Call] = []
        self.stack: list[Call] = []
        self.macs = ZERO
        self.inputs: tuple = ()
        self.output = None
        #: how many times the code now running runs: n inside a stack of n blocks traced once
        self.multiplier = sympy.Integer(1)

    def call(self, module: Module, args: tuple, kwargs: dict, run: Callable):
        name = self.names.get(id(module))
        if name is None:
            # a module made inside forward(): PyTorch would run it with fresh weights
            name = f"<{module_type(module)} made in forward>"
        record = Call(name, module_type(module), len(self.stack), _shapes(args))
        self.calls.append(record)
        self.stack.append(record)
        try:
            _check_arguments(module, run, args, kwargs)
            out = run(*args, **kwargs)
            own = module.macs(args, out)
            parts = own if isinstance(own, list) else [(getattr(module, "macs_part", "products"), own)]
            for what, macs in parts:
                if macs != 0:
                    self.count(macs, what)
        finally:
            self.stack.pop()
        record.output = _shapes(out)
        return out

    def count(self, macs, what: str = "products") -> None:
        """Multiply-accumulates done now: they belong to every call that is running."""
        macs = sympy.expand(macs * self.multiplier)
        self.macs = sympy.expand(self.macs + macs)
        for frame in self.stack:
            frame.macs = sympy.expand(frame.macs + macs)
        if self.stack:
            self.stack[-1].parts.append((what, macs))

    @contextmanager
    def repeated(self, stack: Module, block: Module, n) -> Iterator[None]:
        """The forward of one block of a stack of ``n`` (a ``Stacked``), traced once: its
        products count ``n`` times, and its modules are named as the stack names its
        parameters (``h.*.attn``)."""
        prefix = self.names.get(id(stack), "")
        for name, sub in block.named_modules():
            self.names.setdefault(id(sub), ".".join(p for p in (prefix, "*", name) if p))
        outer = self.multiplier
        self.multiplier = outer * n
        try:
            yield
        finally:
            self.multiplier = outer

    def first_calls(self) -> dict[str, Call]:
        """Each module's first call (as a forward hook that keeps the first output)."""
        out: dict[str, Call] = {}
        for c in self.calls:
            out.setdefault(c.name, c)
        return out

    def module_macs(self) -> dict[str, sympy.Expr]:
        """Each module's multiply-accumulates over all its calls."""
        out: dict[str, sympy.Expr] = {}
        for c in self.calls:
            out[c.name] = sympy.expand(out.get(c.name, ZERO) + c.macs)
        return out


def _shapes(value):
    from .tensor import Tensor
    if isinstance(value, Tensor):
        return value.shape
    if isinstance(value, (tuple, list)):
        return tuple(_shapes(v) for v in value)
    return None


def current() -> Optional[Trace]:
    """The trace whose call hook is set (the one forward pass being followed), if any."""
    return getattr(CALL_HOOK.get(), "__self__", None)


@contextmanager
def tracing(root: Module) -> Iterator[Trace]:
    trace = Trace(root)
    hook = CALL_HOOK.set(trace.call)
    try:
        yield trace
    finally:
        CALL_HOOK.reset(hook)


def count(macs, what: str = "products") -> None:
    """Multiply-accumulates of a function (``F.linear``, ``@``) in the running trace."""
    trace = current()
    if trace is not None:
        trace.count(macs, what)


def outputs(output) -> tuple:
    """A call's output as a tuple of shapes: one tensor, or each tensor of a tuple it returns
    (an LSTM's output, then its states)."""
    if output is None:
        return ()
    if all(not isinstance(d, tuple) and d is not None for d in output):
        return (output,)
    out = []
    for o in output:
        if o is not None:
            out.extend(outputs(o))
    return tuple(out)


def _check_arguments(module: Module, run: Callable, args: tuple, kwargs: dict) -> None:
    """A module's own ``forward`` given inputs it does not take (``--input-size`` twice for a
    Sequential) is a one-line error, as PyTorch's TypeError is, never an internal one."""
    import inspect
    try:
        signature = inspect.signature(run)
    except (TypeError, ValueError):
        return
    try:
        signature.bind(*args, **kwargs)
    except TypeError as exc:
        raise ForwardError(f"{module_type(module)}.forward() cannot take these inputs ({exc}); its "
                           f"forward is forward{signature}") from None
