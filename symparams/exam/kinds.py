"""Question kinds: each one's answer and its misconception distractors, at one draw.

A kind is a function ``(question, draw) -> Asked``; ``KIND_RULES`` maps every kind in
:data:`symparams.exam.spec.KINDS` to one. ``draw`` is a :class:`Draw`: the model's numbers
(:class:`~symparams.exam.views.View`), the same model read with a student's wrong window
rule, and the sizes. The wording of each kind is in ``templates/exam/prompts.j2``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Callable, Optional

from ..core.formula import Difference, Group, Num, Power, mul
from ..scaling.memory import OPTIMIZER_STATES
from ..core.units import DTYPE_BYTES
from . import misconceptions as mc
from .spec import UNITS, Question, SpecError


@dataclass(frozen=True)
class Choice:
    value: Any                  # an int, a Fraction, a shape tuple or a layer name
    correct: bool
    misconception: Optional[str] = None
    facts: dict = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class Blank:
    """One blank of a cloze table: a row's column, its answer and the wrong values to expect."""

    row: str
    column: str                 # params or shape
    #: None for the shape of a module the forward pass never calls (MultiheadAttention's
    #: out_proj, whose weights it uses itself): the cell is shown as —, not asked
    answer: Any
    distractors: tuple = ()


@dataclass
class Asked:
    answer: Any
    distractors: list
    layer: Optional[str] = None
    facts: dict = field(default_factory=dict)
    correct: tuple = ()         # several correct choices (param_free_layers)
    blanks: tuple = ()


class Redraw(Exception):
    def __init__(self, reason: str, question: Optional[int] = None, found: int = 0):
        self.reason = reason
        self.question, self.found = question, found    # too few distractors: which question, how many it had


class Draw:
    """One draw: its sizes and the model's numbers, with the wrong readings on demand."""

    def __init__(self, reading, sizes: dict, view):
        self.reading, self.sizes, self.view = reading, sizes, view
        self._wrong: dict = {}
        self.refs: dict = {}        # how the student's code shows each layer (refs.LayerRef)

    def wrong(self, tag: str):
        """The model's numbers as a student with the shape misconception ``tag`` works them out."""
        if tag not in self._wrong:
            reading = self.reading.wrong(tag)
            view = None
            if reading is not None:
                view = reading.view(self.sizes)
                if not view.valid:
                    view = None
            self._wrong[tag] = view
        return self._wrong[tag]


def _shape_distractors(q: Question, d: Draw, value_of: Callable) -> list:
    out = []
    for tag in d.reading.shape_rules:
        if q.kind not in mc.CATALOGUE[tag].kinds:
            continue
        view = d.wrong(tag)
        if view is None:
            continue
        try:
            out.append(Choice(value_of(view), False, tag, {"framework": d.reading.framework}))
        except (SpecError, KeyError, StopIteration, TypeError):
            continue
    return out


def _weight_distractors(q: Question, d: Draw, value_of_row=None, total_of=None) -> list:
    out = []
    for tag in mc.WEIGHT_TAGS:
        if q.kind not in mc.CATALOGUE[tag].kinds:
            continue
        wrong = value_of_row(tag) if value_of_row else total_of(tag)
        if wrong is not None:
            facts = wrong[1]
            if "each" in facts:
                # the layers as the student's code shows them (refs.LayerRef), for the feedback
                facts = {**facts, "each": [(d.refs.get(name, name), f) for name, f in facts["each"]]}
            out.append(Choice(wrong[0], False, tag, facts))
    return out


def _order(choices: list) -> list:
    """The catalogue's order, so the same draw always gives the same distractors."""
    rank = {t: i for i, t in enumerate(mc.CATALOGUE)}
    return sorted(choices, key=lambda c: rank.get(c.misconception, len(rank)))


# ---- parameter counts ---------------------------------------------------------------------


def total_params(q: Question, d: Draw) -> Asked:
    v = d.view
    wrong = _weight_distractors(q, d, total_of=lambda tag: mc.model_value(tag, v))
    wrong += _shape_distractors(q, d, lambda w: w.total)
    return Asked(v.total, _order(wrong))


def trainable_params(q: Question, d: Draw) -> Asked:
    v = d.view

    def total_of(tag):
        found = mc.model_value(tag, v)
        return None if found is None else (found[0] - v.non_trainable, found[1])
    wrong = _weight_distractors(q, d, total_of=total_of)
    moving = _moving(v)
    if moving:
        wrong.append(Choice(v.trainable + moving, False, "bn_moving_trainable", {"moving": moving}))
    wrong += _shape_distractors(q, d, lambda w: w.trainable)
    return Asked(v.trainable, _order(wrong))


def non_trainable_params(q: Question, d: Draw) -> Asked:
    v = d.view
    moving = _moving(v)
    wrong = [Choice(v.non_trainable - moving, False, "bn_moving_left_out", {"moving": moving})] if moving else []
    buffers = mc.model_value("bn_buffers_counted", v)
    if buffers is not None:
        # PyTorch's running statistics are buffers, not parameters
        wrong.append(Choice(v.non_trainable + buffers[1]["moving"], False, "bn_buffers_counted", buffers[1]))
    for tag in ("bn_all_non_trainable", "bn_one_statistic"):
        found = mc.bn_non_trainable(tag, v)
        if found is not None:
            wrong.append(Choice(found[0], False, tag, found[1]))
    return Asked(v.non_trainable, _order(wrong))


def _moving(view) -> int:
    """Keras's BatchNormalization moving statistics in the model (its non-trainable weights)."""
    return sum(r.non_trainable for r in view.rows
               if r.layer is not None and "bn_moving_left_out" in r.layer.misconceptions)


def layer_params(q: Question, d: Draw) -> Asked:
    row = d.view.row(q.layer)
    wrong = _weight_distractors(q, d, value_of_row=lambda tag: mc.layer_value(tag, row, d.view))
    wrong += _shape_distractors(q, d, lambda w: w.row(row.name).params)
    return Asked(row.params, _order(wrong), row.name)


def formula(q: Question, d: Draw) -> Asked:
    """The layer's count as its textbook formula in named sizes, the sizes read from the code,
    and the count: a free response on paper (its rubric in the key), the count in a learning
    system. The mistakes are the layer's count's."""
    asked = layer_params(q, d)
    row = d.view.row(q.layer)
    book = d.reading.textbook(row)
    if book is None or book.formula is None:
        raise SpecError(f"formula: the {d.reading.unit} {row.name!r} has no parameter formula to write "
                        f"(it has {row.params} parameters); ask about one with weights")
    asked.facts = {**asked.facts, "formula": book.formula}
    return asked


# ---- shapes ---------------------------------------------------------------------------------


def _flatten_row(view):
    for r in view.rows:
        if _is_flatten(r.layer):
            return r
    raise SpecError("a flatten_size question needs a Flatten layer in the model")


def _is_flatten(layer) -> bool:
    return layer is not None and "flatten_without_channels" in layer.misconceptions


def _channels_first(layer) -> bool:
    return getattr(layer, "data_format", "channels_last") == "channels_first"


def _channels_moved(shape: tuple, layer) -> Optional[tuple]:
    """The shape with its channels on the other side: last for a channels-first layer (all of
    PyTorch's), first for Keras's default."""
    if shape is None or len(shape) < 3:
        return None
    if _channels_first(layer):
        return (shape[0], *shape[2:], shape[1])
    return (shape[0], shape[-1], *shape[1:-1])


def _without_channels(view, row) -> Optional[int]:
    """A Flatten's size with the channels left out: the spatial sizes multiplied."""
    if row.input_shape is None or len(row.input_shape) < 3 or None in row.input_shape[1:]:
        return None
    return math.prod(row.input_shape[2:] if _channels_first(row.layer) else row.input_shape[1:-1])


def output_shape(q: Question, d: Draw) -> Asked:
    row = d.view.row(q.layer)
    wrong = _shape_distractors(q, d, lambda w: w.row(row.name).shape)
    flipped = _channels_moved(row.shape, row.layer)
    if flipped is not None and d.reading.moves_channels(row.layer):
        wrong.append(Choice(flipped, False, "channels_last" if _channels_first(row.layer) else "channels_first",
                            {"framework": d.reading.framework}))
    if hasattr(row.layer, "batch_first") and row.shape is not None and len(row.shape) == 3:
        # PyTorch's recurrent layers and attention take (L, N, H) unless batch_first=True
        wrong.append(Choice((row.shape[1], row.shape[0], row.shape[2]), False, "batch_first",
                            {"batch_first": row.layer.batch_first}))
    if _is_flatten(row.layer):
        n = _without_channels(d.view, row)
        if n is not None:
            wrong.append(Choice((None, n), False, "flatten_without_channels"))
    # An LSTM returns its output and its states; the question asks for the first of them
    facts = {"outputs": len(row.shapes)} if len(row.shapes) > 1 else {}
    return Asked(row.shape, _order(wrong), row.name, facts)


def flatten_size(q: Question, d: Draw) -> Asked:
    row = _flatten_row(d.view)
    wrong = _shape_distractors(q, d, lambda w: _flatten_row(w).shape[1])
    n = _without_channels(d.view, row)
    if n is not None:
        wrong.append(Choice(n, False, "flatten_without_channels"))
    return Asked(row.shape[1], _order(wrong), row.name)


# ---- layers to choose between ------------------------------------------------------------------


def largest_layer(q: Question, d: Draw) -> Asked:
    rows = [r for r in d.view.rows if r.params > 0]
    if len(rows) < 2:
        raise SpecError("a largest_layer question needs at least two layers with parameters")
    ranked = sorted(rows, key=lambda r: -r.params)
    if ranked[0].params == ranked[1].params:
        raise Redraw("distractors")        # a tie has no single answer
    top = ranked[0]
    wrong = [Choice(r.name, False, "smaller_layer", {"params": r.params, "largest": top.params,
                                                      "largest_name": top.name}) for r in ranked[1:]]
    return Asked(top.name, wrong, top.name, {"params": {r.name: r.params for r in rows}})


def param_free_layers(q: Question, d: Draw) -> Asked:
    free = [r.name for r in d.view.rows if r.params == 0]
    if not free:
        raise SpecError("a param_free_layers question needs a layer without parameters")
    wrong = [Choice(r.name, False, "has_params", {"params": r.params}) for r in d.view.rows if r.params > 0]
    return Asked(tuple(free), wrong, correct=tuple(free), facts={"params": {r.name: r.params for r in d.view.rows}})


def find_bug(q: Question, d: Draw) -> Asked:
    """A summary with one row's count (or shape) replaced by a misconception's value."""
    rng = d.rng
    view = d.view
    candidates = []
    for row in view.rows:
        for tag in mc.WEIGHT_TAGS:
            wrong = mc.layer_value(tag, row, view)
            if wrong is not None and wrong[0] != row.params and wrong[0] > 0:
                candidates.append((row.name, "params", wrong[0], tag))
        for tag in d.reading.shape_rules:
            w = d.wrong(tag)
            if w is None:
                continue
            try:
                shape = w.row(row.name).shape
            except SpecError:
                continue
            if shape != row.shape:
                candidates.append((row.name, "shape", shape, tag))
    if not candidates:
        raise Redraw("distractors")
    candidates.sort(key=lambda c: (c[0], c[1], str(c[2]), c[3]))
    name, column, claimed, tag = rng.choice(candidates)
    claims = [{"name": r.name, "type": r.type,
               "shape": claimed if (r.name == name and column == "shape") else r.shape,
               "params": claimed if (r.name == name and column == "params") else r.params}
              for r in view.rows]
    bad = view.row(name)
    facts = {"claims": claims, "wrong_row": name, "column": column, "claimed": claimed,
             "true": bad.params if column == "params" else bad.shape, "misconception": tag}
    others = [r for r in view.rows if r.name != name]
    wrong = [Choice(r.name, False, "correct_row", {"params": r.params, "shape": r.shape}) for r in others]
    return Asked(name, wrong, name, facts)


# ---- compute and memory ------------------------------------------------------------------------


def compute(q: Question, d: Draw) -> Asked:
    per_layer, total = d.view.macs()
    if q.layer is not None:
        row = d.view.row(q.layer)
        macs, params, name = per_layer.get(row.name, 0), row.params, row.name
    else:
        macs, params, name = total, d.view.total, None
    if not macs:
        raise SpecError(f"{'layer ' + repr(name) if name else 'the model'} has no multiply-adds to ask about")
    answer = 2 * macs if q.measure == "flops" else macs
    wrong = [Choice(macs if q.measure == "flops" else 2 * macs, False,
                    "macs_for_flops" if q.measure == "flops" else "flops_for_macs"),
             Choice(params, False, "params_for_macs")]
    # one output position: each convolution's count without its positions
    one, positions_seen = macs, 0
    for row in ([d.view.row(name)] if name is not None else d.view.rows):
        if row.layer is None or "no_weight_sharing" not in row.layer.misconceptions or not row.shape:
            continue
        positions = mc.positions(row)
        layer_macs = per_layer.get(row.name, 0)
        if positions > 1 and layer_macs:
            one -= layer_macs - layer_macs // positions
            positions_seen = positions
    if positions_seen:
        wrong.append(Choice(2 * one if q.measure == "flops" else one, False, "one_position",
                            {"positions": positions_seen}))
    rows = [(n, m) for n, m in per_layer.items() if m]
    facts = {"macs": macs, "rows": rows, "total_macs": total}
    if d.reading.batch_included:
        facts["input"] = d.view.input_shapes[0] if d.view.input_shapes else None
    return Asked(answer, wrong, name, facts)


#: the unit a student confuses with each one: decimal kilo for binary kibi, and back
OTHER_UNIT = {"KB": "KiB", "MB": "MiB", "GB": "GiB", "KiB": "KB", "MiB": "MB", "GiB": "GB"}


def _in_unit(n_bytes, unit: str):
    value = Fraction(n_bytes) / UNITS[unit]
    return value.numerator if value.denominator == 1 else value


def _bytes(dtype: str) -> Fraction:
    b = DTYPE_BYTES[dtype]
    return Fraction(int(b.p), int(b.q)) if hasattr(b, "p") else Fraction(b)


def weight_memory(q: Question, d: Draw) -> Asked:
    n = d.view.total
    per = _bytes(q.dtype)
    answer = _in_unit(n * per, q.unit)
    wrong = [Choice(_in_unit(n * per * 8, q.unit), False, "bits_for_bytes")]
    if per != 4:
        wrong.append(Choice(_in_unit(n * 4, q.unit), False, "four_bytes", {"dtype": q.dtype}))
    other = OTHER_UNIT.get(q.unit)
    if other:
        wrong.append(Choice(_in_unit(n * per, other), False, "decimal_binary", {"unit": q.unit, "other": other}))
    return Asked(answer, wrong, facts={"params": n, "bytes_per": per})


def training_memory(q: Question, d: Draw) -> Asked:
    from ..scaling.memory import training_memory as tm
    v = d.view
    m = tm(v.trainable, v.non_trainable, q.optimizer, q.precision)
    parts = {k: int(val) for k, val in m.parts().items()}
    answer = _in_unit(parts["total"], q.unit)
    wrong = [Choice(_in_unit(parts["weights"], q.unit), False, "weights_only")]
    if parts["gradients"]:
        wrong.append(Choice(_in_unit(parts["total"] - parts["gradients"], q.unit), False, "forgot_gradients"))
    if parts["optimizer_state"]:
        wrong.append(Choice(_in_unit(parts["total"] - parts["optimizer_state"], q.unit), False,
                            "forgot_optimizer_state", {"optimizer": q.optimizer}))
    if OPTIMIZER_STATES[q.optimizer] == 2:
        wrong.append(Choice(_in_unit(parts["total"] - parts["optimizer_state"] // 2, q.unit), False, "one_moment"))
    wrong.append(Choice(_in_unit(parts["total"] * 8, q.unit), False, "bits_for_bytes"))
    other = OTHER_UNIT.get(q.unit)
    if other:
        wrong.append(Choice(_in_unit(parts["total"], other), False, "decimal_binary", {"unit": q.unit, "other": other}))
    return Asked(answer, wrong, facts={"parts": parts, "optimizer": q.optimizer, "precision": q.precision})


def kv_cache(q: Question, d: Draw) -> Asked:
    """The keys and values every attention layer keeps for each token it has seen (what a
    decoder caches to generate the next one): for each layer, its key and value heads × their
    widths, at the dtype; for one token, or for each of the sequence's tokens (batch 1)."""
    layers = []
    for row in d.view.rows:
        w = mc.attention_projections(row)
        if w is not None:
            layers.append((row, w))
    if not layers:
        raise SpecError("a kv_cache question needs an attention layer (MultiHeadAttention, GroupQueryAttention)")
    per = _bytes(q.dtype)
    width = sum(k + v for _, (k, v, _q) in layers)
    tokens = layers[0][0].input_shape[1] if q.per == "sequence" and layers[0][0].input_shape else 1
    if tokens is None:
        raise SpecError("a kv_cache question per sequence needs the sequence's length in the model's input")
    n = width * tokens
    answer = _in_unit(n * per, q.unit)
    wrong = [Choice(_in_unit(n * per // 2 if n * per % 2 == 0 else Fraction(n * per, 2), q.unit), False,
                    "kv_keys_only"),
             Choice(_in_unit(n * per * 8, q.unit), False, "bits_for_bytes")]
    query_width = sum(2 * qw for _, (_k, _v, qw) in layers)
    if query_width != width:
        wrong.append(Choice(_in_unit(query_width * tokens * per, q.unit), False, "kv_query_heads"))
    if per != 4:
        wrong.append(Choice(_in_unit(n * 4, q.unit), False, "four_bytes", {"dtype": q.dtype}))
    if tokens > 1:
        wrong.append(Choice(_in_unit(width * per, q.unit), False, "kv_one_token", {"tokens": tokens}))
    other = OTHER_UNIT.get(q.unit)
    if other:
        wrong.append(Choice(_in_unit(n * per, other), False, "decimal_binary", {"unit": q.unit, "other": other}))
    facts = {"layers": [(d.refs.get(r.name, r.name), k, v) for r, (k, v, _q) in layers], "width": width,
             "tokens": tokens, "bytes_per": int(per) if per.denominator == 1 else per, "numbers": n}
    return Asked(answer, wrong, facts=facts)


# ---- a budget and a table ----------------------------------------------------------------------


def largest_width(q: Question, d: Draw) -> Asked:
    if q.size not in d.sizes:
        raise SpecError(f"largest_width: {q.size!r} is not one of the sizes")
    count = d.count_at
    if count(q.size, 1) is None or count(q.size, 1) > q.budget:
        raise Redraw("range")
    lo, hi = 1, 2
    while (c := count(q.size, hi)) is not None and c <= q.budget:
        lo, hi = hi, hi * 2
        if hi > 2 ** 40:
            raise SpecError(f"largest_width: the count stays within the budget for every {q.size}")
    while hi - lo > 1:
        mid = (lo + hi) // 2
        c = count(q.size, mid)
        if c is not None and c <= q.budget:
            lo = mid
        else:
            hi = mid
    at, past = count(q.size, lo), count(q.size, lo + 1)
    facts = {"at": at, "next": past, **_solved(q, d, lo)}
    return Asked(lo, [Choice(lo + 1, False, "first_over_budget", {"count": past})], facts=facts)


_COUNTS: dict = {}


def _count_in(q: Question, d: Draw):
    """The model's count as a polynomial in the size asked about, its coefficients in the
    other sizes (from the free reading, once per reading), or None where the reading has
    the size bound or the count is no polynomial in it (a floor, a size in a window)."""
    import sympy
    reading = d.reading
    if reading.exact or q.size in reading.bound:
        return None
    total = reading.summary.total
    key = (total, q.size)
    if key not in _COUNTS:
        found = [x for x in getattr(total, "free_symbols", ()) if x.name == q.size]
        poly = None
        if found:
            try:
                poly = sympy.Poly(total, found[0])
            except sympy.PolynomialError:
                poly = None
            if poly is not None and (poly.degree() not in (1, 2) or any(
                    c.has(sympy.floor, sympy.ceiling, sympy.Piecewise, sympy.Max, sympy.Min) for c in poly.all_coeffs())):
                poly = None
        if len(_COUNTS) > 64:
            _COUNTS.pop(next(iter(_COUNTS)))
        _COUNTS[key] = poly
    return _COUNTS[key]


def _solved(q: Question, d: Draw, answer: int) -> dict:
    """The budget written as an inequality in the size and solved: a quadratic by its
    formula, a line by division; then the floor. Nothing when the count is not such a
    polynomial, or the floor of the root is not the answer the counts give (a count that
    falls somewhere as the size grows): the solution then checks the answer only."""
    import sympy
    poly = _count_in(q, d)
    if poly is None:
        return {}
    others = {x: d.sizes[x.name] for c in poly.all_coeffs() for x in c.free_symbols if x.name in d.sizes}
    coeffs = [c.subs(others) for c in poly.all_coeffs()]
    if not all(c.is_Integer for c in coeffs):
        return {}
    w = poly.gen
    budget = sympy.Integer(q.budget)
    count = sympy.Add(*(c * w ** k for k, c in enumerate(reversed(coeffs))))
    if len(coeffs) == 3:
        a, b, c = coeffs
        if a <= 0:
            return {}
        disc = b ** 2 - 4 * a * (c - budget)
        if disc < 0:
            return {}
        num = sympy.Add(-b, sympy.Pow(disc, sympy.Rational(1, 2), evaluate=False), evaluate=False)
        root = sympy.Mul(num, sympy.Pow(2 * a, -1, evaluate=False), evaluate=False)
        value = (-b + sympy.sqrt(disc)) / (2 * a)
        # b² − 4a(c − B) as a formula tree, which prints in this order
        working = Difference(Power(Num(b), 2), mul(*([4] if a == 1 else [4, a]), Group(Difference(Num(c), Num(budget)))))
        facts = {"discriminant": working, "discriminant_value": disc}
    else:
        b, c = coeffs
        if b <= 0:
            return {}
        root = sympy.Mul(budget - c, sympy.Pow(b, -1, evaluate=False), evaluate=False)
        value = sympy.Rational(budget - c, b)
        facts = {}
    if sympy.floor(value) != answer:
        return {}
    return {**facts, "count": count, "inequality": sympy.Le(count, budget, evaluate=False),
            "standard": sympy.Le(count - budget, 0, evaluate=False),
            "root": sympy.Eq(w, root, evaluate=False), "root_value": Fraction(int(sympy.floor(value * 100)), 100),
            "degree": len(coeffs) - 1}


def growth(q: Question, d: Draw) -> Asked:
    """How many times as many parameters the model has with one size multiplied: the count
    at the grown size over the count at the drawn one, every other size as drawn."""
    if q.size not in d.sizes or not isinstance(d.sizes[q.size], int) or isinstance(d.sizes[q.size], bool):
        raise SpecError(f"growth: {q.size!r} is not one of the whole-number sizes")
    value = d.sizes[q.size]
    grown = d.count_at(q.size, value * q.factor)
    if grown is None:
        raise Redraw("invalid")
    base = d.view.total
    answer = Fraction(grown, base)
    # to two decimals, as a student gives them: options that read alike are one option
    wrong = [Choice(Fraction(q.factor), False, "linear_growth", {"factor": q.factor}),
             Choice(Fraction(q.factor ** 2), False, "matrices_only", {"factor": q.factor}),
             Choice(Fraction(round((answer - 1) * 100), 100), False, "increase_for_ratio",
                    {"grown": grown, "base": base})]
    wrong = [c for c in wrong if c.value != Fraction(round(answer * 100), 100)]
    return Asked(answer, wrong, facts={"base": base, "grown": grown, "value": value, "to": value * q.factor})


def cloze(q: Question, d: Draw) -> Asked:
    blanks = []
    for row in d.view.rows:
        if "shape" in q.columns:
            blanks.append(Blank(row.name, "shape", row.shape))
        if "params" in q.columns:
            wrong = []
            for tag in mc.WEIGHT_TAGS:
                w = mc.layer_value(tag, row, d.view)
                if w is not None and w[0] != row.params:
                    wrong.append(Choice(w[0], False, tag, w[1]))
            blanks.append(Blank(row.name, "params", row.params, tuple(_order(wrong))))
    blanks.append(Blank("", "total", d.view.total))
    return Asked(d.view.total, [], blanks=tuple(blanks))


KIND_RULES: dict[str, Callable[[Question, Draw], Asked]] = {
    "total_params": total_params, "trainable_params": trainable_params,
    "non_trainable_params": non_trainable_params, "layer_params": layer_params,
    "output_shape": output_shape, "flatten_size": flatten_size, "largest_layer": largest_layer,
    "param_free_layers": param_free_layers, "compute": compute, "weight_memory": weight_memory,
    "training_memory": training_memory, "find_bug": find_bug, "cloze": cloze,
    "largest_width": largest_width, "growth": growth, "kv_cache": kv_cache, "formula": formula,
}
