"""What writing one run of exam versions in one format holds: the spec, the versions, the
templates and their environment, the format's printer, each version's derivation (derived
when first used), and the text rendered once and reused (a layer's block, a question's
stem and worked solution). Templates reach it through :meth:`Context.render`; each version
is written on its own (:meth:`Context.each_version`, split across processes by
:mod:`symparams.exam.parallel`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator, Optional

from ..keras.derivation import derive
from ..core.solution import signature
from ..render import (Fmt, TemplateError, _environment, default_templates, load_names, render_template,
                      template_macro)
from ..render.lms import LmsFmt
from .answer_text import number, plain
from .draw import Variant
from .parallel import each, each_in_order
from .spec import PROMPT_FIELD, Spec
from .worked import kind_table, solution_layers, version_layers

#: the exam templates a copy of ``templates/`` must hold
TEMPLATES = ("exam/prompts.j2", "exam/exam.tex.j2", "exam/exam.md.j2", "exam/solution.md.j2",
             "exam/working.j2", "exam/question.html.j2", "exam/solution.html.j2", "exam/qti.xml.j2",
             "exam/manifest.xml.j2", "exam/answers.md.j2", "exam/answers.tex.j2")


class Context:
    """One run of writing: the versions in one format, from the templates, with what is
    rendered once kept for the rest."""

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
        layer's type, configuration and shapes (:func:`block_key`)."""
        key = (getattr(blocks, "__name__", id(blocks)), block_key(layer), level)
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
            feedback=self.feedback, choice=self.choice, layer_block=self.layer_block, worked=self.worked, number=number,
            plain=plain, table=self.table), **extra}

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
            return _fill(q.spec.prompt, fields, self.fmt, self.layer_ref(q, q.layer))
        return str(getattr(self.prompts, q.kind)(q, self.fmt)).strip()

    def layer_ref(self, q, value) -> Optional[str]:
        """A layer's name as the student's code shows it ("the second ``Conv2D`` layer"),
        or None for any other answer (a number, a shape)."""
        if isinstance(value, str) and value in q.refs:
            return str(self.prompts.layer(q, self.fmt, value)).strip()
        return None

    def choice(self, q, value) -> str:
        """An answer or option as a template shows it: a layer as the student's code shows it."""
        return self.layer_ref(q, value) or self.fmt.answer(value)

    def table(self, q, fmt):
        """The table a kind's solution shows, its layers as the student's code shows them."""
        return kind_table(q, fmt, lambda name: self.layer_ref(q, name) or fmt.code(name))

    def misconception(self, tag: str) -> str:
        return str(self.prompts.misconception(tag)).strip()

    def feedback(self, c) -> str:
        """One line on a wrong answer: the mistake's name, then what is right (from the model's facts)."""
        name = self.misconception(c.misconception)
        detail = str(self.prompts.feedback(c, self.fmt)).strip()
        name = self.fmt.text(name[:1].upper() + name[1:])
        return f"{name}: {detail}" if detail else name


def block_key(l) -> tuple:
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


def _fill(text: str, fields: dict, fmt, layer: Optional[str] = None) -> str:
    """A teacher's wording with {name} replaced by its value ({layer} by the layer as the
    student's code shows it, where given); nothing else is read from it."""
    out, last = [], 0
    for m in PROMPT_FIELD.finditer(text):
        out.append(fmt.text(text[last:m.start()]))
        value = fields.get(m.group(1))
        out.append(layer if layer is not None and m.group(1) == "layer" else fmt.code(value) if isinstance(value, str) and m.group(1) in ("layer", "size", "dtype")
                   else fmt.text(number(value)) if value is not None else fmt.text(m.group(0)))
        last = m.end()
    out.append(fmt.text(text[last:]))
    return "".join(out)


# ---- a question's pieces, rendered once in a run and shared by the formats ----------------


def question_html(ctx: Context, v: Variant, q, blanks=None) -> str:
    """The question as HTML (templates/exam/question.html.j2); ``blanks`` fills a cloze table's cells."""
    return ctx.render("exam/question.html.j2", v=v, q=q, blanks=blanks).strip()


def solution_html(ctx: Context, v: Variant, q, blank=None) -> str:
    """The worked solution of one question (of one blank of a cloze table, where a format asks
    each blank on its own: that row's working, or the total's), in HTML."""
    return ctx.once(("solution.html", v.number, q.index, _blank_key(blank)), lambda: ctx.render(
        "exam/solution.html.j2", v=v, q=q, d=ctx.derivation(v), blank=blank).strip())


def solution_markdown(ctx: Context, v: Variant, q, blank=None) -> str:
    """The worked solution of one question (or one blank), in Markdown (templates/exam/solution.md.j2)."""
    return ctx.once(("solution.md", v.number, q.index, _blank_key(blank)), lambda: ctx.render(
        "exam/solution.md.j2", q=q, v=v, d=ctx.derivation(v), blank=blank).strip())


def _blank_key(blank) -> Optional[tuple]:
    return None if blank is None else (blank.row, blank.column)


def cloze_stem(ctx: Context, v: Variant, q) -> str:
    """A cloze table's question with its blanks numbered [1], [2], ... (for formats without cloze)."""
    return ctx.once(("cloze stem", v.number, q.index), lambda: question_html(
        ctx, v, q, blanks=[f"[{j}]" if b.answer is not None else "—" for j, b in enumerate(q.blanks, start=1)]))
