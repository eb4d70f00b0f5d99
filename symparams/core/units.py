"""Bytes: how many a parameter takes at each dtype, and how a byte count reads.

One table for every module that turns parameter counts into memory (the
summary's totals, derivations, scaling, training memory), so a dtype means
the same everywhere; one formatter for every table and template.
"""

from __future__ import annotations

import sympy

from .errors import SymparamsError

#: bytes per parameter, under the names people use for each dtype
DTYPE_BYTES = {"float64": 8, "float32": 4, "float16": 2, "bfloat16": 2, "int8": 1, "uint8": 1,
               "int4": sympy.Rational(1, 2), "fp64": 8, "fp32": 4, "fp16": 2, "bf16": 2}
_UNITS = ("B", "KB", "MB", "GB", "TB")


def bytes_per_param(dtype: str) -> sympy.Expr:
    """The bytes one parameter takes at ``dtype``; an unknown dtype is a one-line error."""
    try:
        value = DTYPE_BYTES[dtype]
    except KeyError:
        raise SymparamsError(f"unknown dtype {dtype!r}; use one of {', '.join(DTYPE_BYTES)}") from None
    return value if isinstance(value, sympy.Basic) else sympy.Integer(value)


def scaled(size: float) -> tuple[float, str]:
    """A byte count in the largest unit that keeps it at least 1 (Keras's ``readable_memory_size``)."""
    unit = _UNITS[0]
    for unit in _UNITS:
        if size < 1024 or unit == _UNITS[-1]:
            break
        size /= 1024
    return size, unit


def readable_bytes(count: sympy.Expr, per_param) -> str:
    """``31.22 KB`` for a number of parameters; a symbolic count shows ``4 B each``."""
    count = count if isinstance(count, sympy.Basic) else sympy.Integer(count)
    if not count.is_number:
        return f"{per_param} B each"
    size, unit = scaled(float(count * per_param))
    return f"{size:.2f} {unit}"
