"""Write exam variants in the formats teachers import.

Every format comes from the jinja2 templates in ``templates/exam/``: LaTeX (the ``exam``
class: a student sheet and an answer key from one source), Markdown, the HTML that Moodle
XML, GIFT and QTI carry (TeX math in ``\\( \\)`` and ``\\[ \\]``, which Moodle's MathJax
filter, Canvas and Blackboard typeset; :class:`~symparams.render.lms.LmsFmt`), and the
QTI 1.2 package's XML. This module escapes each format's text and assembles the files.
"""

from __future__ import annotations

import html
import io
import itertools
import json
import re
import zipfile
from fractions import Fraction
from pathlib import Path
from dataclasses import replace
from typing import Iterator, Optional

from ..derivation import derive
from ..solution import signature
from ..errors import SymparamsError
from ..render import Fmt, TemplateError, _environment, default_templates, load_names, render_template, template_macro
from ..render.lms import LmsFmt
from .draw import Variant
from .parallel import each, each_in_order
from .spec import PROMPT_FIELD, Spec

FORMATS = ("latex", "markdown", "moodle", "gift", "canvas", "qti", "json")
#: formats written as bytes (a zip)
BINARY = ("qti",)
TEMPLATES = ("exam/prompts.j2", "exam/exam.tex.j2", "exam/exam.md.j2", "exam/solution.md.j2",
             "exam/working.j2", "exam/question.html.j2", "exam/solution.html.j2", "exam/qti.xml.j2",
             "exam/manifest.xml.j2", "exam/answers.md.j2", "exam/answers.tex.j2")


def solution_layers(q, d, blank=None) -> list:
    """The layers a question's worked solution goes through (one blank's of a cloze table,
    where a format asks each blank as a question of its own: its row's layer), each
    explained in full unless the layer it is said to be like is among them."""
    return _self_contained(_solution_layers(q, d, blank))


def _self_contained(layers: list) -> list:
    """A derivation says a layer is "as for dense above" when an earlier one of its kind was
    explained; a solution that leaves that one out explains this one itself."""
    shown = {l.name for l in layers}
    return [replace(l, explained_in=None) if l.explained_in and l.explained_in not in shown else l
            for l in layers]


def _solution_layers(q, d, blank=None) -> list:
    if blank is not None and blank.column == "params":
        return _named(d, blank.row)
    if q.kind in ("layer_params", "output_shape") or (q.kind == "compute" and q.layer):
        return _named(d, q.layer)
    if q.kind == "find_bug":
        return _named(d, q.facts["wrong_row"])
    if q.kind == "flatten_size":
        out = []
        for l in d.layers:
            if l.axes:
                out.append(l)
            if l.name == q.layer:
                break
        return out
    if q.kind in ("total_params", "trainable_params", "non_trainable_params", "cloze"):
        return [l for l in d.layers if l.has_weights]
    return []


def _named(d, name: str) -> list:
    """The derivation's step for the layer ``name`` (none for a PyTorch module with nothing
    to work out, such as an activation)."""
    return [l for l in d.layers if l.name == name]


def _unit(q) -> str:
    return q.unit.capitalize()


def kind_table(q, fmt):
    """The table a kind's solution shows (header, rows, alignment), or None."""
    f = q.facts
    if q.kind in ("largest_layer", "param_free_layers"):
        rows = [[fmt.code(n), fmt.n(p)] for n, p in f.get("params", {}).items()]
        return [_unit(q), "Parameters"], rows, "lr"
    if q.kind == "compute":
        rows = [[fmt.code(n), fmt.n(m)] for n, m in f["rows"]]
        rows.append([fmt.text("Total"), fmt.n(f["total_macs"])])
        return [_unit(q), "MACs"], rows, "lr"
    return None


def version_layers(v: Variant, d) -> list:
    """Every layer some question of the version works through, each once, in model order."""
    names = {l.name for q in v.questions for l in _solution_layers(q, d)}
    return _self_contained([l for l in d.layers if l.name in names])


def number(value) -> str:
    """An answer as text: 1,234, 12.35 (a fraction to two decimals), (None, 26, 26, 32), a name."""
    if isinstance(value, tuple):
        return "(" + ", ".join("None" if v is None else str(v) for v in value) + ")"
    if isinstance(value, Fraction):
        return f"{float(value):,.2f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def plain(value) -> str:
    """A number as an LMS reads it (no thousands separator; two decimals for a fraction)."""
    if isinstance(value, Fraction):
        return f"{float(value):.2f}"
    return str(value)


class _Context:
    def __init__(self, spec: Spec, variants: list, fmt_name: str, templates: Optional[str],
                 jobs: Optional[int] = None):
        self.spec = spec
        self.variants = variants
        self.jobs = jobs
        self.directory = Path(templates) if templates else default_templates()
        for rel in TEMPLATES:
            if not (self.directory / rel).is_file():
                raise TemplateError(f"{self.directory}: missing template {rel} "
                                    f"(copy it from {default_templates() / rel})")
        self.env = _environment(self.directory)
        names = load_names(self.directory, "latex")
        text_names = load_names(self.directory, "text")
        self.fmt = LmsFmt(names, ",", text_names) if fmt_name == "lms" else \
            Fmt(fmt_name, load_names(self.directory, fmt_name), ",", text_names=text_names)
        self._derivations: dict = {}
        self._layers: dict = {}         # layer derivations shared by versions (derive_reusing)
        self._rendered: dict = {}
        self._blocks: dict = {}
        self._prompts = None
        self._lazy = None
        self._macros: dict = {}

    def derivation(self, v: Variant):
        """The version's derivation. A version's questions are written together, so only the
        last few are kept: 1,000 kept derivations made each of Python's full garbage
        collections walk a million objects (a quarter of the writing time)."""
        d = self._derivations.get(v.number)
        if d is None:
            if len(self._derivations) >= 4:
                self._derivations.pop(next(iter(self._derivations)))
            d = self._derivations[v.number] = derive(v.model) if v.reading is None else \
                v.reading.derivation(v, self._layers)
        return d

    def once(self, key: tuple, make):
        """``make()`` the first time ``key`` is asked for, the same text after: a cloze table's
        blanks become several questions that share one stem and one worked solution."""
        if key not in self._rendered:
            self._rendered[key] = make()
        return self._rendered[key]

    def layer_block(self, blocks, layer, level) -> str:
        """``blocks.layer_block(fmt, layer, level)``, rendered once for each distinct layer.

        A layer's block is a function of its derivation alone, and variants share many
        layers (the same Dense at the same sizes), so 1,000 variants' worked solutions
        render a few thousand blocks, not one per question and layer. The key is the
        layer's type, configuration and shapes (:func:`_block_key`)."""
        key = (getattr(blocks, "__name__", id(blocks)), _block_key(layer), level)
        text = self._blocks.get(key)
        if text is None:
            text = self._blocks[key] = str(blocks.layer_block(self.fmt, layer, level))
        return text

    def each_version_in_order(self, make) -> Iterator:
        """``make(self, v)`` for every version, yielded in order as they are made (split
        across processes as :meth:`each_version` is)."""
        return each_in_order(make, self, self.variants, self.jobs)

    def each_version(self, make) -> list:
        """``make(self, v)`` for every version, in order: split across processes for many
        versions (:func:`symparams.exam.parallel.each`), the same result either way."""
        return each(make, self, self.variants, self.jobs)

    def worked(self, v: Variant, q) -> str:
        """The question's worked solution in Markdown (the Markdown sheet's folded solutions)."""
        return solution_markdown(self, v, q)

    @property
    def derivations(self):
        if self._lazy is None:
            self._lazy = _Lazy(self)
        return self._lazy

    def _values(self, **extra) -> dict:
        return {**dict(
            spec=self.spec, variants=self.variants, fmt=self.fmt, derivations=self.derivations,
            solution_layers=solution_layers, version_layers=version_layers, prompt=self.prompt,
            feedback=self.feedback, layer_block=self.layer_block, worked=self.worked, number=number,
            plain=plain, table=kind_table), **extra}

    def render(self, template: str, **extra) -> str:
        return render_template(self.env, self.directory, template, self._values(**extra))

    def macro(self, template: str, name: str, **extra):
        """A macro of a template (a version of the Markdown sheet, one QTI item), made once in
        each process; None if the template has none by that name."""
        key = (template, name)          # one writer a context: its extra values do not change
        if key not in self._macros:
            self._macros[key] = template_macro(self.env, self.directory, template, name,
                                               self._values(variants=[], written=None, **extra))
        return self._macros[key]

    @property
    def prompts(self):
        if self._prompts is None:
            self._prompts = self.env.get_template("exam/prompts.j2").make_module({"fmt": self.fmt})
        return self._prompts

    def prompt(self, q, v=None) -> str:
        """The question's wording: the spec's own ``prompt`` (its {names} filled in), or the kind's."""
        if q.spec.prompt:
            own = {**q.spec.prompt_fields(), **({"layer": q.layer} if q.layer is not None else {})}
            # the question's own field wins over a drawn size of the same name ({size} in a
            # largest_width question is the size solved for, even where a size is named size)
            fields = {**(v.sizes if v is not None else {}), **own}
            return _fill(q.spec.prompt, fields, self.fmt)
        return str(getattr(self.prompts, q.kind)(q, self.fmt)).strip()

    def misconception(self, tag: str) -> str:
        return str(self.prompts.misconception(tag)).strip()

    def feedback(self, c) -> str:
        """One line on a wrong answer: the mistake's name, then what is right (from the model's facts)."""
        name = self.misconception(c.misconception)
        detail = str(self.prompts.feedback(c, self.fmt)).strip()
        name = self.fmt.text(name[:1].upper() + name[1:])
        return f"{name}: {detail}" if detail else name


def _block_key(l) -> tuple:
    """What a layer's block is a function of. Its working (sizes, formulas, weights, axes)
    is made from the layer's type, configuration and shapes (the derivation's own
    :func:`~symparams.solution.signature`) and the layers it reads; then its name, the
    model-wide marks, and which working the detail left out, said by what is present. A
    layer with inner layers is keyed by its whole ``repr`` (rare, and its inner layers vary)."""
    if l.nested is not None:
        return ("nested", repr(l))
    return (signature(l), l.name, l.inbound, l.non_trainable, l.frozen, l.calls, l.same_as,
            l.brief_as, l.explained_in, tuple((a.axis, a.like) for a in l.axes),
            tuple(w.name for w in l.weights), l.formula is None, l.weight_sum is None,
            l.non_trainable_formula is None)


class _Lazy:
    """``derivations[v.number]`` for templates, each derived when first used."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.by_number = {v.number: v for v in ctx.variants}

    def __getitem__(self, n):
        return self.ctx.derivation(self.by_number[n])


def _fill(text: str, fields: dict, fmt) -> str:
    """A teacher's wording with {name} replaced by its value; nothing else is read from it."""
    out, last = [], 0
    for m in PROMPT_FIELD.finditer(text):
        out.append(fmt.text(text[last:m.start()]))
        value = fields.get(m.group(1))
        out.append(fmt.code(value) if isinstance(value, str) and m.group(1) in ("layer", "size", "dtype")
                   else fmt.text(number(value)) if value is not None else fmt.text(m.group(0)))
        last = m.end()
    out.append(fmt.text(text[last:]))
    return "".join(out)


def write(spec: Spec, variants: list, fmt: str, key: bool = False, templates: Optional[str] = None,
          seed: Optional[int] = None, jobs: Optional[int] = None):
    """The variants in one format (LaTeX and Markdown: the key with ``key=True``); QTI is bytes (a zip).

    ``jobs``: how many processes write the worked solutions (None: one for each CPU, for
    many versions); the output is the same for any number."""
    if fmt not in FORMATS:
        raise SymparamsError(f"unknown exam format {fmt!r}; use one of {', '.join(FORMATS)}")
    if jobs is not None and (not isinstance(jobs, int) or isinstance(jobs, bool) or jobs < 1):
        raise SymparamsError(f"jobs must be a whole number of at least 1, got {jobs!r}")
    if fmt == "json":
        ctx = _Context(spec, variants, "text", templates, jobs)
        return json.dumps(to_json(ctx, seed), indent=1, ensure_ascii=False) + "\n"
    if fmt == "latex":
        return _Context(spec, variants, "latex", templates, jobs).render("exam/exam.tex.j2", key=key)
    if fmt == "markdown":
        return markdown(_Context(spec, variants, "markdown", templates, jobs), key)
    if fmt == "canvas":
        return canvas(_Context(spec, variants, "markdown", templates, jobs))
    ctx = _Context(spec, variants, "lms", templates, jobs)
    return {"moodle": moodle_xml, "gift": gift, "qti": qti_zip}[fmt](ctx)


# ---- shared pieces --------------------------------------------------------------------


def question_html(ctx: _Context, v: Variant, q, blanks=None) -> str:
    """The question as HTML (templates/exam/question.html.j2); ``blanks`` fills a cloze table's cells."""
    return ctx.render("exam/question.html.j2", v=v, q=q, blanks=blanks).strip()


def solution_html(ctx: _Context, v: Variant, q, blank=None) -> str:
    """The worked solution of one question (of one blank of a cloze table, where a format asks
    each blank on its own: that row's working, or the total's), in HTML."""
    return ctx.once(("solution.html", v.number, q.index, _blank_key(blank)), lambda: ctx.render(
        "exam/solution.html.j2", v=v, q=q, d=ctx.derivation(v), blank=blank).strip())


def solution_markdown(ctx: _Context, v: Variant, q, blank=None) -> str:
    """The worked solution of one question (or one blank), in Markdown (templates/exam/solution.md.j2)."""
    return ctx.once(("solution.md", v.number, q.index, _blank_key(blank)), lambda: ctx.render(
        "exam/solution.md.j2", q=q, v=v, d=ctx.derivation(v), blank=blank).strip())


def _blank_key(blank) -> Optional[tuple]:
    return None if blank is None else (blank.row, blank.column)


def markdown(ctx: _Context, key: bool) -> str:
    """The Markdown sheet (templates/exam/exam.md.j2): each version written by its ``version``
    macro (across processes), then the sheet around them."""
    if ctx.macro("exam/exam.md.j2", "version", key=key) is None:
        return ctx.render("exam/exam.md.j2", key=key, written=None)   # a copy of the template without it
    written = ctx.each_version(lambda c, v: c.macro("exam/exam.md.j2", "version", key=key)(v))
    return ctx.render("exam/exam.md.j2", key=key, written=written)


def cloze_stem(ctx: _Context, v: Variant, q) -> str:
    """A cloze table's question with its blanks numbered [1], [2], ... (for formats without cloze)."""
    return ctx.once(("cloze stem", v.number, q.index), lambda: question_html(
        ctx, v, q, blanks=[f"[{j}]" if b.answer is not None else "—" for j, b in enumerate(q.blanks, start=1)]))


def _name(ctx: _Context, v: Variant, q) -> str:
    return f"{ctx.spec.title} — version {v.number}, question {q.index}"


def _points(q) -> str:
    p = q.spec.points
    return str(int(p)) if float(p).is_integer() else str(p)


# ---- Moodle XML -------------------------------------------------------------------------------


def _cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _esc(text: str) -> str:
    return html.escape(text, quote=False)


def moodle_xml(ctx: _Context) -> str:
    out = ['<?xml version="1.0" encoding="UTF-8"?>', "<quiz>",
           '  <question type="category">',
           f"    <category><text>$course$/symparams/{_esc(ctx.spec.title)}</text></category>",
           "  </question>"]
    for lines in ctx.each_version(_moodle_version):
        out += lines
    out.append("</quiz>")
    return "\n".join(out) + "\n"


def _moodle_version(ctx, v) -> list:
    return [line for q in v.questions for line in _moodle_question(ctx, v, q)]


def _moodle_question(ctx, v, q) -> list:
    kind = "cloze" if q.blanks else "numerical" if not q.choices else "multichoice"
    text = question_html(ctx, v, q, blanks=_cloze_codes(ctx, q) if q.blanks else None)
    out = [f'  <question type="{kind}">',
           f"    <name><text>{_esc(_name(ctx, v, q))}</text></name>",
           f'    <questiontext format="html"><text>{_cdata(text)}</text></questiontext>',
           f'    <generalfeedback format="html"><text>{_cdata(solution_html(ctx, v, q))}</text></generalfeedback>',
           f"    <defaultgrade>{_points(q)}</defaultgrade>",
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
            fraction = _fraction(100 / n_correct)
        else:
            fraction = "0" if n_correct == 1 else _fraction(-100 / n_correct)
        feedback = "Correct." if c.correct else ctx.feedback(c)
        out += [f'    <answer fraction="{fraction}" format="html">',
                f"      <text>{_cdata(_esc(number(c.value)))}</text>",
                f'      <feedback format="html"><text>{_cdata(feedback)}</text></feedback>',
                "    </answer>"]
    return out + ["  </question>"]


def _fraction(value: float) -> str:
    """A Moodle grade fraction: Moodle accepts only its own list (100, 50, 33.33333, 25, ...)."""
    return f"{value:.5f}".rstrip("0").rstrip(".")


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
    for lines in ctx.each_version(_gift_version):
        out += lines
    return "\n".join(out)


def _gift_version(ctx, v) -> list:
    out = []
    for q in v.questions:
        if q.blanks:
            out += _gift_cloze(ctx, v, q)
            continue
        solution = gift_escape(solution_html(ctx, v, q))
        head = f"::{gift_escape(_name(ctx, v, q))}::[html]{gift_escape(question_html(ctx, v, q))}"
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
                    weight = f"{_fraction(100 / n_correct if c.correct else -100 / n_correct)}"
                    mark = f"~%{weight}%"
                else:
                    mark = "=" if c.correct else "~"
                lines.append(f"\t{mark}{gift_escape(number(c.value))}#{gift_escape(feedback)}")
        lines += [f"\t####[html]{solution}", "}", ""]
        out += lines
    return out


def _gift_cloze(ctx, v, q) -> list:
    """GIFT has no cloze: each blank becomes a numerical question of its own."""
    out = []
    for i, b in enumerate(q.blanks, start=1):
        if b.column == "shape":
            continue
        label = "the total" if b.column == "total" else f"the parameters of {b.row}"
        stem = cloze_stem(ctx, v, q) + f"<p>Blank [{i}]: {html.escape(label)}?</p>"
        out += [f"::{gift_escape(_name(ctx, v, q))}, blank {i}::[html]{gift_escape(stem)}{{#",
                f"\t={plain(b.answer)}:0#Correct."]
        out += [f"\t=%0%{plain(c.value)}:0#{gift_escape(ctx.feedback(c))}" for c in b.distractors]
        out += [f"\t####[html]{gift_escape(solution_html(ctx, v, q, b))}", "}", ""]
    return out


# ---- Canvas: text2qti's plain-text quiz format ------------------------------------------------


def canvas(ctx: _Context) -> str:
    out = [f"Quiz title: {ctx.spec.title}",
           f"Quiz description: {len(ctx.variants)} versions, written by symparams. "
           f"{ctx.spec.instructions}".rstrip(), ""]
    # text2qti numbers its questions through the quiz: each version's first number, found first
    first, n = {}, 1
    for v in ctx.variants:
        first[v.number] = n
        n += len(_canvas_parts(v))

    def version(ctx_, v) -> list:
        lines = []
        for k, (q, blank) in enumerate(_canvas_parts(v)):
            lines += _canvas_question(ctx_, v, q, blank, first[v.number] + k)
        return lines

    for lines in ctx.each_version(version):
        out += lines
    return "\n".join(out)


def _canvas_parts(v) -> list:
    """A version's Canvas questions: each question, a cloze table's blanks each on its own."""
    return [(q, b) for q in v.questions
            for b in ([None] if not q.blanks else [b for b in q.blanks if b.column != "shape"])]


def _canvas_question(ctx, v, q, blank, n) -> list:
    out = [f"Title: {_name(ctx, v, q)}" + (f", {blank.row or 'total'}" if blank else ""),
           f"Points: {_points(q)}"]
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
                out.append(f"[{'*' if c.correct else ' '}] {number(c.value)}")
            else:
                out.append(f"{'*' if c.correct else ''}{letter})  {number(c.value)}")
            if not c.correct:
                out.append(f"... {_markdown_text(ctx.feedback(c))}")
    else:
        out.append(f"=   {plain(q.answer)} +- {q.tolerance:g}")
    out.append("")
    return out


def _markdown_text(text: str) -> str:
    return html.unescape(re.sub(r"<code>(.*?)</code>", r"`\1`", text))


def _claims_markdown(q) -> str:
    rows = [f"| {_unit(q)} | Type | Output shape | Param # |", "| --- | --- | --- | ---: |"]
    rows += [f"| {c['name']} | {c['type']} | {number(c['shape'])} | {number(c['params'])} |"
             for c in q.facts["claims"]]
    return "\n".join(rows)


def _feedback_lines(markdown: str) -> list[str]:
    lines = [l for l in markdown.splitlines()]
    while lines and not lines[-1].strip():
        lines.pop()
    first, rest = (lines[0], lines[1:]) if lines else ("", [])
    return [f"... {first}"] + [("    " + l) if l.strip() else "" for l in rest]


# ---- QTI 1.2: the package Canvas, Blackboard and others import -----------------------------


def qti_zip(ctx: _Context) -> bytes:
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
        choices = [{"ident": f"v{v.number}q{q.index}c{k}", "text": _esc(number(c.value)), "correct": c.correct,
                    "feedback": "" if c.correct else ctx.feedback(c)} for k, c in enumerate(q.choices)]
    return {"ident": f"v{v.number}_q{q.index}" + (f"_b{i}" if blank is not None else ""),
            "title": _name(ctx, v, q) + (f", blank {i}" if blank is not None else ""),
            "kind": kind, "text": text, "points": _points(q),
            # a range only for a number: a choice question's answer may be a shape or a name
            **({"low": _bound(value, -tolerance), "high": _bound(value, tolerance)}
               if kind == "numerical_question" else {}),
            "choices": choices, "solution": solution_html(ctx, v, q, blank)}


def _bound(value, delta: float) -> str:
    """One end of a numerical answer's accepted range, to every digit (an exact answer: itself)."""
    if not delta:
        return plain(value)
    return repr(float(plain(value)) + delta)


# ---- JSON -----------------------------------------------------------------------------------


def _json_value(v):
    if isinstance(v, tuple):
        return [_json_value(x) for x in v]
    if isinstance(v, Fraction):
        return float(v)
    return v


def to_json(ctx: _Context, seed: Optional[int] = None) -> dict:
    """Every variant: its Keras source (real Keras runs it), questions, answers, distractors."""
    spec, variants = ctx.spec, ctx.variants
    return {
        "title": spec.title,
        "spec": spec.path,
        "seed": seed,
        "variants": [{
            "number": v.number,
            "sizes": {k: _json_value(x) for k, x in v.sizes.items()},
            "source": v.source,
            "questions": [{
                "index": q.index, "kind": q.kind, "layer": q.layer,
                "size": q.size_symbol, "budget": q.spec.budget, "points": q.spec.points,
                "prompt": html.unescape(re.sub(r"<[^>]+>", "", ctx.prompt(q, v))),
                "answer": _json_value(q.answer), "tolerance": q.tolerance,
                "choices": [{"value": _json_value(c.value), "correct": c.correct,
                             "misconception": c.misconception} for c in q.choices],
                "distractors": [{"value": _json_value(c.value), "misconception": c.misconception,
                                 "feedback": ctx.feedback(c)} for c in q.distractors],
                "blanks": [{"row": b.row, "column": b.column, "answer": _json_value(b.answer)}
                           for b in q.blanks],
                **({"claims": [{**c, "shape": _json_value(c["shape"])} for c in q.facts["claims"]],
                    "wrong_row": q.facts["wrong_row"]} if q.kind == "find_bug" else {}),
            } for q in v.questions],
        } for v in variants],
    }
