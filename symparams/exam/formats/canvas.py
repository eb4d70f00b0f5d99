"""Canvas: text2qti's plain-text quiz format, with Markdown stems and worked solutions; a
question group per question of the spec, the bank its versions make, picking one."""

from __future__ import annotations

import html
import re

from ..answer_text import number, plain
from ..context import Context, solution_markdown
from ..worked import unit_heading
from ..spec import SpecError
from .lms_fields import Slot, banks, points, points_text, question_name


def canvas(ctx: Context) -> str:
    """Every version's questions as one text2qti quiz: a question group for each question of
    the spec (a cloze table's blank) holding its every version, from which Canvas picks one."""
    out = [f"Quiz title: {ctx.spec.title}",
           f"Quiz description: {len(ctx.variants)} versions, written by symparams; each question "
           f"is one version drawn from its group. {ctx.spec.instructions}".rstrip(), ""]
    for slot, versions in banks(ctx.each_version(_canvas_version)):
        q = ctx.spec.questions[slot.question - 1]
        out += ["GROUP", "pick: 1", f"points per question: {_whole_points(q, slot)}", ""]
        for lines in versions:
            out += lines
        out += ["END_GROUP", ""]
    return "\n".join(out)


def _whole_points(q, slot) -> str:
    if not float(q.points).is_integer():
        raise SpecError(f"questions[{slot.question}].points = {q.points}: a Canvas question group (text2qti) "
                        "gives whole points; set points to a whole number for the canvas format, or use qti")
    return points_text(q.points)


def _canvas_version(ctx, v) -> list:
    """A version's Canvas questions, each question's (a cloze table's: each blank's) in its slot;
    numbered by the version, as text2qti reads a number only as the start of a question."""
    return [(Slot(q.index, i if b is not None else 0), _canvas_question(ctx, v, q, b, v.number))
            for q in v.questions
            for i, b in ([(0, None)] if not q.blanks else
                         [(i, b) for i, b in enumerate(q.blanks, start=1) if b.column != "shape"])]


def _canvas_question(ctx, v, q, blank, n) -> list:
    out = [f"Title: {question_name(ctx, v, q)}" + (f", {blank.row or 'total'}" if blank else ""),
           f"Points: {points(q)}"]
    prompt = ctx.prompt(q, v)
    if blank is not None:
        # worded as the table's blanks, so that a layer_params question on the same layer
        # stays a different question (text2qti refuses two alike)
        prompt = (f"In the model's summary, how many parameters does the row of the {q.unit} `{blank.row}` hold?"
                  if blank.column == "params" else "In the model's summary, what is the total number of parameters?")
    prefix = f"{n}.".ljust(4) if n < 100 else f"{n}. "
    pad = " " * len(prefix)
    out.append(f"{prefix}{prompt}")
    out.append("")
    out.append(pad + "```")
    out += [(pad + line) if line.strip() else "" for line in v.source.strip().splitlines()]
    out.append(pad + "```")
    if q.kind == "find_bug":
        out.append("")
        out += [pad + line for line in _claims_markdown(q).splitlines()]
    out += _feedback_lines(solution_markdown(ctx, v, q, blank))
    if blank is not None:
        # text2qti refuses a numerical answer under 0.0001 in size: a weightless row's 0 is
        # asked as a short answer instead
        out.append(f"=   {plain(blank.answer)} +- 0" if blank.answer != 0 else "*   0")
    elif q.choices:
        multiple = sum(c.correct for c in q.choices) > 1
        for i, c in enumerate(q.choices):
            letter = "abcdefgh"[i]
            if multiple:
                out.append(f"[{'*' if c.correct else ' '}] {ctx.layer_ref(q, c.value) or number(c.value)}")
            else:
                out.append(f"{'*' if c.correct else ''}{letter})  {ctx.layer_ref(q, c.value) or number(c.value)}")
            if not c.correct:
                out.append(f"... {_markdown_text(ctx.feedback(c))}")
    else:
        out.append(f"=   {plain(q.answer)} +- {q.tolerance:g}")
    out.append("")
    return out


def _markdown_text(text: str) -> str:
    return html.unescape(re.sub(r"<code>(.*?)</code>", r"`\1`", text))


def _claims_markdown(q) -> str:
    rows = [f"| {unit_heading(q)} | Type | Output shape | Param # |", "| --- | --- | --- | ---: |"]
    rows += [f"| {c['name']} | {c['type']} | {number(c['shape'])} | {number(c['params'])} |"
             for c in q.facts["claims"]]
    return "\n".join(rows)


def _feedback_lines(markdown: str) -> list[str]:
    lines = [l for l in markdown.splitlines()]
    while lines and not lines[-1].strip():
        lines.pop()
    first, rest = (lines[0], lines[1:]) if lines else ("", [])
    return [f"... {first}"] + [("    " + l) if l.strip() else "" for l in rest]
