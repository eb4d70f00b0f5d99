"""Exams and homework: randomized variants with worked solutions and misconception distractors.

    from symparams import exam
    spec = exam.Spec.from_toml("templates/exam/cnn.toml")     # or exam.Spec.from_dict({...})
    variants, report = exam.draw(spec, 30, seed=1)
    print(exam.write(spec, variants, "markdown"))              # latex, moodle, gift, canvas, qti, json

See docs/exam.md.
"""

from .draw import DrawReport, Posed, Variant, draw
from .kinds import Blank, Choice
from .misconceptions import CATALOGUE as MISCONCEPTIONS
from .render import FORMATS, write
from .spec import KINDS, Distractor, Question, Size, Spec, SpecError

__all__ = ["Spec", "Size", "Question", "Distractor", "SpecError", "KINDS", "draw", "Variant", "Posed",
           "Choice", "Blank", "DrawReport", "write", "FORMATS", "MISCONCEPTIONS"]
