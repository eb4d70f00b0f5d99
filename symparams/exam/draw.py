"""Draw exam variants: sizes, the model they make, each question's answer and distractors.

The same spec and seed always give the same variants. The spec's source is read once
for each combination of its structural sizes (:mod:`symparams.exam.views`), and each
draw evaluates that reading at its numbers; the first draw of each reading is checked
against a reading at its own numbers. A draw that makes an impossible model, breaks a
``where`` condition, gives an answer out of range, too few distractors or the same
answers as an earlier variant is drawn again, up to a bounded number of tries. Across
variants, the answer stands in each position of the choices equally often (to within one).
"""

from __future__ import annotations

import random
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Optional

from ..core.errors import SymparamsError
from . import conditions
from .kinds import KIND_RULES, Asked, Blank, Choice, Draw, Redraw
from .shown import shown_source
from .spec import CHOICE_ONLY, Question, Spec, SpecError
from .program import Values
from .refs import given_names, layer_refs
from .views import KerasReading, Reading, structural


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
    facts: dict = field(default_factory=dict, compare=False)
    blanks: tuple = ()          # a cloze table's Blank
    framework: str = "keras"    # the source's: "keras" or "pytorch" (the wording of shapes and layers)
    unit: str = "layer"         # what the source's framework calls a row: "layer" or "module"
    #: each row's name -> how the student's code shows it (refs.LayerRef); empty where the
    #: framework's names are the code's own (PyTorch's attributes)
    refs: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def kind(self) -> str:
        return self.spec.kind

    @property
    def multiple(self) -> bool:
        """Several choices are correct (the student selects all of them)."""
        return sum(c.correct for c in self.choices) > 1

    @property
    def tolerance(self) -> float:
        return self.spec.tolerance_for(self.answer) if _is_number(self.answer) else 0.0

    @property
    def answer_position(self) -> Optional[int]:
        for i, c in enumerate(self.choices):
            if c.correct:
                return i
        return None


def _is_number(v) -> bool:
    from fractions import Fraction
    return isinstance(v, (int, Fraction)) and not isinstance(v, bool)


@dataclass(frozen=True)
class Variant:
    number: int
    sizes: dict
    source: str                 # the model with the drawn values in place: real Keras runs it
    questions: tuple
    spec_path: str = field(default="<spec>", compare=False, repr=False)
    #: the reading it was drawn from (its layers' keys let versions share their derivations)
    reading: Any = field(default=None, compare=False, repr=False)

    @property
    def model(self):
        """The variant's model, read from its own source (for its worked solution)."""
        return self.read.model

    @property
    def read(self):
        """What the reader made of the variant's own source (a PyTorch one's forward pass too)."""
        from ..readers import read_source
        cached = _MODELS.get(self.source)
        if cached is None:
            cached = _MODELS[self.source] = read_source(self.source, f"{self.spec_path} version {self.number}")
            if len(_MODELS) > 64:
                _MODELS.pop(next(iter(_MODELS)))
        return cached

    def __str__(self) -> str:
        return _display(self)["text/plain"].rstrip()

    def _repr_mimebundle_(self, include=None, exclude=None):
        return _display(self)


_MODELS: dict = {}


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
    where: int = 0               # draws that broke a constraints.where condition

    def lines(self) -> list[str]:
        out = [f"variants: {self.variants} (after {self.tries} draws)",
               f"distinct answer sets: {self.distinct_answers}",
               f"rejected: {self.invalid} impossible models, {self.out_of_range} answers out of range, "
               f"{self.too_few_distractors} with too few distractors, {self.collisions} collisions "
               f"(the same answers as an earlier variant), {self.where} outside the where conditions"]
        for q, counts in self.positions.items():
            if counts:
                out.append(f"question {q}: answer positions " +
                           ", ".join(f"{chr(65 + p)} {n}" for p, n in sorted(counts.items())))
        for q, (lo, mid, hi) in self.spread.items():
            out.append(f"question {q}: answers from {lo:,} to {hi:,} (median {mid:,})")
        return out


def _reading_class(source: str) -> type:
    """The reading for the source's framework: PyTorch for a file that imports torch."""
    import ast
    from ..readers.dialect import is_torch_source
    try:
        torch = is_torch_source(ast.parse(source))
    except SyntaxError:
        torch = False           # _check_names reports it
    if torch:
        from .torch_reading import TorchReading
        return TorchReading
    return KerasReading


class Readings:
    """The spec's readings, one per combination of structural sizes, made when first needed.

    Where the source cannot be read with every whole-number size free (``num_layers=depth``
    of a PyTorch LSTM, ``range(blocks)``), the fewest sizes that make it readable are bound
    before reading too, as switches are (:meth:`_bind_to_read`): the spec is then read once
    for each of their combinations, not once for each draw. Only a source that no such
    choice makes readable is read at each draw's numbers."""

    def __init__(self, spec: Spec):
        self.spec = spec
        self.by_key: dict = {}
        self.checked: set = set()
        self.exact_only = False       # the source cannot be read with free sizes
        self.kind = _reading_class(spec.source)
        self.bound: frozenset = frozenset()    # whole-number sizes bound before reading

    def _fixed(self, sizes: dict) -> dict:
        return {k: v for k, v in sizes.items() if structural(v) or k in self.bound}

    def _free_reading(self, sizes: dict):
        fixed = self._fixed(sizes)
        key = ("free", tuple(sorted(fixed.items(), key=lambda kv: kv[0])))
        if key not in self.by_key:
            try:
                self.by_key[key] = self.kind(self.spec.source, self.spec.path, fixed, exact=False)
            except SymparamsError:
                self.by_key[key] = None     # read at each draw's numbers instead
        return self.by_key[key]

    def _bind_to_read(self, sizes: dict) -> Optional[frozenset]:
        """The fewest whole-number sizes whose binding lets the source be read at ``sizes``
        (the ones with fewest values tried first, then any not needed dropped); None if
        binding them all is not enough, or they would be as many readings as draws."""
        wholes = sorted((s for s in self.spec.sizes if not any(structural(v) for v in s.values)),
                        key=lambda s: (len(s.values), s.name))

        def readable(names) -> bool:
            fixed = {k: v for k, v in sizes.items() if structural(v) or k in names}
            try:
                self.kind(self.spec.source, self.spec.path, fixed, exact=False)
                return True
            except SymparamsError:
                return False

        chosen: list = []
        for s in wholes[:-1]:           # every one bound is an exact reading
            chosen.append(s.name)
            if readable(chosen):
                break
        else:
            return None
        for name in list(chosen[:-1]):
            if readable([n for n in chosen if n != name]):
                chosen.remove(name)
        combinations = 1
        for s in self.spec.sizes:
            if s.name in chosen:
                combinations *= len(s.values)
        return frozenset(chosen) if combinations * 4 <= max(self.spec.space, 1) else None

    def get(self, sizes: dict) -> Reading:
        if not self.exact_only:
            reading = self._free_reading(sizes)
            if reading is None and self.bound == frozenset():
                found = self._bind_to_read(sizes)
                if found is None:
                    self.exact_only = True
                else:
                    self.bound = found
                    reading = self._free_reading(sizes)
            if reading is not None:
                return reading
        key = ("exact", tuple(sorted(sizes.items(), key=lambda kv: kv[0])))
        if key not in self.by_key:
            self.by_key[key] = self.kind(self.spec.source, self.spec.path, dict(sizes), exact=True)
            if len(self.by_key) > 256:
                self.by_key.pop(next(k for k in self.by_key if k[0] == "exact"))
        return self.by_key[key]

    def check(self, reading: Reading, sizes: dict, view) -> None:
        """A free reading against a reading at the draw's own numbers: at its first draw,
        and at the first draw of each pattern of sizes that are 0 or 1. A layer may choose
        its shapes by whether a size is 1 (one-hot encoding drops an axis of length 1),
        and a free size is never 1 to it, so each such pattern is checked once. The
        version's derivation is checked too: where it differs, the writer reads each
        version's own source (:meth:`Reading.derivation`)."""
        if reading.exact:
            return
        ones = tuple(sorted(k for k, v in sizes.items() if not structural(v) and v in (0, 1)))
        if (id(reading), ones) in self.checked:
            return
        self.checked.add((id(reading), ones))
        exact_reading = self.kind(self.spec.source, self.spec.path, dict(sizes), exact=True)
        exact = exact_reading.view(sizes)
        same = exact.total == view.total and [(r.name, r.params, r.shapes) for r in exact.rows] == \
            [(r.name, r.params, r.shapes) for r in view.rows]
        if not same:
            # the free reading differs from the numbers' own: read every draw at its numbers
            self.exact_only = True
            raise Redraw("recheck")
        if reading.in_place and reading.derive_at(sizes, {}) != exact_reading.derive_at(sizes, {}):
            reading.in_place = False


class _Draw(Draw):
    def __init__(self, readings: Readings, reading: Reading, sizes: dict, view, rng):
        super().__init__(reading, sizes, view)
        self.readings, self.rng = readings, rng

    def count_at(self, name: str, value: int):
        """The total with one size changed (a budget question's search)."""
        sizes = {**self.sizes, name: value}
        if not self.reading.exact and name not in self.reading.bound:
            # the size is free in this reading: only its total is needed, not every row
            return Values(self.reading.program, sizes)[self.reading.summary.total]
        try:
            view = self.readings.get(sizes).view(sizes)
        except SymparamsError:
            return None
        return view.total if view.valid else None


def _values(q: Question, asked: Asked, d: Draw, spec: Spec) -> list:
    """The teacher's own distractors (expressions in the sizes and ``answer``)."""
    out = []
    for extra in q.distractors:
        tree = conditions.parse_condition(extra.value, lambda m: SpecError(f"{spec.path}: {m}"))
        try:
            value = conditions.evaluate(tree, {**d.sizes, "answer": asked.answer})
        except conditions.ConditionError as exc:
            raise SpecError(f"{spec.path}: distractor {extra.value!r}: {exc}") from None
        out.append(Choice(value, False, "teacher", {"feedback": extra.feedback, "expression": extra.value}))
    return out


#: the kinds that show a summary table: their layers are named as the table's rows name them
TABLES = ("find_bug", "cloze")
#: the kinds that read output shapes or compute: a PyTorch source must run its forward pass
FORWARD = ("output_shape", "flatten_size", "compute")


def pose(q: Question, index: int, d: Draw, spec: Spec) -> Posed:
    if not getattr(d.reading, "traced", True) and (q.kind in FORWARD or (q.kind == "cloze" and "shape" in q.columns)):
        raise SpecError(f"{spec.path}: questions[{index}] ({q.kind}) needs the model's output shapes, and the "
                        "source never calls the model; end it with a forward pass on an input, such as "
                        "model(torch.randn(1, 3, 32, 32))")
    try:
        asked = KIND_RULES[q.kind](q, d)
    except SpecError as exc:
        # a kind's own refusal says what is wrong; the spec and the question say where
        message = str(exc)
        if not message.startswith(spec.path):
            raise SpecError(f"{spec.path}: questions[{index}] ({q.kind}): {message}") from None
        raise
    answer = asked.answer
    if isinstance(answer, int) and not isinstance(answer, bool) and not asked.blanks \
            and not (spec.answer_min <= answer <= spec.answer_max):
        raise Redraw("range")
    distractors, seen = [], {answer} | set(asked.correct)
    for c in _values(q, asked, d, spec) + list(asked.distractors):
        if c.value is None or c.value in seen or (_is_number(c.value) and c.value <= 0):
            continue
        seen.add(c.value)
        distractors.append(c)
    wanted = q.choices - (len(asked.correct) or 1)
    if q.choices and len(distractors) < wanted:
        raise Redraw("distractors", index, len(distractors))
    return Posed(q, index, answer, tuple(distractors), layer=asked.layer, size_symbol=q.size,
                 facts=asked.facts, blanks=asked.blanks, framework=d.reading.framework,
                 unit=d.reading.unit, refs={} if q.kind in TABLES else d.refs)


def draw(spec: Spec, n: int, seed: int = 0) -> tuple[list[Variant], DrawReport]:
    """``n`` pairwise distinct variants of the spec, the same for the same seed."""
    if n < 1:
        raise SpecError("ask for at least one variant")
    if spec.space < n:
        raise SpecError(f"{spec.path}: the sizes allow only {spec.space} different draws, fewer than "
                        f"the {n} variants asked for; widen the ranges or ask for fewer")
    _check_names(spec)
    where = [(w, conditions.parse_condition(w, lambda m: SpecError(f"{spec.path}: {m}"))) for w in spec.where]
    readings = Readings(spec)
    rng = random.Random(seed)
    max_tries = spec.max_tries or 50 * n + 200
    last_error = ""
    variants: list[Variant] = []
    used_sizes, used_answers = set(), set()
    rejected: Counter = Counter()
    short: dict = {}            # question index -> (draws it ran short in, the most distractors it found)
    tries = 0
    while len(variants) < n and tries < max_tries:
        tries += 1
        sizes = {s.name: rng.choice(s.values) for s in spec.sizes}
        key = tuple(sorted(sizes.items(), key=lambda kv: kv[0]))
        if key in used_sizes:
            continue
        used_sizes.add(key)
        try:
            if not all(_holds(w, tree, sizes, spec) for w, tree in where):
                rejected["where"] += 1
                continue
            reading = readings.get(sizes)
            view = reading.view(sizes)
            if not view.valid:
                raise Redraw("invalid")
            readings.check(reading, sizes, view)
            d = _Draw(readings, reading, sizes, view, random.Random(rng.random()))
            d.refs = layer_refs(view.rows, given_names(spec.source)) if reading.automatic_names else {}
            posed, lacking = [], []
            for i, q in enumerate(spec.questions, start=1):
                try:
                    posed.append(pose(q, i, d, spec))
                except Redraw as r:
                    if r.reason != "distractors":
                        raise
                    if r.question is None:
                        r.question = i      # a kind that found no answer to ask (a tie for the largest layer)
                    lacking.append(r)   # the other questions still run: the error names every one short
            if lacking:
                for r in lacking:
                    times, found = short.get(r.question, (0, 0))
                    short[r.question] = (times + 1, max(found, r.found))
                raise Redraw("distractors")
        except Redraw as r:
            if r.reason == "recheck":
                used_sizes.discard(key)
                continue
            rejected[r.reason] += 1
            continue
        except SpecError:
            raise
        except SymparamsError as exc:
            rejected["invalid"] += 1      # a kernel larger than its input, a size at or below zero...
            last_error = str(exc)
            continue
        answers = tuple(_key(p) for p in posed)
        if answers in used_answers:
            rejected["collision"] += 1
            continue
        used_answers.add(answers)
        variants.append(Variant(len(variants) + 1, sizes, shown_source(spec.source, sizes, named_sizes(spec)),
                                tuple(posed), spec.path, reading))
    if len(variants) < n:
        reasons = ", ".join(f"{v} {_REASONS.get(k, k)}" for k, v in rejected.items()) or "no valid draw"
        hint = f"; the last impossible model: {last_error}" if last_error and not variants else ""
        fix = "relax the constraints or widen the sizes"
        if short and rejected["distractors"] * 2 >= sum(rejected.values()):
            fix = _fewer_choices(spec, short)
            if any(getattr(r, "traced", True) is False for r in readings.by_key.values() if r is not None):
                fix += "; or end the source with a forward pass on an input, which adds the shape mistakes"
        raise SpecError(f"{spec.path}: only {len(variants)} distinct variants after {tries} draws "
                        f"({reasons}); {fix}{hint}")
    variants = _balance(variants, rng)
    return variants, _report(variants, tries, rejected)


_REASONS = {"invalid": "impossible models", "range": "answers out of range",
            "distractors": "with too few distractors", "collision": "collisions",
            "where": "outside the where conditions"}


def _fewer_choices(spec: Spec, short: dict) -> str:
    """What to change when a question cannot find enough wrong answers: fewer choices."""
    i = max(short, key=lambda k: (short[k][0], -k))    # the question that stopped the most draws
    q, found = spec.questions[i - 1], short[i][1]
    others = sorted(k for k in short if k != i and short[k][0] * 2 >= short[i][0])
    correct = 1 if q.kind != "param_free_layers" else None
    found_text = "no wrong answer" if not found else \
        f"at most {found} wrong answer{'s' if found != 1 else ''}"
    what = f"question {i} ({q.kind}) has {q.choices} choices but its mistakes gave {found_text} in a draw"
    options = []
    if found and correct:
        options.append(f"set choices = {found + correct} in it")
    if q.kind not in CHOICE_ONLY:
        options.append("choices = 0 for a numeric answer")
    options.append("add wrong answers of your own to it (distractors, in docs/exam.md)")
    also = f" (questions {', '.join(map(str, others))} ran short too)" if len(others) > 1 else \
        f" (question {others[0]} ran short too)" if others else ""
    return what + ": " + ", or ".join(options) + also


def _key(posed: "Posed"):
    """What makes two variants' answers different: the answer, and for a question whose
    answer is a layer's name, the numbers behind it (two models with the same largest
    layer are different questions when their counts differ)."""
    if isinstance(posed.answer, (str, tuple)) and posed.facts:
        return posed.answer, repr(sorted(posed.facts.items()))
    return posed.answer


def _holds(text: str, tree, sizes: dict, spec: Spec) -> bool:
    try:
        return bool(conditions.evaluate(tree, sizes))
    except conditions.ConditionError as exc:
        raise SpecError(f"{spec.path}: constraints.where {text!r}: {exc}") from None


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
    names = {s.name for s in spec.sizes}
    _check_posed(spec, names)
    for w in spec.where:
        tree = conditions.parse_condition(w, lambda m: SpecError(f"{spec.path}: {m}"))
        unknown = sorted(conditions.names_in(tree) - names)
        if unknown:
            raise SpecError(f"{spec.path}: constraints.where {w!r} uses {unknown[0]!r}, which is not one "
                            f"of the sizes ({', '.join(sorted(names))})")
    for i, q in enumerate(spec.questions, start=1):
        for extra in q.distractors:
            tree = conditions.parse_condition(extra.value, lambda m: SpecError(f"{spec.path}: {m}"))
            unknown = sorted(conditions.names_in(tree) - names - {"answer"})
            if unknown:
                raise SpecError(f"{spec.path}: questions[{i}].distractors {extra.value!r} uses "
                                f"{unknown[0]!r}, which is not a size or 'answer'")


def named_sizes(spec: Spec) -> tuple:
    """The sizes a question asks about by name (a budget's width): the student's code keeps
    them as names, each given its value once, where every other size is filled in."""
    return tuple(dict.fromkeys(q.size for q in spec.questions if q.kind in ("largest_width", "growth") and q.size))


#: a name in backquotes in a teacher's prompt: code the student should find in the model
CODE_NAME = re.compile(r"`([A-Za-z_][A-Za-z0-9_]*)`")


def _check_posed(spec: Spec, names: set) -> None:
    """A question may ask about a size by name only where the student's code shows that name:
    every other size is filled in with its value, and the student would look for it in vain."""
    named = set(named_sizes(spec))
    for i, q in enumerate(spec.questions, start=1):
        for m in CODE_NAME.finditer(q.prompt):
            if m.group(1) in names and m.group(1) not in named:
                raise SpecError(f"{spec.path}: questions[{i}].prompt asks about `{m.group(1)}`, a size the "
                                f"student's code does not name (its drawn value is filled in); write "
                                f"{{{m.group(1)}}} instead, which the value fills in")


def _balance(variants: list[Variant], rng: random.Random) -> list[Variant]:
    """Put each answer in every position equally often across the variants, and across the
    questions of each variant: each question's positions over the versions are shifted by
    its own amount, drawn so that the shifts spread over the positions (one version alone
    would otherwise put every right answer first)."""
    out = [list(v.questions) for v in variants]
    ks = [q.spec.choices for q in variants[0].questions]
    most = max((k for k in ks if k), default=0)
    if most and len(ks) <= most:
        shifts = rng.sample(range(most), len(ks))      # distinct, and any of the positions
    else:
        shifts = [j % most for j in range(len(ks))] if most else []
        rng.shuffle(shifts)
    for qi, q in enumerate(variants[0].questions):
        k = q.spec.choices
        if not k:
            continue
        positions = [(i + shifts[qi]) % k for i in range(len(variants))]
        rng.shuffle(positions)
        for vi, v in enumerate(variants):
            posed = v.questions[qi]
            wrong = list(posed.distractors)
            rng.shuffle(wrong)
            correct = [Choice(a, True) for a in (posed.answer if posed.kind == "param_free_layers"
                                                 else (posed.answer,))]
            options = wrong[: k - len(correct)]
            if len(correct) == 1:
                options.insert(min(positions[vi], len(options)), correct[0])
            else:
                options = options + correct
                rng.shuffle(options)
            out[vi][qi] = Posed(posed.spec, posed.index, posed.answer, posed.distractors, tuple(options),
                                posed.layer, posed.size_symbol, posed.facts, posed.blanks, posed.framework,
                                posed.unit, posed.refs)
    return [Variant(v.number, v.sizes, v.source, tuple(qs), v.spec_path, v.reading) for v, qs in zip(variants, out)]


def _report(variants, tries, rejected) -> DrawReport:
    positions, spread = {}, {}
    for qi, q in enumerate(variants[0].questions):
        positions[q.index] = Counter(v.questions[qi].answer_position for v in variants
                                     if v.questions[qi].choices and not v.questions[qi].multiple)
        values = sorted(v.questions[qi].answer for v in variants
                        if isinstance(v.questions[qi].answer, int) and not isinstance(v.questions[qi].answer, bool))
        if values:
            spread[q.index] = (values[0], values[len(values) // 2], values[-1])
    return DrawReport(len(variants), tries, rejected["invalid"], rejected["range"],
                      rejected["distractors"], rejected["collision"],
                      len({tuple(_key(p) for p in v.questions) for v in variants}), positions, spread,
                      rejected["where"])
