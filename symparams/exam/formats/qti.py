"""QTI 1.2: the content package (a zip) that Canvas, Blackboard and others import."""

from __future__ import annotations

import html
import io
import itertools
import re
import zipfile

from ..answer_text import number, plain
from ..context import Context, cloze_stem, question_html, solution_html
from .lms_fields import html_text, points, question_name


def qti_zip(ctx: Context) -> bytes:
    """A QTI 1.2 content package: imsmanifest.xml and one assessment, from templates."""
    ident = "symparams_" + re.sub(r"[^A-Za-z0-9]", "_", ctx.spec.title)[:40]
    manifest = ctx.render("exam/manifest.xml.j2", ident=ident)
    members = [("imsmanifest.xml", [manifest])]
    macro = dict(ident=ident, items=[])
    if ctx.macro("exam/qti.xml.j2", "item", **macro) is None:     # a copy of the template without it
        items = [item for version in ctx.each_version(_qti_version) for item in version]
        members.append((f"{ident}/{ident}.xml", [ctx.render("exam/qti.xml.j2", ident=ident, items=items,
                                                            written=None)]))
    else:
        # each item's XML is written with its version, in whichever process writes it, and
        # compressed into the zip as it comes back, while the rest are still being written:
        # the assessment around them is the template's text before and after its one item
        mark = "\x00symparams-items\x00"
        head, tail = ctx.render("exam/qti.xml.j2", ident=ident, items=[None], written=[mark]).split(mark)

        def version(c, v):
            item = c.macro("exam/qti.xml.j2", "item", **macro)
            return "".join(item(it) for it in _qti_version(c, v))
        members.append((f"{ident}/{ident}.xml",
                        itertools.chain([head], ctx.each_version_in_order(version), [tail])))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for name, parts in members:
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))   # the same bytes every run
            info.compress_type = zipfile.ZIP_DEFLATED
            with z.open(info, "w") as f:
                for text in parts:
                    f.write(text.encode("utf-8"))
    return buffer.getvalue()


def _qti_version(ctx, v) -> list:
    items = []
    for q in v.questions:
        if q.blanks:
            items += [_qti_item(ctx, v, q, b, i) for i, b in enumerate(q.blanks, start=1)
                      if b.column != "shape"]
        else:
            items.append(_qti_item(ctx, v, q, None, 0))
    return items


def _qti_item(ctx, v, q, blank, i) -> dict:
    if blank is not None:
        label = f"the parameters of {blank.row}" if blank.column == "params" else "the total"
        text = cloze_stem(ctx, v, q) + f"<p>Blank [{i}]: {html.escape(label)}?</p>"
        kind, value, tolerance, choices = "numerical_question", blank.answer, 0, []
    else:
        text = question_html(ctx, v, q)
        multiple = sum(c.correct for c in q.choices) > 1
        kind = "numerical_question" if not q.choices else \
            "multiple_answers_question" if multiple else "multiple_choice_question"
        value, tolerance = q.answer, q.tolerance
        choices = [{"ident": f"v{v.number}q{q.index}c{k}", "text": html_text(number(c.value)), "correct": c.correct,
                    "feedback": "" if c.correct else ctx.feedback(c)} for k, c in enumerate(q.choices)]
    return {"ident": f"v{v.number}_q{q.index}" + (f"_b{i}" if blank is not None else ""),
            "title": question_name(ctx, v, q) + (f", blank {i}" if blank is not None else ""),
            "kind": kind, "text": text, "points": points(q),
            # a range only for a number: a choice question's answer may be a shape or a name
            **({"low": _bound(value, -tolerance), "high": _bound(value, tolerance)}
               if kind == "numerical_question" else {}),
            "choices": choices, "solution": solution_html(ctx, v, q, blank)}


def _bound(value, delta: float) -> str:
    """One end of a numerical answer's accepted range, to every digit (an exact answer: itself)."""
    if not delta:
        return plain(value)
    return repr(float(plain(value)) + delta)
