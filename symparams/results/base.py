"""One result model for every framework: what the commands above the readers read of a model.

A :class:`Result` is one model as ``symparams`` counted it: its summary (the table its own
framework prints), its parts (each layer or module with parameters, as neutral
:class:`Part` values), its compute, its worked solution and the input of its diagram.
Each framework has one adapter (``results/keras.py``, ``results/torch.py``); a model read
from a config file is a PyTorch module with the config beside it. Above the adapters
nothing asks which framework a model came from: ``compare``, ``scale``, ``html``,
``derive`` and ``summary`` ask the result (``tests/test_architecture.py`` checks it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Callable, ClassVar

import sympy


ZERO = sympy.Integer(0)


@dataclass(frozen=True)
class Part:
    """One layer or module that holds parameters or buffers, as its framework counts it."""

    name: str
    type: str
    #: the same in every framework: a Keras Dense and a PyTorch Linear are both "linear"
    kind: str
    params: sympy.Expr              # what its framework calls parameters, each tensor once
    trainable: sympy.Expr
    non_trainable: sympy.Expr
    weights: tuple                  # its parameters: objects with name, shape and trainable
    #: the entries of its biases, of a recurrent module's second bias (PyTorch's ``bias_hh``),
    #: and of the running statistics counted among its parameters (Keras's moving mean and
    #: variance): what ``symparams compare`` explains differences with
    bias: sympy.Expr = ZERO
    second_bias: sympy.Expr = ZERO
    statistics: sympy.Expr = ZERO
    output_shapes: tuple = ()
    #: its saved tensors that are not parameters (PyTorch's running statistics), as (name, shape)
    buffers: tuple = ()
    #: its parameters that are another module's tensor, counted there once (PyTorch's tied
    #: ``lm_head.weight``), as (name, shape, the name it is counted under)
    tied: tuple = ()
    layer: Any = field(default=None, compare=False, repr=False)

    @property
    def tied_count(self) -> sympy.Expr:
        from ..core.dims import product
        return sympy.expand(sum((product(shape) for _, shape, _ in self.tied), ZERO))

    @property
    def buffer_count(self) -> sympy.Expr:
        from ..core.dims import product
        return sympy.expand(sum((product(shape) for _, shape in self.buffers), ZERO))


@dataclass(frozen=True)
class Tally:
    """The rows a student counts and their totals: what the exam asks about."""

    rows: tuple                     # Part
    total: sympy.Expr
    trainable: sympy.Expr
    non_trainable: sympy.Expr


def weights_sum(weights, keep: Callable[[str], bool]) -> sympy.Expr:
    """The entries of the weights whose last name (``kernel``, ``bias_hh_l0``) ``keep`` takes."""
    from ..core.dims import product
    return sympy.expand(sum((product(w.shape) for w in weights if keep(w.name.split("/")[-1])), ZERO))


class Result:
    """A model as counted: one adapter per framework fills it in (see the module's words)."""

    #: the framework's name as titles show it ("Keras", "PyTorch"); nothing branches on it
    framework: ClassVar[str] = ""
    #: whose counting rules a derivation follows (the Derivation's ``framework``)
    rules: ClassVar[str] = ""

    def __init__(self, model, trace=None, config=None):
        self.model, self.trace, self.config = model, trace, config
        #: what the file asserts of its free sizes, as sympy relations (``Eq(Mod(n_embd, 12), 0)``)
        self.conditions: tuple = ()

    # ---- what an adapter provides ------------------------------------------------------
    def _summarize(self):
        raise NotImplementedError

    def rows(self) -> tuple:
        """Each layer a student counts, as :class:`Part` values: Keras's summary rows;
        PyTorch's modules without children, and any module with parameters of its own (a
        tensor two modules hold is counted at the first)."""
        raise NotImplementedError

    def tally(self) -> Tally:
        """The rows with the totals they add up to (each tensor once)."""
        rows = self.rows()
        total = sympy.expand(sum((r.params for r in rows), ZERO))
        trainable = sympy.expand(sum((r.trainable for r in rows), ZERO))
        return Tally(rows, total, trainable, sympy.expand(total - trainable))

    def parts(self) -> tuple:
        """The rows with parameters, buffers or a tied weight, in order."""
        return tuple(p for p in self.rows() if p.params != 0 or p.buffers or p.tied)

    def groups(self) -> tuple:
        """The parts as a scaling report lists their shares (PyTorch reads a layer index
        as ``*``, so 32 decoder layers are one part)."""
        return self.parts()

    def by_part(self) -> tuple:
        """The total split by the kind of part that holds it, as ``(label, params)`` in order of
        first appearance, every parameter once. Here each row's type (``Dense``, ``Conv2D``);
        an adapter whose models have blocks splits their copies into the block's own parts."""
        sums: dict = {}
        for p in self.parts():
            sums[p.type] = sympy.expand(sums.get(p.type, ZERO) + p.params)
        return tuple((label, v) for label, v in sums.items() if v != 0)

    def compute(self):
        """Multiply-accumulates of one forward pass (:class:`~symparams.compute.Compute`);
        raises where the model was never run on an input."""
        raise NotImplementedError

    def derive(self, detail: str = "standard", dtype: str = "float32", assume_divisible: bool = False,
               layers=None):
        """The worked solution (:class:`~symparams.derivation.Derivation`)."""
        raise NotImplementedError

    def diagram(self, derivation):
        """The model's :class:`~symparams.diagram.Diagram`, from its derivation."""
        raise NotImplementedError

    def anchor(self, name: str) -> str:
        """The name of the step of the worked solution that a box drawn for ``name`` links
        to (a PyTorch container links to its first module with parameters)."""
        return name

    # ---- the same for every framework ------------------------------------------------------
    @cached_property
    def summary(self):
        """The summary its framework prints (``to_text``, ``to_markdown``, ``to_dict``)."""
        return self._summarize()

    @property
    def name(self) -> str:
        return self.summary.name

    @property
    def total(self) -> sympy.Expr:
        return self.summary.total

    @property
    def trainable(self) -> sympy.Expr:
        return self.summary.trainable

    @property
    def non_trainable(self) -> sympy.Expr:
        return self.summary.non_trainable

    @property
    def buffers(self) -> sympy.Expr:
        return ZERO

    @property
    def symbols(self) -> list:
        """The names of its free sizes."""
        return sorted(s.name for s in self.total.free_symbols)

    @property
    def about(self) -> tuple:
        """Lines a summary says under its title: where the model comes from (a config)."""
        return self.config.about() if self.config is not None else ()
