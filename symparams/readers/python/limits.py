"""The reader's limits: what one read of a model file may cost.

Each limit bounds time or memory, not only a count of steps: a file is read
in at most ``seconds``, builds at most ``items`` list items and characters in
all, and no single value it makes may be larger than ``container``. Every
limit has a name that ``--limit NAME=VALUE`` (and ``Limits.with_values``)
raises, and a run past one ends in one line that names it.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Mapping

from ...core.errors import SymparamsError


@dataclass(frozen=True)
class Limits:
    """Caps on one read; the defaults are stated in ``docs/reader.md``."""

    #: seconds of wall-clock time for the whole read
    seconds: float = 10.0
    #: interpreter steps (statements and expressions evaluated, items iterated by builtins)
    steps: int = 250_000
    #: iterations of one loop or comprehension
    loop_iterations: int = 100_000
    #: nested calls of the file's own functions
    call_depth: int = 100
    #: items in one list, tuple, dict or set, characters in one string
    container: int = 1_000_000
    #: list items and string characters built in all, over the whole read
    items: int = 10_000_000
    #: levels of nesting of the file's expressions and of the values it builds
    nesting: int = 100
    #: bits of one integer
    int_bits: int = 4096
    #: layers the file may create
    layers: int = 2_000
    #: bytes of the file itself
    file_bytes: int = 2_000_000

    def with_values(self, values: Mapping[str, str]) -> "Limits":
        """These limits with some raised or lowered, from ``--limit NAME=VALUE`` text."""
        known = {f.name: f.type for f in fields(self)}
        changes = {}
        for name, text in values.items():
            if name not in known:
                raise SymparamsError(f"--limit {name}: no such limit; the limits are "
                                     f"{', '.join(known)}")
            try:
                value = float(text) if name == "seconds" else int(str(text).replace("_", ""))
            except ValueError:
                value = -1
            if not value > 0:
                raise SymparamsError(f"--limit {name}={text}: give a positive "
                                     f"{'number' if name == 'seconds' else 'whole number'}")
            changes[name] = value
        return replace(self, **changes)

    def describe(self, name: str) -> str:
        """``the reader's time limit, 10 s; raise it with --limit seconds=20``"""
        value = getattr(self, name)
        shown = f"{value:g} s" if name == "seconds" else f"{value:,}"
        raised = value * 2 if name == "seconds" else value * 10
        raised_text = f"{raised:g}" if name == "seconds" else str(raised)
        return f"the reader's {_LABELS[name]} limit, {shown}; raise it with --limit {name}={raised_text}"


_LABELS = {
    "seconds": "time", "steps": "work", "loop_iterations": "loop", "call_depth": "call depth",
    "container": "size", "items": "total size", "nesting": "nesting", "int_bits": "number size",
    "layers": "layer", "file_bytes": "file size",
}
