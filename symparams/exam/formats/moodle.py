"""Moodle XML: each question in Moodle's own kinds (numerical, multiple choice, a cloze table
as embedded answers), its text HTML with TeX math that Moodle's MathJax filter typesets; one
category per question of the spec, the bank its versions make."""

from __future__ import annotations

from fractions import Fraction

from ..answer_text import number, plain
from ..context import Context, question_html, solution_html
from .lms_fields import Slot, banks, category, grade_fraction, html_text, points, question_name, quiz_notes


def _cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def moodle_xml(ctx: Context) -> str:
    """Every version's questions in one Moodle XML file, a category for each question of the
    spec holding its every version (a bank that a quiz's random question draws one from),
    inside a category named for the spec whose description says how to make the quiz."""
    slots = banks(ctx.each_version(_moodle_version))
    out = ['<?xml version="1.0" encoding="UTF-8"?>', "<quiz>"]
    out += _category(category(ctx), quiz_notes(ctx, [s for s, _ in slots]))
    for slot, versions in slots:
        out += _category(category(ctx, slot), f"{len(versions)} versions of {slot.title.lower()}: "
                                              "a quiz's random question from here draws one.")
        for lines in versions:
            out += lines
    out.append("</quiz>")
    return "\n".join(out) + "\n"


def _category(path: str, info: str) -> list:
    """Moodle's category marker: the questions after it go into ``path`` (made if missing);
    ``info`` is its description (qformat_xml's import_category reads both)."""
    return ['  <question type="category">', f"    <category><text>{html_text(path)}</text></category>",
            f'    <info format="html"><text>{_cdata(html_text(info))}</text></info>', "  </question>"]


def _moodle_version(ctx, v) -> list:
    return [(Slot(q.index), _moodle_question(ctx, v, q)) for q in v.questions]


def _moodle_question(ctx, v, q) -> list:
    kind = "cloze" if q.blanks else "numerical" if not q.choices else "multichoice"
    text = question_html(ctx, v, q, blanks=_cloze_codes(ctx, q) if q.blanks else None)
    out = [f'  <question type="{kind}">',
           f"    <name><text>{html_text(question_name(ctx, v, q))}</text></name>",
           f'    <questiontext format="html"><text>{_cdata(text)}</text></questiontext>',
           f'    <generalfeedback format="html"><text>{_cdata(solution_html(ctx, v, q))}</text></generalfeedback>',
           f"    <defaultgrade>{points(q)}</defaultgrade>",
           "    <penalty>0</penalty>", "    <hidden>0</hidden>"]
    if kind == "cloze":
        return out + ["  </question>"]
    if kind == "numerical":
        tol = q.tolerance
        out += ['    <answer fraction="100" format="moodle_auto_format">',
                f"      <text>{plain(q.answer)}</text>", f"      <tolerance>{tol:g}</tolerance>",
                '      <feedback format="html"><text>Correct.</text></feedback>', "    </answer>"]
        for c in q.distractors:
            if isinstance(c.value, (int, Fraction)) and abs(float(c.value) - float(q.answer)) <= tol:
                continue   # inside the tolerance of the answer: Moodle would take it as right
            out += ['    <answer fraction="0" format="moodle_auto_format">',
                    f"      <text>{plain(c.value)}</text>", "      <tolerance>0</tolerance>",
                    f'      <feedback format="html"><text>{_cdata(ctx.feedback(c))}</text></feedback>',
                    "    </answer>"]
        out.append("    <unitgradingtype>0</unitgradingtype>")
        out.append("    <showunits>3</showunits>")
        return out + ["  </question>"]
    n_correct = sum(c.correct for c in q.choices)
    out += [f"    <single>{'false' if n_correct > 1 else 'true'}</single>",
            "    <shuffleanswers>1</shuffleanswers>", "    <answernumbering>abc</answernumbering>"]
    for c in q.choices:
        if c.correct:
            fraction = grade_fraction(100 / n_correct)
        else:
            fraction = "0" if n_correct == 1 else grade_fraction(-100 / n_correct)
        feedback = "Correct." if c.correct else ctx.feedback(c)
        out += [f'    <answer fraction="{fraction}" format="html">',
                f"      <text>{_cdata(ctx.layer_ref(q, c.value) or html_text(number(c.value)))}</text>",
                f'      <feedback format="html"><text>{_cdata(feedback)}</text></feedback>',
                "    </answer>"]
    return out + ["  </question>"]


def _cloze_codes(ctx, q) -> list:
    """Moodle's embedded answers, one per blank: {1:NUMERICAL:=832:0#Correct~%0%800:0#feedback}."""
    codes = []
    for b in q.blanks:
        if b.answer is None:
            codes.append("—")       # a module the forward pass never calls has no shape to ask
            continue
        if b.column == "shape":
            codes.append("{1:SHORTANSWER:=" + _cloze_escape(number(b.answer)) + "}")
            continue
        wrong = "".join(f"~%0%{plain(c.value)}:0#{_cloze_escape(ctx.feedback(c))}" for c in b.distractors)
        codes.append("{1:NUMERICAL:=" + plain(b.answer) + ":0#Correct." + wrong + "}")
    return codes


def _cloze_escape(text: str) -> str:
    for ch in "\\}#~/\"":
        text = text.replace(ch, "\\" + ch)
    return text
