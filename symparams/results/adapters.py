"""The adapter for a model: the one place that picks a framework's :class:`Result`."""

from __future__ import annotations

from ..core.errors import SymparamsError
from .base import Result
from .keras import KerasResult
from .torch import TorchResult


def result_of(model, trace=None, config=None) -> Result:
    """The result of a model symparams read or built: a Keras model, or a PyTorch module
    (``trace``: its forward pass; ``config``: the config file it was built from)."""
    if isinstance(model, Result):
        return model
    for adapter in (KerasResult, TorchResult):
        if adapter.takes(model):
            return adapter(model, trace, config)
    raise SymparamsError("symparams counts Keras models and PyTorch modules; this is neither")


def results_of(read, model=None) -> Result:
    """The result of ``model`` (default: the file's model) from a reader's result, with the
    forward pass and config the reader found for it."""
    model = read.model if model is None else model
    result = result_of(model, read.trace_of(model), read.config)
    result.conditions = read.conditions
    return result
