"""Bindings: values given to free sizes by name (``w=64``, ``alpha="0.75"``, ``d="2*w"``)."""

from __future__ import annotations

from typing import Any, Mapping

import sympy

from .errors import SubstitutionError
from .parse import ValueSyntaxError, as_expr


def normalize_bindings(bindings: Mapping[Any, Any], known: list[str]) -> dict[str, sympy.Expr]:
    values: dict[str, sympy.Expr] = {}
    for key, value in bindings.items():
        name = key.name if isinstance(key, sympy.Symbol) else str(key)
        if name not in known:
            listed = ", ".join(known) if known else "none"
            raise SubstitutionError(f"no size is named {name!r}; the free sizes are {listed}")
        try:
            values[name] = as_expr(value, f"the value of {name}")
        except ValueSyntaxError as exc:
            raise SubstitutionError(str(exc)) from None
    return values
