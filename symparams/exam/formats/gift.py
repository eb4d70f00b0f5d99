"""GIFT, Moodle's plain-text question format: each question with its feedback and worked
solution in HTML; a cloze table's blanks each a numerical question of its own; a category
per question of the spec, the bank its versions make."""

from __future__ import annotations

import html

from ..answer_text import number, plain
from ..context import Context, cloze_stem, question_html, solution_html
from .lms_fields import Slot, banks, category, grade_fraction, html_text, question_name, quiz_notes


def gift_escape(text: str) -> str:
    """Escape as Moodle's GIFT importer reads it: a backslash doubled, ~ = # { } : after one."""
    text = text.replace("\\", "\\\\")
    for ch in "~=#{}:":
        text = text.replace(ch, "\\" + ch)
    return text.replace("\n", "\\n")   # GIFT's own newline escape (code keeps its lines)


def gift(ctx: Context) -> str:
    """Every version's questions as one GIFT file: a category for each question of the spec
    (a cloze table's blank), holding its every version, the bank a quiz's random question
    draws one from."""
    slots = banks(ctx.each_version(_gift_version))
    out = [f"// {ctx.spec.title}: {len(ctx.variants)} versions, written by symparams.",
           "// " + quiz_notes(ctx, [s for s, _ in slots]), ""]
    for slot, versions in slots:
        out += [f"$CATEGORY: {category(ctx, slot)}", ""]
        for lines in versions:
            out += lines
    return "\n".join(out)


def _gift_version(ctx, v) -> list:
    out = []
    for q in v.questions:
        if q.blanks:
            out += _gift_cloze(ctx, v, q)
            continue
        solution = gift_escape(solution_html(ctx, v, q))
        head = f"::{gift_escape(question_name(ctx, v, q))}::[html]{gift_escape(question_html(ctx, v, q))}"
        if not q.choices:
            lines = [head + "{#", f"\t={plain(q.answer)}:{q.tolerance:g}#Correct."]
            lines += [f"\t=%0%{plain(c.value)}:0#{gift_escape(ctx.feedback(c))}" for c in q.distractors
                      if abs(float(c.value) - float(q.answer)) > q.tolerance]
        else:
            lines = [head + "{"]
            n_correct = sum(c.correct for c in q.choices)
            for c in q.choices:
                feedback = "Correct." if c.correct else ctx.feedback(c)
                if n_correct > 1:
                    weight = f"{grade_fraction(100 / n_correct if c.correct else -100 / n_correct)}"
                    mark = f"~%{weight}%"
                else:
                    mark = "=" if c.correct else "~"
                lines.append(f"\t{mark}{gift_escape(ctx.layer_ref(q, c.value) or html_text(number(c.value)))}#{gift_escape(feedback)}")
        lines += [f"\t####[html]{solution}", "}", ""]
        out.append((Slot(q.index), lines))
    return out


def _gift_cloze(ctx, v, q) -> list:
    """GIFT has no cloze: each blank becomes a numerical question of its own."""
    out = []
    for i, b in enumerate(q.blanks, start=1):
        if b.column == "shape":
            continue
        label = "the total" if b.column == "total" else f"the parameters of {b.row}"
        stem = cloze_stem(ctx, v, q) + f"<p>Blank [{i}]: {html.escape(label)}?</p>"
        lines = [f"::{gift_escape(question_name(ctx, v, q))}, blank {i}::[html]{gift_escape(stem)}{{#",
                 f"\t={plain(b.answer)}:0#Correct."]
        lines += [f"\t=%0%{plain(c.value)}:0#{gift_escape(ctx.feedback(c))}" for c in b.distractors]
        lines += [f"\t####[html]{gift_escape(solution_html(ctx, v, q, b))}", "}", ""]
        out.append((Slot(q.index, i), lines))
    return out
