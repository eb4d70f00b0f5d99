"""What the learning systems' formats (Moodle XML, GIFT, Canvas, QTI) fill the same way: a
question's title and points, text escaped for HTML, and the grade fractions Moodle accepts
(GIFT is Moodle's format too), and the banks: one per slot of the quiz, holding that
question's every version, so each student is given one version of each question."""

from __future__ import annotations

import html
from dataclasses import dataclass

from ..context import Context
from ..draw import Variant


def question_name(ctx: Context, v: Variant, q) -> str:
    """The title a learning system lists a question by: the spec, the version, the question."""
    return f"{ctx.spec.title} — version {v.number}, question {q.index}"


def points(q) -> str:
    """The posed question's points, a whole number without its ``.0``."""
    return points_text(q.spec.points)


def points_text(p) -> str:
    """Points as a learning system reads them: a whole number without its ``.0``."""
    return str(int(p)) if float(p).is_integer() else str(p)


def html_text(text: str) -> str:
    """Text escaped for HTML (quotes kept: it is never an attribute)."""
    return html.escape(text, quote=False)


def grade_fraction(value: float) -> str:
    """A Moodle grade fraction: Moodle accepts only its own list (100, 50, 33.33333, 25, ...)."""
    return f"{value:.5f}".rstrip("0").rstrip(".")


# ---- question banks: one per slot, each student drawing one question from each --------------


@dataclass(frozen=True)
class Slot:
    """A place in the quiz a student sees: a question of the spec (or one blank of a cloze
    table, where a format asks each blank on its own), filled by one version drawn from its bank."""

    question: int               # the spec's question, 1-based
    blank: int = 0              # a cloze table's blank, 1-based; 0 for the whole question

    @property
    def title(self) -> str:
        return f"Question {self.question}" + (f", blank {self.blank}" if self.blank else "")

    @property
    def ident(self) -> str:
        return f"slot_q{self.question}" + (f"_b{self.blank}" if self.blank else "")


def banks(per_version) -> list:
    """Every version's pieces, ``[(Slot, piece), ...]`` each, gathered into one bank per slot:
    ``[(Slot, [piece of version 1, of version 2, ...]), ...]`` in the quiz's order. A version
    without a slot (a cloze table with fewer rows) adds nothing to its bank."""
    gathered: dict = {}
    for pieces in per_version:
        for slot, piece in pieces:
            gathered.setdefault(slot, []).append(piece)
    return sorted(gathered.items(), key=lambda kv: (kv[0].question, kv[0].blank))


def category(ctx: Context, slot: "Slot | None" = None) -> str:
    """Moodle's category path (XML and GIFT): the spec's, or one slot's bank inside it.
    A ``/`` in a name is doubled, as Moodle reads a category path."""
    path = f"$course$/symparams/{ctx.spec.title.replace('/', '//')}"
    return path + (f"/{slot.title}" if slot is not None else "")


def quiz_notes(ctx: Context, slots: list) -> str:
    """How to make the quiz from the banks in Moodle, said in the spec's category."""
    return (f"{len(ctx.variants)} versions of {len(slots)} questions, one category for each question. "
            f"To give every student one version of each: in the quiz, Add → a random question, "
            f"from each of the categories {slots[0].title} to {slots[-1].title} in turn, 1 question each.")
