"""What names mean in a Keras file: the Keras API under any import spelling (or none),
the modules it imports, the variables that hold its models, and which sizes must be real
symbols. The part of :class:`~symparams.readers.keras.KerasReader` that
:class:`~symparams.readers.base_host.HostBase`'s name lookups ask."""

from __future__ import annotations

import sympy

from ...keras.model import Functional
from . import legacy
from ..python.builtins import BUILTINS, NUMPY_FUNCTIONS
from ..python.interpreter import Scope
from ..python.values import Namespace
from .api import _KERAS1_ONLY, _LAYER_NAMES, _PY2_BUILTINS, KERAS_API, LayerClass


class KerasNames:
    """Names and imports of the Keras host."""

    # ---- names ---------------------------------------------------------------------
    def framework_global(self, name: str):
        value = self.keras_name(name, bare=True)
        if value is not None:
            return value
        if name in ("np", "numpy"):
            return Namespace(name, keras=False)
        if name in ("K", "keras", "tf", "tensorflow"):
            return Namespace(name, keras=True)
        return None

    def keras_name(self, name: str, bare: bool = False):
        """What ``name`` means in the Keras API (any version), or None."""
        if name in _LAYER_NAMES or name in legacy.CLASS_RENAMES or name in _KERAS1_ONLY:
            return LayerClass(name)
        api = KERAS_API.get(name)
        if api is not None:
            return api
        if bare:
            return None
        return None

    def framework_module(self, dotted: str):
        return Namespace(dotted, keras=True)

    def framework_import(self, module: str, name: str):
        value = self.keras_name(name)
        return value if value is not None else Namespace(f"{module}.{name}", keras=True)

    def library_name(self, module: str, name: str):
        if module in ("six.moves", "builtins", "past.builtins") and name in _PY2_BUILTINS:
            return BUILTINS[name]
        if module in ("numpy",) and name in NUMPY_FUNCTIONS:
            return NUMPY_FUNCTIONS[name]
        return None

    def import_star(self, module: str, scope: Scope) -> None:
        # ``from keras.layers import *``: names resolve lazily through the API.
        pass

    def note_variable(self, name: str, value) -> None:
        if isinstance(value, Functional):
            self.named_models[name] = value

    def note_class(self, name: str, line: int) -> None:
        self.classes[name] = line

    def note_model(self, model: Functional) -> Functional:
        if all(m is not model for m in self.built):
            self.built.append(model)
        return model

    # ---- values as sizes ------------------------------------------------------------
    def record_real(self, value) -> None:
        # The Keras host reads the file again with these names as real symbols
        # (read_keras_source), so that int(32 * alpha) keeps its floor.
        if isinstance(value, sympy.Basic) and not value.is_Symbol and value.is_integer:
            self.wants_real |= {s.name for s in value.free_symbols if s.is_integer}
