"""Readers turn model source code into symparams models without running it."""

from .dispatch import read_file, read_source
from .keras import ReadResult

__all__ = ["ReadResult", "read_file", "read_source"]
