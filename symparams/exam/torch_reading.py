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

from typing import Optional

import sympy

from ..pytorch import window
from ..pytorch.derivation import derive_module
from ..keras.compute import Compute, LayerCompute
from ..readers import read_source
from ..results import result_of
from ..pytorch.trace import outputs
from .misconceptions import TORCH_SHAPE_RULES
from .program import Values
from .views import Reading, gather_expressions

ZERO = sympy.Integer(0)


class TorchReading(Reading):
    """A PyTorch module read from the spec's source, with the forward pass the source runs."""

    framework = "pytorch"
    shape_rules = TORCH_SHAPE_RULES
    unit = "module"
    automatic_names = False      # a module's name is the attribute the code assigns it
    batch_included = True
    input_layer = False

    def textbook(self, row):
        """The module's textbook formula (PyTorch's modules know their sizes themselves)."""
        return row.layer.textbook() if row.layer is not None and hasattr(row.layer, "textbook") else None

    def moves_channels(self, layer) -> bool:
        # PyTorch's layers are channels-first; only a layer with a data_format can move them
        return hasattr(layer, "data_format")

    def _read(self) -> None:
        read = read_source(self.source, self.path, self.bound)
        self.model = read.module
        self.trace = read.trace_of(self.model)
        self.result = result_of(self.model, self.trace)
        self.summary = self.result.tally()
        first = self.trace.first_calls() if self.trace is not None else {}
        names = {id(m): name for name, m in self.model.named_modules()}
        calls = [first.get(names[id(r.layer)]) for r in self.summary.rows]
        self.row_inputs = [_first_shape(c.inputs) if c is not None else None for c in calls]
        self.input_shapes = [s for s in (self.trace.inputs if self.trace is not None else ())
                             if isinstance(s, tuple) and all(not isinstance(d, tuple) for d in s)]
        self._module_summary = None
        self._module_exprs: Optional[dict] = None

    def _using(self, rule):
        return window.using(rule)

    @property
    def traced(self) -> bool:
        return self.trace is not None

    @property
    def compute(self) -> Compute:
        if self._compute is None:
            macs = self.trace.module_macs() if self.trace is not None else {}
            self._compute = Compute(tuple(LayerCompute(r.name, r.type, macs.get(r.name, ZERO))
                                          for r in self.summary.rows),
                                    self.trace.macs if self.trace is not None else ZERO)
        return self._compute

    def derive_at(self, sizes: dict, known: dict):
        if self._module_summary is None:
            self._module_summary = self.result.summary
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


def _first_shape(inputs) -> Optional[tuple]:
    shapes = outputs(inputs)
    return shapes[0] if shapes else None
