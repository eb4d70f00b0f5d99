"""How a question names a layer: as the student's code shows it.

Keras names a layer the code leaves unnamed by its type and a counter (``conv2d_1``), and
the counter depends on what else the process built: the student's code never shows it. A
layer is therefore "the second ``Conv2D`` layer" (its type, and its place among the layers
of that type), or its own name where the code gives one (``name="encoder"``). PyTorch's
names are the attributes the code assigns (``conv1``, ``features.0``): shown as they are.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import lru_cache

ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")


@dataclass(frozen=True)
class LayerRef:
    """A layer as the student finds it in the code."""

    name: str           # the framework's name (the answer's key)
    type: str           # its class, as the code writes it
    ordinal: int        # 1-based, among the layers of its type
    of: int             # how many layers of its type the model has
    given: bool         # the code gives its name (name="...")

    @property
    def place(self) -> str:
        """``second`` (an English ordinal word to tenth, then 11th, 12th, 21st...); empty
        when the model has only one layer of its type."""
        if self.of == 1:
            return ""
        if self.ordinal <= len(ORDINALS):
            return ORDINALS[self.ordinal - 1]
        n = self.ordinal
        suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
        return f"{n}{suffix}"

    def text(self, unit: str = "layer") -> str:
        """In plain words: ``the second Conv2D layer``, or ``encoder`` where the code names it."""
        if self.given:
            return self.name
        return " ".join(w for w in ("the", self.place, self.type, unit) if w)


@lru_cache(maxsize=32)
def given_names(source: str) -> frozenset:
    """The names the source gives its layers: every ``name="..."`` argument it writes."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return frozenset()
    return frozenset(k.value.value for n in ast.walk(tree) if isinstance(n, ast.Call) for k in n.keywords
                     if k.arg == "name" and isinstance(k.value, ast.Constant) and isinstance(k.value.value, str))


def layer_refs(rows, given: frozenset) -> dict:
    """Each row's :class:`LayerRef`, by its name, in the summary's order (the code's)."""
    counts: dict = {}
    for r in rows:
        counts[r.type] = counts.get(r.type, 0) + 1
    seen: dict = {}
    out = {}
    for r in rows:
        seen[r.type] = seen.get(r.type, 0) + 1
        out[r.name] = LayerRef(r.name, r.type, seen[r.type], counts[r.type], r.name in given)
    return out
