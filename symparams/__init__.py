"""symparams: exact, symbolic parameter counts and shapes of neural networks.

Write a model as in Keras, with numbers or names as sizes::

    from symparams import Input, Sequential, layers, symbols
    d, w, k = symbols("d w k")
    model = Sequential([Input((d,)), layers.Dense(w), layers.Dense(k)])
    model.total_params          # d*w + k*w + k + w
    model.subs(d=784, w=64, k=10).total_params   # 50890
"""

from .keras import layers
from .core.dims import symbol, symbols
from .core.errors import ModelError, ShapeError, SubstitutionError, SymparamsError
from .keras.layers.base import Tensor, Weight, clear_session
from .keras.layers.repeat import Repeat
from .keras.model import Input, Model, Sequential
from .keras.summary import Row, Summary, summarize
from .core.views import register_view as _register_view


def __getattr__(name: str):
    # The worked solution's engine loads when it is first asked for, not with the package.
    if name in ("derive", "Derivation"):
        from .keras import derivation
        return getattr(derivation, name)
    raise AttributeError(f"module 'symparams' has no attribute {name!r}")


def _model_view(model) -> dict:
    # The page (diagram, HTML table) loads when a notebook first shows a model, not at import.
    from .html.page import model_view
    return model_view(model)


_register_view("model", _model_view)

__version__ = "0.1.0"

__all__ = [
    "Input", "Model", "Sequential", "Repeat", "layers", "symbol", "symbols", "summarize", "Summary",
    "Row", "Weight", "Tensor", "clear_session", "SymparamsError", "ShapeError", "ModelError",
    "SubstitutionError", "derive", "Derivation", "__version__",
]
