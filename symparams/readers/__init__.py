"""Readers turn model source code into symparams models without running it."""

from .keras import ReadResult, read_file, read_source

__all__ = ["ReadResult", "read_file", "read_source"]
