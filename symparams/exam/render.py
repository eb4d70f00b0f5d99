"""Write exam variants in the formats teachers import.

LaTeX (the ``exam`` class: a student sheet and an answer key from one source) and
Markdown come from the jinja2 templates in ``templates/exam/``. Moodle XML, GIFT,
Canvas (text2qti's plain-text quiz format) and JSON are written here, with each
format's escaping; their worked solutions are the derivation rendered as
Markdown and turned into HTML (Moodle, GIFT) or kept as Markdown (Canvas).
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Optional

from ..derivation import derive
from ..errors import SymparamsError
from ..render import Fmt, TemplateError, _environment, default_templates, load_names, render_template
from ..summary import summarize
from .draw import Variant
from .spec import Spec

FORMATS = ("latex", "markdown", "moodle", "gift", "canvas", "json")


def solution_layers(q, d):
    """The layers a question's worked solution goes through."""
    if q.kind in ("layer_params", "output_shape"):
        return [d.layer(q.layer)]
    if q.kind == "flatten_size":
        out = []
        for l in d.layers:
            if l.axes:
                out.append(l)
            if l.name == q.layer:
                break
        return out
    if q.kind in ("total_params", "trainable_params", "non_trainable_params"):
        return [l for l in d.layers if l.has_weights]
    return []


def budget_working(spec: Spec, q, v: Variant) -> dict:
    from ..readers import read_source
    from ..dims import substitute
    import sympy
    sizes = {k: val for k, val in v.sizes.items() if k != q.size_symbol}
    total = summarize(read_source(spec.source, spec.path, sizes).model).total
    at = substitute(total, {q.size_symbol: sympy.Integer(q.answer)})
    nxt = substitute(total, {q.size_symbol: sympy.Integer(q.answer + 1)})
    return {"total": total, "at": at, "next": nxt}


class _Context:
    def __init__(self, spec: Spec, variants: list, fmt_name: str, templates: Optional[str]):
        self.spec = spec
        self.variants = variants
        self.directory = Path(templates) if templates else default_templates()
        for rel in ("exam/prompts.j2", "exam/exam.tex.j2", "exam/exam.md.j2", "exam/solution.md.j2"):
            if not (self.directory / rel).is_file():
                raise TemplateError(f"{self.directory}: missing template {rel}")
        self.env = _environment(self.directory)
        self.fmt = Fmt(fmt_name, load_names(self.directory, fmt_name), ",",
                       text_names=load_names(self.directory, "text"))
        self.derivations = {v.number: derive(v.model) for v in variants}

    def render(self, template: str, **extra) -> str:
        return render_template(self.env, self.directory, template, dict(
            spec=self.spec, variants=self.variants, fmt=self.fmt, derivations=self.derivations,
            solution_layers=solution_layers,
            budget_working=lambda q, v: budget_working(self.spec, q, v), **extra))

    def prompt(self, q) -> str:
        module = self.env.get_template("exam/prompts.j2").make_module({"fmt": self.fmt})
        return str(getattr(module, q.kind)(q, self.fmt)).strip()

    def misconception(self, tag: str) -> str:
        module = self.env.get_template("exam/prompts.j2").make_module({})
        return str(module.misconception(tag)).strip()


def write(spec: Spec, variants: list, fmt: str, key: bool = False, templates: Optional[str] = None,
          seed: Optional[int] = None) -> str:
    """The variants in one format (LaTeX and Markdown: the key with ``key=True``)."""
    if fmt not in FORMATS:
        raise SymparamsError(f"unknown exam format {fmt!r}; use one of {', '.join(FORMATS)}")
    if fmt == "json":
        return json.dumps(to_json(spec, variants, seed), indent=1, ensure_ascii=False) + "\n"
    if fmt == "latex":
        return _Context(spec, variants, "latex", templates).render("exam/exam.tex.j2", key=key)
    if fmt == "markdown":
        return _Context(spec, variants, "markdown", templates).render("exam/exam.md.j2", key=key)
    ctx = _Context(spec, variants, "markdown", templates)
    return {"moodle": moodle_xml, "gift": gift, "canvas": canvas}[fmt](ctx)


# ---- shared pieces --------------------------------------------------------------------


def answer_text(value) -> str:
    if isinstance(value, tuple):
        return "(" + ", ".join("None" if v is None else str(v) for v in value) + ")"
    return f"{value:,}" if isinstance(value, int) else str(value)


def solution_markdown(ctx: _Context, v: Variant, q) -> str:
    """The worked solution of one question, in Markdown (templates/exam/solution.md.j2)."""
    return ctx.render("exam/solution.md.j2", q=q, v=v, d=ctx.derivations[v.number]).strip()


_DISPLAY = re.compile(r"\$\$(.+?)\$\$", re.S)
_BOLD = re.compile(r"\*\*(.+?)\*\*")


def markdown_to_html(text: str) -> str:
    """The small Markdown of derivations as HTML, math as \\( \\) and \\[ \\] (Moodle's MathJax)."""
    blocks, out = re.split(r"\n\s*\n", text.strip()), []
    for block in blocks:
        block = block.strip()
        if not block:
            continue
        if block.startswith("$$"):
            out.append("<p>\\[" + html.escape(_DISPLAY.sub(lambda m: m.group(1), block).strip()) + "\\]</p>")
            continue
        if block.startswith("#"):
            level = min(len(block) - len(block.lstrip("#")), 6)
            out.append(f"<h{level}>{_inline_html(block.lstrip('#').strip())}</h{level}>")
            continue
        lines = block.splitlines()
        if all(l.startswith("- ") for l in lines):
            out.append("<ul>" + "".join(f"<li>{_inline_html(l[2:])}</li>" for l in lines) + "</ul>")
            continue
        out.append("<p>" + _inline_html(" ".join(lines)) + "</p>")
    return "\n".join(out)


def _inline_html(text: str) -> str:
    parts = re.split(r"(\$[^$]+\$|`[^`]+`)", text)
    out = []
    for p in parts:
        if p.startswith("$") and p.endswith("$") and len(p) > 1:
            out.append("\\(" + html.escape(p[1:-1]) + "\\)")
        elif p.startswith("`") and p.endswith("`") and len(p) > 1:
            out.append("<code>" + html.escape(p[1:-1]) + "</code>")
        else:
            out.append(_BOLD.sub(r"<strong>\1</strong>", html.escape(p.replace("\\_", "_").replace("\\*", "*"))))
    return "".join(out)


def question_html(ctx: _Context, v: Variant, q) -> str:
    prompt = markdown_to_html(ctx.prompt(q))
    code = f"<pre><code>{html.escape(v.source.strip())}</code></pre>"
    intro = f"<p>{html.escape(ctx.spec.instructions)}</p>" if ctx.spec.instructions else ""
    return f"{intro}{code}{prompt}"


def _name(ctx: _Context, v: Variant, q) -> str:
    return f"{ctx.spec.title} — version {v.number}, question {q.index}"


# ---- Moodle XML -------------------------------------------------------------------------------


def _cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def moodle_xml(ctx: _Context) -> str:
    out = ['<?xml version="1.0" encoding="UTF-8"?>', "<quiz>",
           '  <question type="category">',
           f"    <category><text>$course$/symparams/{html.escape(ctx.spec.title)}</text></category>",
           "  </question>"]
    for v in ctx.variants:
        for q in v.questions:
            numeric = not q.choices
            kind = "numerical" if numeric else "multichoice"
            out += [f'  <question type="{kind}">',
                    f"    <name><text>{html.escape(_name(ctx, v, q))}</text></name>",
                    f'    <questiontext format="html"><text>{_cdata(question_html(ctx, v, q))}</text></questiontext>',
                    f'    <generalfeedback format="html"><text>{_cdata(markdown_to_html(solution_markdown(ctx, v, q)))}</text></generalfeedback>',
                    f"    <defaultgrade>{q.spec.points}</defaultgrade>",
                    "    <penalty>0</penalty>", "    <hidden>0</hidden>"]
            if numeric:
                out += ['    <answer fraction="100" format="moodle_auto_format">',
                        f"      <text>{q.answer}</text>", "      <tolerance>0</tolerance>",
                        '      <feedback format="html"><text>Correct.</text></feedback>', "    </answer>"]
                for c in q.distractors:
                    out += ['    <answer fraction="0" format="moodle_auto_format">',
                            f"      <text>{c.value}</text>", "      <tolerance>0</tolerance>",
                            f'      <feedback format="html"><text>{_cdata(_feedback(ctx, c))}</text></feedback>',
                            "    </answer>"]
            else:
                out += ["    <single>true</single>", "    <shuffleanswers>0</shuffleanswers>",
                        "    <answernumbering>ABCD</answernumbering>"]
                for c in q.choices:
                    feedback = "Correct." if c.correct else _feedback(ctx, c)
                    out += [f'    <answer fraction="{100 if c.correct else 0}" format="html">',
                            f"      <text>{_cdata(html.escape(answer_text(c.value)))}</text>",
                            f'      <feedback format="html"><text>{_cdata(feedback)}</text></feedback>',
                            "    </answer>"]
            out.append("  </question>")
    out.append("</quiz>")
    return "\n".join(out) + "\n"


def _feedback(ctx: _Context, c) -> str:
    name = ctx.misconception(c.misconception)
    return f"{name[:1].upper()}{name[1:]}: {c.feedback}"


# ---- GIFT --------------------------------------------------------------------------------------


def gift_escape(text: str) -> str:
    """Escape as Moodle's GIFT importer reads it: a backslash doubled, ~ = # { } : after one."""
    text = text.replace("\\", "\\\\")
    for ch in "~=#{}:":
        text = text.replace(ch, "\\" + ch)
    return text.replace("\n", "\\n")   # GIFT's own newline escape (code keeps its lines)


def gift(ctx: _Context) -> str:
    out = [f"// {ctx.spec.title}: {len(ctx.variants)} versions, written by symparams",
           f"$CATEGORY: $course$/symparams/{ctx.spec.title}", ""]
    for v in ctx.variants:
        for q in v.questions:
            solution = gift_escape(markdown_to_html(solution_markdown(ctx, v, q)))
            head = f"::{gift_escape(_name(ctx, v, q))}::[html]{gift_escape(question_html(ctx, v, q))}"
            if not q.choices:
                lines = [head + "{#", f"\t={q.answer}:0#Correct."]
                lines += [f"\t=%0%{c.value}:0#{gift_escape(_feedback(ctx, c))}" for c in q.distractors]
            else:
                lines = [head + "{"]
                for c in q.choices:
                    mark = "=" if c.correct else "~"
                    feedback = "Correct." if c.correct else _feedback(ctx, c)
                    lines.append(f"\t{mark}{gift_escape(answer_text(c.value))}#{gift_escape(feedback)}")
            lines += [f"\t####[html]{solution}", "}", ""]
            out += lines
    return "\n".join(out)


# ---- Canvas: text2qti's plain-text quiz format ------------------------------------------------


def canvas(ctx: _Context) -> str:
    out = [f"Quiz title: {ctx.spec.title}",
           f"Quiz description: {len(ctx.variants)} versions, written by symparams. "
           f"{ctx.spec.instructions}".rstrip(), ""]
    number = 0
    for v in ctx.variants:
        for q in v.questions:
            number += 1
            out.append(f"Title: {_name(ctx, v, q)}")
            out.append(f"Points: {q.spec.points}")
            prompt = ctx.prompt(q)
            # text2qti aligns wrapped lines with the text after the number
            prefix = f"{number}.".ljust(4) if number < 100 else f"{number}. "
            pad = " " * len(prefix)
            out.append(f"{prefix}{prompt}")
            out.append("")
            out.append(pad + "```")
            out += [(pad + line) if line.strip() else "" for line in v.source.strip().splitlines()]
            out.append(pad + "```")
            out += _feedback_lines(solution_markdown(ctx, v, q))
            if q.choices:
                for i, c in enumerate(q.choices):
                    letter = "abcdefgh"[i]
                    mark = "*" if c.correct else ""
                    out.append(f"{mark}{letter})  {answer_text(c.value)}")
                    if not c.correct:
                        out.append(f"... {_feedback(ctx, c)}")
            else:
                out.append(f"=   {q.answer} +- 0")
            out.append("")
    return "\n".join(out)


def _feedback_lines(markdown: str) -> list[str]:
    lines = [l for l in markdown.splitlines()]
    while lines and not lines[-1].strip():
        lines.pop()
    first, rest = (lines[0], lines[1:]) if lines else ("", [])
    return [f"... {first}"] + [("    " + l) if l.strip() else "" for l in rest]


# ---- JSON -----------------------------------------------------------------------------------


def _json_value(v):
    return list(v) if isinstance(v, tuple) else v


def to_json(spec: Spec, variants: list, seed: Optional[int] = None) -> dict:
    """Every variant: its Keras source (real Keras runs it), questions, answers, distractors."""
    return {
        "title": spec.title,
        "spec": spec.path,
        "seed": seed,
        "variants": [{
            "number": v.number,
            "sizes": v.sizes,
            "source": v.source,
            "questions": [{
                "index": q.index, "kind": q.kind, "layer": q.layer,
                "size": q.size_symbol, "budget": q.spec.budget,
                "answer": _json_value(q.answer),
                "choices": [{"value": _json_value(c.value), "correct": c.correct,
                             "misconception": c.misconception} for c in q.choices],
                "distractors": [{"value": _json_value(c.value), "misconception": c.misconception,
                                 "feedback": c.feedback} for c in q.distractors],
            } for q in v.questions],
        } for v in variants],
    }
