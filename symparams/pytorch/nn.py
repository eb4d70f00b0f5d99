"""``torch.nn`` as symparams knows it: every module class under PyTorch's name."""

from . import layers as _layers
from .containers import ModuleDict, ModuleList, ParameterDict, ParameterList, Sequential
from .module import Module, Parameter

_CLASSES = sorted(name for name, value in vars(_layers).items()
                  if not name.startswith("_") and isinstance(value, type) and issubclass(value, Module)
                  and value is not Module)
globals().update({name: getattr(_layers, name) for name in _CLASSES})

__all__ = ["Module", "Parameter", "Sequential", "ModuleList", "ModuleDict", "ParameterList",
           "ParameterDict", *_CLASSES]
