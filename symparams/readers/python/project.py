"""The file's own project: the modules it imports from its directory tree, read the same way.

A model often spans files: ``mingpt/model.py`` imports ``from mingpt.utils import CfgNode``,
a U-Net's ``unet_model.py`` does ``from .unet_parts import *``. Python finds such a module
beside the file or in a package above it; so does :func:`find`, within a bounded search
(the file's folder and its two parents), and only for real files (never standard input).
The module found is interpreted like the file itself, never run, once per read.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

#: how many folders above the file an absolute import may be found in (its package's root)
PARENTS = 2
#: how many of the project's files one read may import
MAX_FILES = 32


@dataclass(eq=False)
class ProjectModule:
    """A module of the file's project, as read: its dotted name, its file and its names."""

    name: str
    path: str
    scope: Any      # the Scope its top level bound
    #: whether its top level has been read to the end (an import cycle sees it part-filled)
    done: bool = False

    def names(self) -> dict:
        return self.scope.vars


def find(dotted: str, level: int, importer: str, main: str) -> Optional[Path]:
    """The file of module ``dotted`` imported with ``level`` leading dots by the file
    ``importer``, or None where the project has none (a library, the standard library).
    ``main`` is the file the read began with, whose folders absolute imports search."""
    if importer.startswith("<") or main.startswith("<"):
        return None
    parts = [p for p in dotted.split(".") if p]
    if level:
        base = Path(importer).resolve().parent
        for _ in range(level - 1):
            base = base.parent
        roots = [base]
    else:
        if not parts:
            return None
        here = Path(main).resolve().parent
        roots = [here, *list(here.parents)[:PARENTS]]
        importer_dir = Path(importer).resolve().parent
        if importer_dir not in roots:
            roots.insert(0, importer_dir)
    for root in roots:
        target = root.joinpath(*parts)
        for candidate in ((target / "__init__.py") if parts else root / "__init__.py",
                          target.with_name(target.name + ".py") if parts else None):
            if candidate is not None and candidate.is_file():
                return candidate
    return None


def imported_trees(tree, filename: str, parse) -> list:
    """The parsed files of the project that ``tree`` (the file ``filename``) imports, and
    theirs, each once and at most :data:`MAX_FILES`: what a driver script's framework is
    decided by (``from mingpt.model import GPT`` imports torch through that file)."""
    import ast
    found: list = []
    seen: set = set()
    queue = [(tree, filename)]
    while queue and len(found) < MAX_FILES:
        current, name = queue.pop(0)
        for node in ast.walk(current):
            if isinstance(node, ast.Import):
                wanted = [(a.name, 0) for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                wanted = [(node.module or "", node.level)]
            else:
                continue
            for dotted, level in wanted:
                path = find(dotted, level, name, filename)
                if path is None or str(path) in seen or len(found) >= MAX_FILES:
                    continue
                seen.add(str(path))
                try:
                    parsed = parse(path)
                except Exception:  # noqa: BLE001 - a file that does not parse decides nothing here
                    continue
                found.append(parsed)
                queue.append((parsed, str(path)))
    return found
