"""Small functions the parts of the Keras host share: whether a layer comes from one of
the file's classes, a container's text, a constructor's complaint in the user's words, and
a shape as the file's Python sees it (whole numbers as ``int``)."""

from __future__ import annotations

import re

import sympy

from ...keras.layers.base import Layer
from ..python.interpreter import python_message


def _by_user(obj) -> bool:
    """Whether ``obj`` is a layer or model made from a class the file defines."""
    return isinstance(obj, Layer) and obj.defined_by_user


def _text_of(value, host) -> str:
    """``str()`` of a container of the reader's values (sizes by name, layers by name)."""
    if isinstance(value, dict):
        inner = ", ".join(f"{_item_text(k, host)}: {_item_text(v, host)}" for k, v in value.items())
        return "{" + inner + "}"
    inner = ", ".join(_item_text(v, host) for v in value)
    if isinstance(value, tuple):
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, (set, frozenset)):
        return "{" + inner + "}" if value else "set()"
    return f"[{inner}]"


def _item_text(value, host) -> str:
    return repr(value) if isinstance(value, str) else host.to_text(value)


def _clean(exc: Exception) -> str:
    """A constructor's complaint in the user's words (``got multiple values for 'strides'``)."""
    text = re.sub(r"[\w.]*__init__\(\)\s*", "", " ".join(str(exc).split()))
    return python_message(ValueError(text)) if text else "wrong arguments"


def _python_shape(value):
    if isinstance(value, tuple):
        return tuple(_python_shape(v) for v in value)
    if isinstance(value, list):
        return [_python_shape(v) for v in value]
    if isinstance(value, sympy.Basic) and value.is_Integer:
        return int(value)
    return value

