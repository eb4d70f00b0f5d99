"""The result model every command reads: one :class:`Result` per model, whatever its framework."""

from .adapters import result_of, results_of
from .base import Part, Result, Tally

__all__ = ["Part", "Result", "Tally", "result_of", "results_of"]
