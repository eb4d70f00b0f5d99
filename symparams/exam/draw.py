"""Draw exam variants: sizes, the model they make, each question's answer and distractors.

The same spec and seed always give the same variants. Every variant's model is
read by the source reader, so every answer is what the engine reports; a draw
that makes an impossible model, an answer out of range, too few distractors or
the same answers as an earlier variant is drawn again, up to a bounded number
of tries. Across variants, the answer stands in each position of the choices
equally often (to within one).
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Optional

from ..layers import window
from ..errors import SymparamsError
from ..readers import read_source
from ..summary import summarize
from . import misconceptions as mc
from .spec import Question, Spec, SpecError


@dataclass(frozen=True)
class Choice:
    value: Any                  # an int, or a shape tuple
    correct: bool
    misconception: Optional[str] = None
    feedback: str = ""


@dataclass(frozen=True)
class Posed:
    """One question of one variant."""

    spec: Question
    index: int                  # 1-based, within the variant
    answer: Any
    distractors: tuple          # Choice (wrong ones), all of them (numeric formats use them all)
    choices: tuple = ()         # the multiple-choice options in order, answer included
    layer: Optional[str] = None  # the layer asked about
    size_symbol: Optional[str] = None

    @property
    def kind(self) -> str:
        return self.spec.kind

    @property
    def answer_position(self) -> Optional[int]:
        for i, c in enumerate(self.choices):
            if c.correct:
                return i
        return None


@dataclass(frozen=True)
class Variant:
    number: int
    sizes: dict
    source: str                 # Keras source with the sizes filled in: real Keras runs it
    questions: tuple
    model: Any = field(compare=False, repr=False)

    def __str__(self) -> str:
        return _display(self)["text/plain"].rstrip()

    def _repr_mimebundle_(self, include=None, exclude=None):
        return _display(self)


def _display(variant: "Variant") -> dict:
    from ..render.display import mimebundle
    return mimebundle("variant", variant)


@dataclass(frozen=True)
class DrawReport:
    variants: int
    tries: int
    invalid: int
    out_of_range: int
    too_few_distractors: int
    collisions: int
    distinct_answers: int
    positions: dict              # question index -> Counter of answer positions
    spread: dict                 # question index -> (min, median, max) of numeric answers

    def lines(self) -> list[str]:
        out = [f"variants: {self.variants} (after {self.tries} draws)",
               f"distinct answer sets: {self.distinct_answers}",
               f"rejected: {self.invalid} impossible models, {self.out_of_range} answers out of range, "
               f"{self.too_few_distractors} with too few distractors, {self.collisions} collisions "
               f"(the same answers as an earlier variant)"]
        for q, counts in self.positions.items():
            if counts:
                out.append(f"question {q}: answer positions " +
                           ", ".join(f"{chr(65 + p)} {n}" for p, n in sorted(counts.items())))
        for q, (lo, mid, hi) in self.spread.items():
            out.append(f"question {q}: answers from {lo:,} to {hi:,} (median {mid:,})")
        return out


class Redraw(Exception):
    def __init__(self, reason: str):
        self.reason = reason


def filled_source(spec: Spec, sizes: dict) -> str:
    """The spec's source with the drawn sizes assigned first: real Keras can run it."""
    lines = [f"{name} = {value!r}" for name, value in sizes.items()]
    return "\n".join(lines) + "\n\n" + spec.source.lstrip("\n")


def _layer(model, ref, summary=None) -> Any:
    rows = (summary or summarize(model)).rows
    if isinstance(ref, int) and not isinstance(ref, bool):
        if not 1 <= ref <= len(rows):
            raise SpecError(f"layer {ref} is not a row of the model (it has {len(rows)})")
        return rows[ref - 1].layer
    for r in rows:
        if r.name == ref:
            return r.layer
    raise SpecError(f"no layer named {ref!r}; the model has {', '.join(r.name for r in rows)}")


def _flatten(model):
    found = [l for l in model.layers if l.prose == "flatten"]
    if not found:
        raise SpecError("a flatten_size question needs a Flatten layer in the model")
    return found[0]


def _read(spec: Spec, sizes: dict, misconception: Optional[str] = None):
    if misconception is None:
        return read_source(spec.source, spec.path, sizes).model
    with window.using(mc.SHAPE_RULES[misconception]):
        return read_source(spec.source, spec.path, sizes).model


def _answer(q: Question, model, spec, sizes, s=None):
    s = s or summarize(model)
    if q.kind == "total_params":
        return int(s.total), None
    if q.kind == "trainable_params":
        return int(s.trainable), None
    if q.kind == "non_trainable_params":
        return int(s.non_trainable), None
    if q.kind == "layer_params":
        layer = _layer(model, q.layer, s)
        return int(layer.count_params()), layer.name
    if q.kind == "output_shape":
        layer = _layer(model, q.layer, s)
        return tuple(None if d is None else int(d) for d in layer.output_shape), layer.name
    if q.kind == "flatten_size":
        layer = _flatten(model)
        return int(layer.output_shape[1]), layer.name
    if q.kind == "largest_width":
        from ..scaling import solve_budget
        symbolic = {k: v for k, v in sizes.items() if k != q.size}
        if q.size not in sizes:
            raise SpecError(f"largest_width: {q.size!r} is not one of the sizes")
        total = summarize(read_source(spec.source, spec.path, symbolic).model).total
        return solve_budget(total, q.size, q.budget), None
    raise SpecError(f"unknown question kind {q.kind!r}")


def _wrong(tag: str, q: Question, model, spec, sizes, wrong_models: dict, s):
    """The value a student with misconception ``tag`` gives to question ``q``."""
    m = mc.CATALOGUE[tag]
    if q.kind not in m.kinds:
        return None
    if tag in mc.SHAPE_RULES:
        # The wrong model depends on the draw, not the question: read it once per draw.
        if tag not in wrong_models:
            try:
                wrong_models[tag] = _read(spec, sizes, tag)
            except (SymparamsError, ValueError):
                wrong_models[tag] = None
        if wrong_models[tag] is None:
            return None
        try:
            value, _ = _answer(q, wrong_models[tag], spec, sizes)
        except (SymparamsError, ValueError):
            return None
        return value
    if tag == "first_over_budget":
        value, _ = _answer(q, model, spec, sizes, s)
        return value + 1
    if q.kind == "layer_params":
        return mc.layer_value(tag, _layer(model, q.layer, s))
    if q.kind in ("total_params", "trainable_params"):
        if tag == "bn_moving_trainable":
            moving = s.non_trainable
            return int(s.trainable + moving) if moving else None
        wrong = mc.model_value(tag, model)
        if wrong is None:
            return None
        if q.kind == "trainable_params":
            return int(wrong - s.non_trainable)
        return wrong
    if q.kind == "non_trainable_params" and tag == "bn_moving_left_out":
        return 0 if s.non_trainable else None
    return None


def pose(q: Question, index: int, model, spec: Spec, sizes: dict,
         wrong_models: Optional[dict] = None) -> Posed:
    wrong_models = {} if wrong_models is None else wrong_models
    s = summarize(model)
    answer, layer_name = _answer(q, model, spec, sizes, s)
    if isinstance(answer, int) and not (spec.answer_min <= answer <= spec.answer_max):
        raise Redraw("range")
    distractors, seen = [], {answer}
    for tag in mc.CATALOGUE:
        value = _wrong(tag, q, model, spec, sizes, wrong_models, s)
        if value is None or value in seen or (isinstance(value, int) and value <= 0):
            continue
        seen.add(value)
        distractors.append(Choice(value, False, tag, mc.CATALOGUE[tag].feedback))
    if q.choices and len(distractors) < q.choices - 1:
        raise Redraw("distractors")
    return Posed(q, index, answer, tuple(distractors), layer=layer_name, size_symbol=q.size)


def draw(spec: Spec, n: int, seed: int = 0) -> tuple[list[Variant], DrawReport]:
    """``n`` pairwise distinct variants of the spec, the same for the same seed."""
    if n < 1:
        raise SpecError("ask for at least one variant")
    if spec.space < n:
        raise SpecError(f"{spec.path}: the sizes allow only {spec.space} different draws, fewer than "
                        f"the {n} variants asked for; widen the ranges or ask for fewer")
    _check_names(spec)
    rng = random.Random(seed)
    max_tries = spec.max_tries or 50 * n + 200
    last_error = ""
    variants: list[Variant] = []
    used_sizes, used_answers = set(), set()
    rejected: Counter = Counter()
    tries = 0
    while len(variants) < n and tries < max_tries:
        tries += 1
        sizes = {s.name: rng.choice(s.values) for s in spec.sizes}
        key = tuple(sorted(sizes.items()))
        if key in used_sizes:
            continue
        used_sizes.add(key)
        try:
            model = _read(spec, sizes)
            wrong_models: dict = {}
            posed = [pose(q, i, model, spec, sizes, wrong_models)
                     for i, q in enumerate(spec.questions, start=1)]
        except Redraw as r:
            rejected[r.reason] += 1
            continue
        except SpecError:
            raise
        except SymparamsError as exc:
            rejected["invalid"] += 1      # a kernel larger than its input, a size at or below zero...
            last_error = str(exc)
            continue
        answers = tuple(p.answer for p in posed)
        if answers in used_answers:
            rejected["collision"] += 1
            continue
        used_answers.add(answers)
        variants.append(Variant(len(variants) + 1, sizes, filled_source(spec, sizes), tuple(posed), model))
    if len(variants) < n:
        reasons = ", ".join(f"{v} {k}" for k, v in rejected.items()) or "no valid draw"
        hint = f"; the last impossible model: {last_error}" if last_error and not variants else ""
        raise SpecError(f"{spec.path}: only {len(variants)} distinct variants after {tries} draws "
                        f"({reasons}); relax the constraints or widen the sizes{hint}")
    variants = _balance(variants, rng)
    return variants, _report(variants, tries, rejected)


def _check_names(spec: Spec) -> None:
    """Every size must be a name the source reads; a typo would otherwise reject every draw."""
    import ast
    try:
        tree = ast.parse(spec.source)
    except SyntaxError as exc:
        raise SpecError(f"{spec.path}: the source has a syntax error at its line {exc.lineno}: {exc.msg}") from None
    read = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    for s in spec.sizes:
        if s.name not in read:
            raise SpecError(f"{spec.path}: sizes.{s.name} is not used by the source")


def _balance(variants: list[Variant], rng: random.Random) -> list[Variant]:
    """Put each answer in every position equally often across the variants."""
    out = [list(v.questions) for v in variants]
    for qi, q in enumerate(variants[0].questions):
        k = q.spec.choices
        if not k:
            continue
        positions = [i % k for i in range(len(variants))]
        rng.shuffle(positions)
        for vi, v in enumerate(variants):
            posed = v.questions[qi]
            wrong = list(posed.distractors)
            rng.shuffle(wrong)
            options = wrong[: k - 1]
            options.insert(positions[vi], Choice(posed.answer, True))
            out[vi][qi] = Posed(posed.spec, posed.index, posed.answer, posed.distractors, tuple(options),
                                posed.layer, posed.size_symbol)
    return [Variant(v.number, v.sizes, v.source, tuple(qs), v.model) for v, qs in zip(variants, out)]


def _report(variants, tries, rejected) -> DrawReport:
    positions, spread = {}, {}
    for qi, q in enumerate(variants[0].questions):
        positions[q.index] = Counter(v.questions[qi].answer_position for v in variants
                                     if v.questions[qi].choices)
        values = sorted(v.questions[qi].answer for v in variants if isinstance(v.questions[qi].answer, int))
        if values:
            spread[q.index] = (values[0], values[len(values) // 2], values[-1])
    return DrawReport(len(variants), tries, rejected["invalid"], rejected["range"],
                      rejected["distractors"], rejected["collision"],
                      len({tuple(p.answer for p in v.questions) for v in variants}), positions, spread)
