"""Bytes: how many a parameter takes at each dtype, and how a byte count reads.

One table for every module that turns parameter counts into memory (the
summary's totals, derivations, scaling, training memory), so a dtype means
the same everywhere; one formatter for every table and template.
"""

from __future__ import annotations

from decimal import Decimal

import sympy

from .errors import SymparamsError

#: bytes per parameter, under the names people use for each dtype
DTYPE_BYTES = {"float64": 8, "float32": 4, "float16": 2, "bfloat16": 2, "int8": 1, "uint8": 1,
               "int4": sympy.Rational(1, 2), "fp64": 8, "fp32": 4, "fp16": 2, "bf16": 2}
#: byte units by powers of 1,024, under their IEC names (Keras's summary prints KB, MB... for the
#: same powers of 1,024; the names here say which powers they are)
BINARY_UNITS = ("B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB")
#: counts from here on read as 7.088 × 10²¹ in text, not as 22 digits (JSON keeps them exact)
SCIENTIFIC_FROM = 10 ** 15
_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def bytes_per_param(dtype: str) -> sympy.Expr:
    """The bytes one parameter takes at ``dtype``; an unknown dtype is a one-line error."""
    try:
        value = DTYPE_BYTES[dtype]
    except KeyError:
        raise SymparamsError(f"unknown dtype {dtype!r}; use one of {', '.join(DTYPE_BYTES)}") from None
    return value if isinstance(value, sympy.Basic) else sympy.Integer(value)


def scaled(size: float) -> tuple[float, str]:
    """A byte count in the largest binary unit that keeps it at least 1 (up to EiB)."""
    unit = BINARY_UNITS[0]
    for unit in BINARY_UNITS:
        if size < 1024 or unit == BINARY_UNITS[-1]:
            break
        size /= 1024
    return size, unit


def readable_size(size) -> str:
    """``474.70 MiB``; past 1,024 EiB a whole number of EiB (``2,809 EiB``). ``size`` is any
    number of bytes, an integer past what a float holds included."""
    if size >= 1024 ** 7:
        return f"{readable_count(int(size) // 1024 ** 6)} {BINARY_UNITS[-1]}"
    size, unit = scaled(float(size))
    return f"{size:.2f} {unit}"


def scientific_parts(value, digits: int = 4) -> tuple[str, int]:
    """``("7.088", 21)``: a large number to ``digits`` significant digits and its power of ten."""
    # Decimal, not float: a count may be far past what a float holds (10^400 parameters)
    mantissa, exponent = f"{Decimal(int(value) if isinstance(value, sympy.Integer) else value):.{digits - 1}e}".split("e")
    return mantissa, int(exponent)


def scientific(value, digits: int = 4) -> str:
    """``7.088 × 10²¹``: a large number to ``digits`` significant digits, for reading."""
    mantissa, exponent = scientific_parts(value, digits)
    return f"{mantissa} × 10{str(exponent).translate(_SUPERSCRIPT)}"


def readable_count(value: int, thousands: str = ",") -> str:
    """``51,264``; from 10¹⁵ on, ``7.088 × 10²¹`` (22 digits say less than their first four)."""
    if abs(value) >= SCIENTIFIC_FROM:
        return ("-" if value < 0 else "") + scientific(abs(value))
    return f"{value:,}".replace(",", thousands)


def readable_bytes(count: sympy.Expr, per_param) -> str:
    """``31.22 KiB`` for a number of parameters; a symbolic count shows ``4 B each``."""
    count = count if isinstance(count, sympy.Basic) else sympy.Integer(count)
    if not count.is_number:
        return f"{per_param} B each"
    return readable_size(count * per_param)
