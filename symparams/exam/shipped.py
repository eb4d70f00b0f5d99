"""The example specs shipped with symparams, found by name (``symparams exam cnn``) from
wherever it is installed: they are package data beside the exam templates."""

from __future__ import annotations

from pathlib import Path

from ..render import default_templates
from .spec import SpecError


def shipped_specs() -> dict:
    """Every shipped spec's name and path, by name."""
    folder = default_templates() / "exam"
    return {p.stem: p for p in sorted(folder.glob("*.toml"))}


def spec_path(given: str) -> Path:
    """The spec a command line names: a file, or a shipped spec's name (``cnn``, ``cnn.toml``).
    Anything else is an error that says which names are shipped."""
    path = Path(given)
    if path.is_file():
        return path
    shipped = shipped_specs()
    name = path.name[:-5] if path.name.endswith(".toml") else path.name
    if name in shipped and path.parent == Path("."):
        return shipped[name]
    if name in shipped:
        raise SpecError(f"{given}: no such file; {name} is a spec shipped with symparams: "
                        f"symparams exam {name} (symparams exam --list names them all)")
    raise SpecError(f"{given}: no such file; give a spec file, or a shipped spec by its name "
                    f"({', '.join(shipped)}), as in: symparams exam {next(iter(shipped), 'cnn')}")


def spec_lines() -> list:
    """``--list``: each shipped spec's name, title and question kinds, and where it is."""
    from .spec import Spec
    out = []
    for name, path in shipped_specs().items():
        try:
            spec = Spec.from_toml(path)
            about = f"{spec.title} ({', '.join(dict.fromkeys(q.kind for q in spec.questions))})"
        except SpecError:       # Python before 3.11 reads no TOML
            about = ""
        out.append(f"{name:<10} {about}".rstrip())
    folder = default_templates() / "exam"
    out.append(f"(in {folder}; copy one to start your own, and run symparams exam NAME or a file)")
    return out
