"""A spec whose source is PyTorch code, read once as the Keras ones are
(:mod:`symparams.exam.views`).

Its rows are the modules a student counts: each module without children (``conv1``,
``features.0``), and any module with parameters of its own (a user's ``nn.Parameter``),
in ``named_modules()`` order; a tensor two modules hold is counted at its first. The
output shapes, the inputs' shapes and the multiply-accumulates come from the forward
pass the source runs (``model(torch.randn(1, 3, size, size))`` at its end), batch
included, as PyTorch gives them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

import sympy

from ..pytorch import window
from ..pytorch.derivation import derive_module
from ..pytorch.summary import summarize_module
from ..pytorch.module import module_type
from ..readers import read_source
from .misconceptions import TORCH_SHAPE_RULES
from .program import Values
from .views import Reading, gather_expressions

ZERO = sympy.Integer(0)


@dataclass(frozen=True)
class _Weight:
    name: str
    shape: tuple
    trainable: bool


@dataclass(frozen=True)
class _Row:
    """One module as a row of the summary the exam asks about."""

    name: str
    type: str
    output_shapes: tuple
    params: Any
    trainable: Any
    non_trainable: Any
    weights: tuple
    buffers: tuple                  # (name, shape)
    layer: Any


@dataclass(frozen=True)
class _Summary:
    rows: tuple
    total: Any
    trainable: Any
    non_trainable: Any


@dataclass(frozen=True)
class _MacRow:
    name: str
    macs: Any


@dataclass(frozen=True)
class _Compute:
    rows: tuple
    macs: Any


class TorchReading(Reading):
    """A PyTorch module read from the spec's source, with the forward pass the source runs."""

    framework = "pytorch"
    shape_rules = TORCH_SHAPE_RULES

    def _read(self) -> None:
        result = read_source(self.source, self.path, self.bound)
        self.model = result.module
        self.trace = result.trace_of(self.model)
        first = self.trace.first_calls() if self.trace is not None else {}
        rows, inputs, seen = [], [], set()
        for name, m in self.model.named_modules():
            own = [(n, p) for n, p in m._parameters.items() if p is not None]
            if m._modules and not own:
                continue                    # a container: its children are the rows
            counted = [(n, p) for n, p in own if id(p) not in seen]
            seen.update(id(p) for _, p in own)
            params = sympy.expand(sum((p.numel for _, p in counted), ZERO))
            trainable = sympy.expand(sum((p.numel for _, p in counted if p.requires_grad), ZERO))
            call = first.get(name)
            # the model's own parameters (beside its children's) under its class's name
            rows.append(_Row(name or module_type(m), module_type(m),
                             _outputs(call.output) if call is not None else (), params, trainable,
                             sympy.expand(params - trainable),
                             tuple(_Weight(n, p.shape, p.requires_grad) for n, p in counted),
                             tuple((n, b.shape) for n, b in m._buffers.items() if b is not None), m))
            inputs.append(_first_shape(call.inputs) if call is not None else None)
        total = sympy.expand(sum((r.params for r in rows), ZERO))
        trainable = sympy.expand(sum((r.trainable for r in rows), ZERO))
        self.summary = _Summary(tuple(rows), total, trainable, sympy.expand(total - trainable))
        self.input_shapes = [s for s in (self.trace.inputs if self.trace is not None else ())
                             if isinstance(s, tuple) and all(not isinstance(d, tuple) for d in s)]
        self.row_inputs = inputs
        self._module_summary = None
        self._module_exprs: Optional[dict] = None

    def _using(self, rule):
        return window.using(rule)

    @property
    def traced(self) -> bool:
        return self.trace is not None

    @property
    def compute(self) -> _Compute:
        if self._compute is None:
            macs = self.trace.module_macs() if self.trace is not None else {}
            self._compute = _Compute(tuple(_MacRow(r.name, macs.get(r.name, ZERO)) for r in self.summary.rows),
                                     self.trace.macs if self.trace is not None else ZERO)
        return self._compute

    def derive_at(self, sizes: dict, known: dict):
        if self._module_summary is None:
            self._module_summary = summarize_module(self.model, trace=self.trace)
        if self.exact:
            return derive_module(self.model, self.trace, shapes=True, summary=self._module_summary)
        self._list_module_exprs()           # in the program before it is run at these sizes
        values = Values(self.program, sizes)
        return derive_module(self.model, self.trace, shapes=True, at=self._numbers(sizes, values),
                             summary=self._module_summary, reuse=(self.module_keys(values), known))

    def module_keys(self, values: Values) -> dict:
        """For each module by its qualified name, what its step at these numbers is made
        from: its name, the sizes bound before reading, and the values of the expressions its
        own state (not its children), its first call's input and its output hold. Two
        versions whose keys agree have the same step there, so it is derived once."""
        self._list_module_exprs()
        bound = tuple(sorted(self.bound.items(), key=lambda kv: kv[0]))
        return {name: ("torch", name, bound, tuple(values[e] for e in exprs))
                for name, exprs in self._module_exprs.items()}

    def _list_module_exprs(self) -> None:
        if self._module_exprs is None:
            first = self.trace.first_calls() if self.trace is not None else {}
            self._module_exprs = {}
            for name, m in self.model.named_modules():
                found: dict = {}
                gather_expressions({k: v for k, v in vars(m).items() if k != "_modules"}, found, {id(m)})
                call = first.get(name)
                if call is not None:
                    gather_expressions((call.inputs, call.output), found, set())
                self._module_exprs[name] = tuple(found)
                for e in found:
                    self.program.add(e)

    def read_derivation(self, version, known: dict):
        module = version.read.module
        return derive_module(module, version.read.trace_of(module), shapes=True)


def _outputs(output) -> tuple:
    """A call's output as a tuple of shapes: one tensor, or each tensor of a tuple it returns
    (an LSTM's output, then its states)."""
    if output is None:
        return ()
    if all(not isinstance(d, tuple) and d is not None for d in output):
        return (output,)
    out = []
    for o in output:
        if o is not None:
            out.extend(_outputs(o))
    return tuple(out)


def _first_shape(inputs) -> Optional[tuple]:
    shapes = _outputs(inputs)
    return shapes[0] if shapes else None
