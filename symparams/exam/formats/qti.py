"""QTI 1.2: the content package (a zip) that Canvas, Blackboard and others import."""

from __future__ import annotations

import html
import io
import re
import tempfile
import zipfile

from ..answer_text import number, plain
from ..context import Context, cloze_stem, question_html, solution_html
from .lms_fields import Slot, banks, html_text, points, points_text, question_name


def qti_zip(ctx: Context) -> bytes:
    """A QTI 1.2 content package: imsmanifest.xml and one assessment, from templates, with a
    section for each question of the spec (each blank of a cloze table) that picks one of its
    versions (selection_ordering), as Canvas writes a question group."""
    ident = "symparams_" + re.sub(r"[^A-Za-z0-9]", "_", ctx.spec.title)[:40]
    manifest = ctx.render("exam/manifest.xml.j2", ident=ident)
    members = [("imsmanifest.xml", [manifest])]
    macro = dict(ident=ident, items=[], sections=[])
    if any(ctx.macro("exam/qti.xml.j2", name, **macro) is None for name in ("item", "section_open", "section_close")):
        # a copy of the template from before these macros: rendered whole
        slots = banks(ctx.each_version(_qti_version))
        sections = [dict(_section(ctx, slot), items=items) for slot, items in slots]
        members.append((f"{ident}/{ident}.xml", [ctx.render(
            "exam/qti.xml.j2", ident=ident, sections=sections, items=[it for s in sections for it in s["items"]],
            written=None)]))
    else:
        members.append((f"{ident}/{ident}.xml", _streamed(ctx, ident, macro)))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for name, parts in members:
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))   # the same bytes every run
            info.compress_type = zipfile.ZIP_DEFLATED
            with z.open(info, "w") as f:
                for text in parts:
                    f.write(text.encode("utf-8"))
    return buffer.getvalue()


def _streamed(ctx, ident, macro):
    """The assessment's text in pieces. Each item's XML is written with its version, in
    whichever process writes it; as versions come back, each item goes to its slot's
    temporary file, so the whole assessment is never held at once (a 1,000-version
    PyTorch quiz is 100 MB of XML); the sections are then joined around them."""
    mark = "\x00symparams-items\x00"
    head, tail = ctx.render("exam/qti.xml.j2", ident=ident, items=[None], sections=[],
                            written=[mark]).split(mark)

    def version(c, v):
        item = c.macro("exam/qti.xml.j2", "item", **macro)
        return [(slot, item(it)) for slot, it in _qti_version(c, v)]

    files: dict = {}
    try:
        for pieces in ctx.each_version_in_order(version):
            for slot, text in pieces:
                files.setdefault(slot, tempfile.TemporaryFile("w+", encoding="utf-8")).write(text)
        yield head
        opening = ctx.macro("exam/qti.xml.j2", "section_open", **macro)
        closing = ctx.macro("exam/qti.xml.j2", "section_close", **macro)
        for slot in sorted(files, key=lambda s: (s.question, s.blank)):
            yield str(opening(_section(ctx, slot)))
            f = files[slot]
            f.seek(0)
            while chunk := f.read(1 << 20):
                yield chunk
            yield str(closing()) + "\n"
        yield tail
    finally:
        for f in files.values():
            f.close()


def _section(ctx, slot) -> dict:
    return {"ident": slot.ident, "title": slot.title,
            "points": points_text(ctx.spec.questions[slot.question - 1].points)}


def _qti_version(ctx, v) -> list:
    items = []
    for q in v.questions:
        if q.blanks:
            items += [(Slot(q.index, i), _qti_item(ctx, v, q, b, i)) for i, b in enumerate(q.blanks, start=1)
                      if b.column != "shape"]
        else:
            items.append((Slot(q.index), _qti_item(ctx, v, q, None, 0)))
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
        choices = [{"ident": f"v{v.number}q{q.index}c{k}", "text": ctx.layer_ref(q, c.value) or html_text(number(c.value)), "correct": c.correct,
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
