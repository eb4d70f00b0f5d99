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

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Optional, Union

from ..errors import SymparamsError

KINDS = {
    "total_params": "the total number of parameters",
    "layer_params": "the parameters of one layer (layer = name or 1-based row)",
    "trainable_params": "the trainable parameters",
    "non_trainable_params": "the non-trainable parameters",
    "output_shape": "the output shape of one layer (layer = ...)",
    "flatten_size": "the size of the Flatten layer's output",
    "largest_width": "the largest value of a size (size = ...) within a parameter budget (budget = ...)",
}
TOP_KEYS = {"title", "instructions", "source", "sizes", "questions", "constraints"}
QUESTION_KEYS = {"kind", "layer", "choices", "size", "budget", "points"}
CONSTRAINT_KEYS = {"answer_min", "answer_max", "max_tries"}


class SpecError(SymparamsError):
    pass


@dataclass(frozen=True)
class Size:
    name: str
    values: tuple


@dataclass(frozen=True)
class Question:
    kind: str
    layer: Union[str, int, None] = None
    choices: int = 4
    size: Optional[str] = None
    budget: Optional[int] = None
    points: int = 1


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
        sizes = tuple(_size(name, value, fail) for name, value in dict(data["sizes"]).items())
        if not sizes:
            raise fail("'sizes' is empty: name at least one size to draw")
        questions = []
        for i, q in enumerate(data["questions"], start=1):
            if not isinstance(q, dict):
                raise fail(f"questions[{i}] must be a table")
            bad = sorted(set(q) - QUESTION_KEYS)
            if bad:
                raise fail(f"questions[{i}]: unknown key {bad[0]!r}; a question has "
                           f"{', '.join(sorted(QUESTION_KEYS))}")
            kind = q.get("kind")
            if kind not in KINDS:
                raise fail(f"questions[{i}].kind {kind!r} is not one of {', '.join(KINDS)}")
            if kind in ("layer_params", "output_shape") and "layer" not in q:
                raise fail(f"questions[{i}]: {kind} needs 'layer' (a layer name or a 1-based row)")
            if kind == "largest_width" and ("size" not in q or "budget" not in q):
                raise fail(f"questions[{i}]: largest_width needs 'size' and 'budget'")
            choices = q.get("choices", 4)
            if not isinstance(choices, int) or choices < 0 or choices == 1 or choices > 8:
                raise fail(f"questions[{i}].choices must be 0 (numeric answer only) or 2 to 8, got {choices!r}")
            if kind == "output_shape" and choices == 0:
                raise fail(f"questions[{i}]: an output shape is not a number: give it choices (2 to 8)")
            questions.append(Question(kind, q.get("layer"), choices, q.get("size"),
                                      q.get("budget"), int(q.get("points", 1))))
        if not questions:
            raise fail("'questions' is empty")
        constraints = dict(data.get("constraints", {}))
        bad = sorted(set(constraints) - CONSTRAINT_KEYS)
        if bad:
            raise fail(f"constraints: unknown key {bad[0]!r}; constraints are {', '.join(sorted(CONSTRAINT_KEYS))}")
        spec = cls(title=str(data.get("title", "Neural network sizes")), source=data["source"],
                   sizes=sizes, questions=tuple(questions), instructions=str(data.get("instructions", "")),
                   answer_min=int(constraints.get("answer_min", 1)),
                   answer_max=int(constraints.get("answer_max", 10 ** 12)),
                   max_tries=int(constraints.get("max_tries", 0)), path=path)
        if spec.answer_min > spec.answer_max:
            raise fail(f"constraints: answer_min {spec.answer_min} is above answer_max {spec.answer_max}")
        return spec


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
        return Size(name, tuple(range(lo, hi + 1, step)))
    if isinstance(value, list):
        if not value:
            raise fail(f"sizes.{name}: the list of choices is empty")
        for v in value:
            if not isinstance(v, (int, float, bool)):
                raise fail(f"sizes.{name}: choices must be numbers or true/false, got {v!r}")
        return Size(name, tuple(value))
    if isinstance(value, (int, float, bool)):
        return Size(name, (value,))
    raise fail(f"sizes.{name}: give a list of choices or a range {{min, max}}")
