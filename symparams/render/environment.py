"""The templates: where they are, the size names they print with (``symbols.json``), the
jinja2 sandbox they run in, and rendering one with its failures turned into one line.

Templates use LaTeX-safe delimiters: ``((* block *))``, ``((( expression )))``,
``((= comment =))``.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from pathlib import Path
from typing import Mapping

from ..core.errors import SymparamsError


class TemplateError(SymparamsError):
    pass


def default_templates() -> Path:
    """The templates shipped with symparams (inside the package when installed)."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / "templates", here.parent / "templates"):
        if (candidate / "prose.j2").is_file():
            return candidate
    raise TemplateError("the symparams templates are missing from this installation")


def load_names(directory: Path, fmt: str) -> dict[str, str]:
    path = directory / "symbols.json"
    try:
        table = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise TemplateError(f"{path}: cannot read it as JSON: {exc}") from None
    # MathML spells names from their plain-text form (C_in → C with the subscript in)
    key = "latex" if fmt in ("latex", "markdown") else "text"
    return {name: spec[key] for name, spec in table.items() if isinstance(spec, dict) and key in spec}


def _environment(directory: Path):
    """The jinja2 sandbox that renders the templates in ``directory``."""
    import jinja2
    from .sandbox import Sandbox

    return Sandbox(
        loader=jinja2.FileSystemLoader(str(directory)),
        block_start_string="((*", block_end_string="*))",
        variable_start_string="(((", variable_end_string=")))",
        comment_start_string="((=", comment_end_string="=))",
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined, autoescape=False,
        # An environment serves one run: a template is read once, not checked on disk
        # again at every render (1,000 exam versions render thousands of times).
        auto_reload=False,
    )


def render_template(env, directory: Path, name: str, context: Mapping) -> str:
    """One template rendered, its failures (a teacher's edits, say) turned into one line."""
    with _one_line(directory, name):
        return env.get_template(name).render(context)


def template_macro(env, directory: Path, name: str, macro: str, context: Mapping):
    """The macro ``macro`` of template ``name`` made with ``context``, as a function whose
    failures are one line like :func:`render_template`'s; None if the template has no such
    macro (a copy made before it had one)."""
    with _one_line(directory, name):
        found = getattr(env.get_template(name).make_module(dict(context)), macro, None)
    if found is None:
        return None

    def call(*args):
        with _one_line(directory, name):
            return str(found(*args))
    return call


@contextmanager
def _one_line(directory: Path, name: str):
    import jinja2

    try:
        yield
    except jinja2.TemplateNotFound as exc:
        raise TemplateError(f"{directory}: missing template {exc.name} "
                            f"(copy it from {default_templates() / exc.name})") from None
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"{exc.filename or exc.name}:{exc.lineno}: template syntax error: {exc.message}") from None
    except jinja2.exceptions.SecurityError:
        raise TemplateError(f"{directory / name}: the template reaches for Python internals "
                            "(an attribute starting with _), which templates may not use") from None
    except jinja2.TemplateError as exc:
        raise TemplateError(f"{directory / name}: template failed: {exc}") from None
    except (TypeError, ValueError, AttributeError, KeyError) as exc:
        raise TemplateError(f"{directory / name}: template failed: {type(exc).__name__}: {exc}") from None
