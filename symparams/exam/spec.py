"""Question specs: a Keras source with free sizes, the values each size may take, the questions.

A spec is a TOML file (read with the standard library) or built in Python::

    title = "Parameters of a small CNN"
    source = '''
    model = keras.Sequential([keras.Input((size, size, 1)),
                              layers.Conv2D(filters, kernel), ...])
    '''
    [sizes]
    filters = [16, 32, 64]                  # a choice
    size = {min = 28, max = 64}             # a range (step 1, or step = ...)
    pool = [true, false]                    # a switch the source tests with `if pool:`

    [[questions]]
    kind = "total_params"                   # see KINDS
    choices = 4                             # 1 answer + 3 misconception distractors

    [constraints]
    answer_min = 1000
    answer_max = 10_000_000
"""

from __future__ import annotations

import re

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Optional, Union

from ..core.errors import SymparamsError

#: every question kind, with what it asks (docs/exam.md has a table with the fields each takes)
KINDS = {
    "total_params": "the total number of parameters",
    "trainable_params": "the trainable parameters",
    "non_trainable_params": "the non-trainable parameters",
    "layer_params": "the parameters of one layer (layer = name or 1-based row)",
    "output_shape": "the output shape of one layer (layer = ...)",
    "flatten_size": "the size of the Flatten layer's output",
    "largest_layer": "which layer has the most parameters",
    "param_free_layers": "every layer without parameters (several correct choices)",
    "compute": "the MACs or FLOPs of the model or of one layer (measure = \"macs\" or \"flops\")",
    "weight_memory": "the memory of the weights at a dtype (dtype = ..., unit = ...)",
    "training_memory": "the memory to train with an optimizer (optimizer = \"adam\", unit = ...)",
    "find_bug": "which row of a summary with one wrong count or shape is wrong",
    "cloze": "a summary table with the parameter counts (and shapes) left blank",
    "largest_width": "the largest value of a size (size = ...) within a parameter budget (budget = ...)",
    "growth": "how many times as many parameters when a size (size = ...) is multiplied (factor = 2)",
    "formula": "one layer's parameter count as a formula in its sizes, where each comes from and its value "
               "(layer = ...; on paper a free response with a rubric in the key)",
    "kv_cache": "the memory of the keys and values the attention layers keep (per = \"sequence\" or \"token\")",
}
#: the kinds whose answer is not a number: they need choices
CHOICE_ONLY = {"output_shape", "largest_layer", "param_free_layers", "find_bug"}
TOP_KEYS = {"title", "instructions", "source", "sizes", "questions", "constraints"}
QUESTION_KEYS = {"kind", "layer", "choices", "size", "budget", "points", "prompt", "tolerance",
                 "distractors", "measure", "dtype", "optimizer", "precision", "unit", "columns", "factor", "per"}
CONSTRAINT_KEYS = {"answer_min", "answer_max", "max_tries", "where"}
UNITS = {"bytes": 1, "KB": 10 ** 3, "MB": 10 ** 6, "GB": 10 ** 9,
         "KiB": 2 ** 10, "MiB": 2 ** 20, "GiB": 2 ** 30}


#: values one size may take: a range is made into a tuple of them
MOST_VALUES = 100_000
#: the most draws a spec may ask for before it gives up on its constraints
MOST_TRIES = 100_000


class SpecError(SymparamsError):
    pass


@dataclass(frozen=True)
class Size:
    name: str
    values: tuple


@dataclass(frozen=True)
class Distractor:
    """A teacher's own wrong answer: an expression in the sizes and ``answer``."""

    value: str
    feedback: str = ""


@dataclass(frozen=True)
class Question:
    kind: str
    layer: Union[str, int, None] = None
    choices: int = 4
    size: Optional[str] = None
    budget: Optional[int] = None
    points: float = 1
    prompt: str = ""                    # the teacher's own wording ({layer}, {budget}, sizes)
    tolerance: Union[float, str] = 0     # absolute, or "5%" of the answer
    distractors: tuple = ()              # Distractor
    measure: str = "macs"                # compute: macs or flops
    dtype: str = "float32"               # weight_memory
    optimizer: str = "adam"              # training_memory
    precision: str = "fp32"              # training_memory
    unit: str = "bytes"                  # memory
    columns: tuple = ("params",)         # cloze: params, shape
    factor: int = 2                      # growth: the size multiplied by it
    per: str = "sequence"                # kv_cache: one sequence (its every token) or one token

    def prompt_fields(self) -> dict:
        """The question's own fields its ``prompt`` may name, with their values: the ones it
        sets, and those of its kind (``{unit}`` is a memory question's)."""
        fields = {"layer": self.layer, "budget": self.budget, "size": self.size}
        if self.kind == "growth":
            fields["factor"] = self.factor
        if self.kind in ("weight_memory", "training_memory", "kv_cache"):
            fields.update(dtype=self.dtype, unit=self.unit)
        if self.kind == "training_memory":
            fields["optimizer"] = self.optimizer
        if self.kind == "compute":
            fields["measure"] = self.measure
        return {k: v for k, v in fields.items() if v is not None}

    def tolerance_for(self, answer) -> float:
        """The absolute tolerance around ``answer``."""
        if isinstance(self.tolerance, str):
            return abs(float(answer)) * float(self.tolerance.rstrip("%")) / 100
        return float(self.tolerance)


@dataclass(frozen=True)
class Spec:
    title: str
    source: str
    sizes: tuple
    questions: tuple
    instructions: str = ""
    answer_min: int = 1
    answer_max: int = 10 ** 12
    max_tries: int = 0          # 0: 50 tries per variant asked for
    path: str = "<spec>"
    where: tuple = ()           # conditions between sizes, in a small safe language (conditions.py)

    @property
    def space(self) -> int:
        """How many different draws the sizes allow."""
        n = 1
        for s in self.sizes:
            n *= len(s.values)
        return n

    @classmethod
    def from_toml(cls, path) -> "Spec":
        if sys.version_info >= (3, 11):
            import tomllib
        else:  # pragma: no cover - Python 3.9 and 3.10
            raise SpecError(f"{path}: reading TOML needs Python 3.11 or newer (tomllib)")
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise SpecError(f"{path}: no such file") from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise SpecError(f"{path}: not valid TOML: {exc}") from None
        return cls.from_dict(data, str(path))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], path: str = "<spec>") -> "Spec":
        def fail(message):
            return SpecError(f"{path}: {message}")

        unknown = sorted(set(data) - TOP_KEYS)
        if unknown:
            raise fail(f"unknown key {unknown[0]!r}; a spec has {', '.join(sorted(TOP_KEYS))}")
        for key in ("source", "sizes", "questions"):
            if key not in data:
                raise fail(f"missing {key!r}")
        if not isinstance(data["source"], str) or not data["source"].strip():
            raise fail("'source' must be the model's Keras code, as a string")
        if not isinstance(data["sizes"], dict):
            raise fail("'sizes' must be a table ([sizes]) of the sizes to draw")
        sizes = tuple(_size(name, value, fail) for name, value in data["sizes"].items())
        if not sizes:
            raise fail("'sizes' is empty: name at least one size to draw")
        questions = [_question(i, q, fail) for i, q in enumerate(data["questions"], start=1)] \
            if isinstance(data["questions"], list) else None
        if questions is None:
            raise fail("'questions' must be a list of tables ([[questions]])")
        if not questions:
            raise fail("'questions' is empty")
        for i, q in enumerate(questions, start=1):
            _check_prompt(i, q, [s.name for s in sizes], fail)
        constraints = data.get("constraints", {})
        if not isinstance(constraints, dict):
            raise fail("'constraints' must be a table ([constraints])")
        bad = sorted(set(constraints) - CONSTRAINT_KEYS)
        if bad:
            raise fail(f"constraints: unknown key {bad[0]!r}; constraints are {', '.join(sorted(CONSTRAINT_KEYS))}")
        spec = cls(title=str(data.get("title", "Neural network sizes")), source=data["source"],
                   sizes=sizes, questions=tuple(questions), instructions=str(data.get("instructions", "")),
                   answer_min=_whole(constraints, "answer_min", 1, fail),
                   answer_max=_whole(constraints, "answer_max", 10 ** 12, fail),
                   max_tries=_whole(constraints, "max_tries", 0, fail), path=path,
                   where=_where(constraints.get("where", ()), fail))
        if spec.answer_min > spec.answer_max:
            raise fail(f"constraints: answer_min {spec.answer_min} is above answer_max {spec.answer_max}")
        return spec


def _whole(constraints: Mapping[str, Any], key: str, default: int, fail) -> int:
    value = constraints.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise fail(f"constraints.{key} must be a whole number, got {value!r:.60}")
    if key == "max_tries" and not 0 <= value <= MOST_TRIES:
        # every try draws and reads a version: a billion of them never ends
        raise fail(f"constraints.max_tries must be between 1 and {MOST_TRIES:,}, got {value:,}")
    return value


#: a name in braces in a teacher's prompt, filled in with its value
PROMPT_FIELD = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def _check_prompt(i: int, q: Question, sizes: list, fail) -> None:
    """Every {name} of a prompt must be a size or one of the question's fields: a misspelt
    one would otherwise reach the students as it is written."""
    known = set(sizes) | set(q.prompt_fields())
    for m in PROMPT_FIELD.finditer(q.prompt):
        if m.group(1) not in known:
            listed = ", ".join("{" + n + "}" for n in sorted(known))
            raise fail(f"questions[{i}].prompt: {{{m.group(1)}}} is neither a size nor a field of this "
                       f"{q.kind} question; it may name {listed}")


def _size(name: str, value, fail) -> Size:
    if isinstance(value, dict):
        bad = sorted(set(value) - {"min", "max", "step"})
        if bad or "min" not in value or "max" not in value:
            raise fail(f"sizes.{name}: a range is {{min = ..., max = ..., step = ...}}")
        lo, hi, step = value["min"], value["max"], value.get("step", 1)
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in (lo, hi, step)) or step <= 0:
            raise fail(f"sizes.{name}: min, max and step must be whole numbers, step positive")
        if lo > hi:
            raise fail(f"sizes.{name}: the range is empty (min {lo} is above max {hi})")
        values = range(lo, hi + 1, step)
        if len(values) > MOST_VALUES:
            raise fail(f"sizes.{name}: the range holds {len(values):,} values, more than a draw needs "
                       f"(at most {MOST_VALUES:,}); give it a larger step or a narrower range")
        return Size(name, tuple(values))
    if isinstance(value, list):
        if not value:
            raise fail(f"sizes.{name}: the list of choices is empty")
        return Size(name, tuple(_choice(name, v, fail) for v in value))
    if isinstance(value, (int, float, bool, str)):
        return Size(name, (_choice(name, value, fail),))
    raise fail(f"sizes.{name}: give a list of choices or a range {{min, max}}")


def _choice(name: str, v, fail):
    """One value a size may take: a number, true/false, a string ("same") or a tuple ([3, 5])."""
    if isinstance(v, (int, float, bool)):
        return v
    if isinstance(v, str):
        if not v.isprintable() or len(v) > 100:
            raise fail(f"sizes.{name}: a string choice must be one printable line, got {v!r}")
        return v
    if isinstance(v, list) and v and all(isinstance(x, (int, float, str)) and not isinstance(x, bool)
                                         for x in v):
        return tuple(v)
    raise fail(f"sizes.{name}: a choice is a number, true/false, a string or a list of numbers "
               f"(a tuple such as [3, 5]), got {v!r}")


def _where(value, fail) -> tuple:
    from .conditions import parse_condition
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, (list, tuple)) or not all(isinstance(w, str) for w in items):
        raise fail("constraints.where must be a condition such as \"units % heads == 0\", or a list of them")
    for w in items:
        parse_condition(w, lambda m, w=w: fail(f"constraints.where {w!r}: {m}"))
    return tuple(items)


def _question(i: int, q, fail) -> Question:
    if not isinstance(q, dict):
        raise fail(f"questions[{i}] must be a table")
    bad = sorted(set(q) - QUESTION_KEYS)
    if bad:
        raise fail(f"questions[{i}]: unknown key {bad[0]!r}; a question has {', '.join(sorted(QUESTION_KEYS))}")
    kind = q.get("kind")
    if not isinstance(kind, str) or kind not in KINDS:
        raise fail(f"questions[{i}].kind {kind!r} is not one of {', '.join(KINDS)}")
    where = f"questions[{i}]"
    if kind in ("layer_params", "output_shape", "formula") and "layer" not in q:
        raise fail(f"{where}: {kind} needs 'layer' (a layer name or a 1-based row)")
    if kind == "largest_width" and ("size" not in q or "budget" not in q):
        raise fail(f"{where}: largest_width needs 'size' and 'budget'")
    if kind == "growth" and "size" not in q:
        raise fail(f"{where}: growth needs 'size', the size that is multiplied (factor = 2 by default)")
    factor = q.get("factor", 2)
    if not isinstance(factor, int) or isinstance(factor, bool) or factor < 2:
        raise fail(f"{where}.factor must be a whole number of at least 2, got {factor!r}")
    choices = q.get("choices", 0 if kind in ("cloze", "formula") else 4)
    if not isinstance(choices, int) or isinstance(choices, bool) or choices < 0 or choices == 1 or choices > 8:
        raise fail(f"{where}.choices must be 0 (numeric answer only) or 2 to 8, got {choices!r}")
    if kind in CHOICE_ONLY and choices == 0:
        raise fail(f"{where}: the answer to {kind} is not a number: give it choices (2 to 8)")
    if kind == "cloze" and choices:
        raise fail(f"{where}: a cloze table's blanks are numbers: leave out choices (or set it to 0)")
    if kind == "formula" and choices:
        raise fail(f"{where}: a formula is written, not chosen: leave out choices (or set it to 0)")
    points = q.get("points", 1)
    if not isinstance(points, (int, float)) or isinstance(points, bool) or points <= 0:
        raise fail(f"{where}.points must be a positive number, got {points!r}")
    # a ratio is asked to two decimal places: half a hundredth either way, unless given
    tolerance = q.get("tolerance", 0.005 if kind == "growth" else 0)
    if isinstance(tolerance, str):
        body = tolerance.strip().rstrip("%")
        if not tolerance.strip().endswith("%") or not body.replace(".", "", 1).isdigit():
            raise fail(f"{where}.tolerance must be a number or a percentage such as \"5%\", got {tolerance!r}")
        tolerance = tolerance.strip()
    elif not isinstance(tolerance, (int, float)) or isinstance(tolerance, bool) or tolerance < 0:
        raise fail(f"{where}.tolerance must be a number at or above 0, or a percentage such as \"5%\"")
    per = q.get("per", "sequence")
    if per not in ("sequence", "token"):
        raise fail(f"{where}.per must be \"sequence\" or \"token\", got {per!r}")
    measure = q.get("measure", "macs")
    if measure not in ("macs", "flops"):
        raise fail(f"{where}.measure must be \"macs\" or \"flops\", got {measure!r}")
    unit = q.get("unit", "bytes")
    if not isinstance(unit, str) or unit not in UNITS:
        raise fail(f"{where}.unit must be one of {', '.join(UNITS)}, got {unit!r}")
    from ..core.units import DTYPE_BYTES
    dtype = q.get("dtype", "float32")
    if not isinstance(dtype, str) or dtype not in DTYPE_BYTES:
        raise fail(f"{where}.dtype must be one of {', '.join(DTYPE_BYTES)}, got {dtype!r}")
    from ..scaling.memory import OPTIMIZER_STATES, PRECISIONS
    optimizer, precision = str(q.get("optimizer", "adam")).lower(), q.get("precision", "fp32")
    if optimizer not in OPTIMIZER_STATES:
        raise fail(f"{where}.optimizer must be one of {', '.join(OPTIMIZER_STATES)}, got {optimizer!r}")
    if not isinstance(precision, str) or precision not in PRECISIONS:
        raise fail(f"{where}.precision must be one of {', '.join(PRECISIONS)}, got {precision!r}")
    columns = q.get("columns", ["params"])
    if isinstance(columns, str):
        columns = [columns]
    if not isinstance(columns, list) or not columns or not all(c in ("params", "shape") for c in columns):
        raise fail(f"{where}.columns must list \"params\" and/or \"shape\", got {columns!r}")
    prompt = q.get("prompt", "")
    if not isinstance(prompt, str):
        raise fail(f"{where}.prompt must be the question's wording, as a string")
    extra = []
    for j, d in enumerate(q.get("distractors", []), start=1):
        if isinstance(d, str):
            d = {"value": d}
        if not isinstance(d, dict) or "value" not in d or set(d) - {"value", "feedback"}:
            raise fail(f"{where}.distractors[{j}] must be {{value = \"...\", feedback = \"...\"}}")
        from .conditions import parse_condition
        parse_condition(str(d["value"]), lambda m, j=j: fail(f"{where}.distractors[{j}]: {m}"))
        extra.append(Distractor(str(d["value"]), str(d.get("feedback", ""))))
    budget = q.get("budget")
    if budget is not None and (not isinstance(budget, int) or isinstance(budget, bool) or budget <= 0):
        raise fail(f"{where}.budget must be a whole number of parameters, got {budget!r}")
    return Question(kind, q.get("layer"), choices, q.get("size"), budget, points, prompt, tolerance,
                    tuple(extra), measure, dtype, optimizer, precision, unit, tuple(columns), factor, per)
