"""The displays made above the engine, by kind: a model's notebook view needs the page
(diagram, table), which the model's own module cannot import. The top of the package
registers them (``symparams/__init__.py``); a model asks for its kind when shown."""

from __future__ import annotations

from typing import Any, Callable

#: kind → the function that makes its display, ``{mime: text}``
_VIEWS: dict = {}


def register_view(kind: str, make: Callable[[Any], dict]) -> None:
    """Let ``make(obj) -> {mime: text}`` give the display of a ``kind`` of object."""
    _VIEWS[kind] = make


def view(kind: str, obj: Any) -> dict[str, str]:
    """The display registered for ``kind`` (empty when none is)."""
    make = _VIEWS.get(kind)
    return make(obj) if make is not None else {}
