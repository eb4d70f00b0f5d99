"""The error types symparams raises.

Every error a user can cause is a :class:`SymparamsError`; the CLI prints its
message on one line and exits with status 2.
"""

from __future__ import annotations


class SymparamsError(Exception):
    """Base class for every error caused by the model or the input."""


class ShapeError(SymparamsError, ValueError):
    """A layer was given an input shape it cannot take."""

    def __init__(self, layer: str, message: str):
        self.layer = layer
        super().__init__(f"layer {layer!r}: {message}")


class ModelError(SymparamsError, ValueError):
    """A model is built wrongly (disconnected graph, no input shape, ...)."""


class SubstitutionError(SymparamsError, ValueError):
    """A ``subs`` binding names no size of the model or has a bad value."""


class ReadError(SymparamsError):
    """A model file cannot be read; the message starts with ``file:line:``."""

    def __init__(self, message: str, filename: str = "<model>", line: int | None = None,
                 col: int | None = None):
        self.filename = filename
        self.line = line
        self.col = col
        self.reason = message
        where = filename
        if line is not None:
            where += f":{line}"
            if col is not None:
                where += f":{col}"
        super().__init__(f"{where}: {message}")
