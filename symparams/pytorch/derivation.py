"""The worked solution of a PyTorch model's parameter count, as the same
:class:`~symparams.derivation.Derivation` the Keras models give, so the same templates
render it.

Each module that holds parameters of its own is one step: its class's textbook formula
(:meth:`Module.textbook`) in PyTorch's argument names, the numbers put in, the check
against its parameter tensors (``weight``, ``bias_ih_l0``...), and the words that name
the PyTorch rule behind the count (templates/prose.j2, the module's ``prose`` key): two
recurrent biases, BatchNorm's buffers, the heads that do not change attention's count, a
tied weight counted once. Containers and the file's own classes are structure: their
parameters are their children's.
"""

from __future__ import annotations

from typing import Any, Mapping, Optional

import sympy

from ..core import bounds
from ..core.bindings import normalize_bindings
from ..core.solution import (DETAILS, AxisWorking, Derivation, LayerDerivation, SizeSource, WeightWorking,
                             briefly, product_of, repeated_blocks, substituter, working_of)
from ..core.dims import assume_divisible as exact_division
from ..core.in_place import Numbers, put
from ..core.errors import SymparamsError
from ..core.formula import Group, Num, Sum, mul
from ..core.formula import substitute as fill
from ..core.units import bytes_per_param
from .module import Module, module_type
from .summary import summarize_module
from .trace import Trace

def derive_module(model: Module, trace: Optional[Trace] = None, subs: Optional[Mapping[Any, Any]] = None,
                  dtype: str = "float32", detail: str = "standard",
                  assume_divisible: bool = False, shapes: bool = False,
                  at: "Optional[Mapping[str, Any] | Numbers]" = None, summary=None,
                  reuse: Optional[tuple] = None) -> Derivation:
    """The worked derivation of a PyTorch module's parameter count (with a forward pass's
    ``trace``, each step also gives the module's output shape, and the working of the
    lengths a convolution, a pooling or a flatten computes; ``shapes``: a step for each of
    those without parameters too, as an exam's shape questions need).

    ``at`` puts numbers in place of free sizes (names the module does not use are left
    out): the derivation is the one of the same source read with those numbers written in,
    with no bindings stated, as an exam derives each version from one reading (a
    :class:`symparams.in_place.Numbers` may carry numbers found already). ``summary`` is
    ``summarize_module(model, trace=trace)`` when the caller has it already. ``reuse`` is
    ``(keys, known)``: a key for each qualified module name that stands for everything its
    step is made from, and the steps made so far by key (an exam's versions of one model
    share most of their modules, as :func:`symparams.derivation.derive_reusing` has it)."""
    if detail not in DETAILS:
        raise SymparamsError(f"unknown detail {detail!r}; use one of {', '.join(DETAILS)}")
    if subs and at:
        raise SymparamsError("give the sizes as bindings (subs) or as numbers in place (at), not both")
    summary = summary if summary is not None else summarize_module(model, trace=trace)
    values = {}
    if subs and not at:
        values = normalize_bindings(subs, sorted({s.name for s in model.count().free_symbols}))
    numbers = at if isinstance(at, Numbers) else Numbers(at) if at else None
    per = bytes_per_param(dtype)

    sub = substituter(values, assume_divisible, numbers)
    first_name = model.counted_names()
    calls, inputs = {}, {}
    for c in (trace.calls if trace is not None else ()):
        calls[c.name] = calls.get(c.name, 0) + 1
        if c.inputs and isinstance(c.inputs[0], tuple):
            inputs.setdefault(c.name, c.inputs[0])
    rows = {r.name: r for r in summary.rows}
    keys, known = reuse if reuse is not None else ({}, {})

    def step(qualified, m):
        own = [(n, p) for n, p in m._parameters.items() if p is not None]
        given = inputs.get(qualified)
        if numbers is not None:
            # its rules choose their working by its numbers (no floor for a stride of 1)
            m, given = m.at(numbers), put(given, numbers)
        axes = _axes(m, given, sub) if given is not None and all(not isinstance(d, tuple) for d in given) else ()
        if not own and not (shapes and axes and not m._modules):
            return None
        return _step(qualified, m, own, first_name, rows[qualified], calls.get(qualified, 1), sub, axes, given)

    derived = []
    for qualified, m in model.named_modules():
        key = keys.get(qualified)
        if key is None:
            d = step(qualified, m)
        elif key in known:
            d = known[key]
        else:
            d = known[key] = step(qualified, m)
        if d is not None:
            derived.append(d)
    derived = tuple(derived)
    repeats = repeated_blocks(derived) if detail != "full" else ()
    derived = briefly(derived, detail)

    def total_of(key):
        nums = [getattr(d, key) for d in derived if getattr(d, key) != 0] or [sympy.Integer(0)]
        return working_of(None, Sum(tuple(Group(Num(v)) for v in nums)) if len(nums) > 1 else Num(nums[0]))
    total = total_of("params")
    if bounds.expand(total.value - sub(summary.total)) != 0:
        raise AssertionError("the steps of a PyTorch derivation do not add up to its count")
    symbols = tuple(sorted(s.name for s in sub(summary.total).free_symbols))
    return Derivation(
        name=summary.name, kind="PyTorch", layers=derived, total=total,
        trainable=total_of("trainable"), non_trainable=total_of("non_trainable"), dtype=dtype,
        bytes_per_param=per, memory=working_of(None, mul(Num(total.value), Num(per))),
        symbols=symbols, bindings=values, detail=detail, repeats=repeats, divisible=assume_divisible,
        closed_total=(exact_division(summary.total) if assume_divisible else summary.total) if values else None,
        framework="pytorch")


def _axes(m: Module, input_shape: tuple, sub) -> tuple:
    """The working of the output lengths the module computes (its class's ``axis_rules``)."""
    rules = getattr(m, "axis_rules", None)
    if rules is None:
        return ()
    out = []
    for rule in rules(input_shape):
        sizes = tuple(_source(q, input_shape, sub) for q in rule.quantities)
        out.append(AxisWorking(rule.axis, rule.label, sizes,
                               working_of(rule.formula, fill(rule.formula, {s.key: s.value for s in sizes}))))
    return tuple(out)


def _source(q, input_shape: Optional[tuple], sub) -> SizeSource:
    """Where a named size comes from: an argument, a default PyTorch fills in, or an axis of
    the module's input."""
    o = q.origin
    if o.kind == "input" and input_shape is not None:
        return SizeSource(q.key, sub(q.value), "input", axis=o.axis,
                          from_shape=tuple(sub(d) for d in input_shape))
    return SizeSource(q.key, sub(q.value), o.kind, o.argument, default=o.default, by="PyTorch")


def _step(name: str, m: Module, own: list, first_name: dict, row, calls: int, sub, axes: tuple = (),
          given: Optional[tuple] = None) -> LayerDerivation:
    tied = tuple((n, first_name[id(p)]) for n, p in own if first_name[id(p)] != f"{name}.{n}".lstrip("."))
    counted = [(n, p) for n, p in own if not any(n == t for t, _ in tied)]
    weights = tuple(WeightWorking(n, tuple(sub(s) for s in p.shape), p.requires_grad,
                                  working_of(None, product_of(p.shape, sub))) for n, p in counted)
    weight_sum = None
    if len(weights) > 1:
        weight_sum = working_of(None, Sum(tuple(w.working.lines[0] for w in weights)))
    elif len(weights) == 1:
        weight_sum = weights[0].working
    params = sub(sum((p.numel for _, p in counted), sympy.Integer(0)))
    trainable = sub(sum((p.numel for _, p in counted if p.requires_grad), sympy.Integer(0)))
    book = m.textbook() if not tied else None
    sizes: tuple = ()
    formula = None
    if book is not None:
        sizes = tuple(_source(q, given, sub) for q in book.quantities)
        formula = working_of(book.formula, fill(book.formula, {s.key: s.value for s in sizes}))
        if bounds.expand(formula.value - params) != 0:
            raise AssertionError(f"the textbook formula of {name} disagrees with its parameters")
    config = {k: _config(v, sub) for k, v in m.description().items()}
    config = {k: v for k, v in config.items() if v is not None}
    config["tied"] = tied
    config["buffers"] = tuple(m._buffers)
    if hasattr(m, "keras_difference"):
        config["keras_difference"] = sub(m.keras_difference())
    output = row.output_shape
    if output is not None and output and isinstance(output[0], tuple):
        output = output[0]        # (output, state) of a recurrent module: its output
    shown = (tuple(sub(s) for s in output),) \
        if output is not None and not any(isinstance(s, tuple) or s is None for s in output) else ()
    for a in axes:
        if shown and bounds.expand(a.working.value - shown[0][a.axis]) != 0:
            raise AssertionError(f"the length rule of {name} disagrees with its output shape")
    return LayerDerivation(
        name=name or module_type(m), type=module_type(m), prose=m.prose if not tied else "torch_tied",
        config=config, input_shapes=(tuple(sub(s) for s in given),) if given is not None else (),
        output_shapes=shown,
        inbound=(), sizes=sizes, formula=formula, weights=weights, weight_sum=weight_sum,
        non_trainable_formula=None, axes=axes, params=params, trainable=trainable,
        non_trainable=sympy.expand(params - trainable), frozen=params != 0 and trainable == 0,
        calls=calls)


def _config(v, sub):
    if isinstance(v, sympy.Basic):
        return sub(v)
    if isinstance(v, tuple):
        return tuple(_config(x, sub) for x in v)
    if isinstance(v, (bool, int, str)):
        return v
    return None
