"""Which Keras a file was written for, from its spellings and imports.

The counts differ in one place: standalone Keras 1 and 2 built ``GRU`` with
one bias per gate (Keras 2.1 added ``reset_after``, default False), where
``tf.keras`` 2 and Keras 3 default to ``reset_after=True``. Positional
arguments differ too: Keras 2's converters read ``Conv2D(32, 3, 3)`` as a
3x3 kernel (``keras/legacy/interfaces.py``), Keras 3 reads the third as strides.
The guess is made before the file is read, from its syntax tree alone.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from .python.source import nodes

# Spellings only Keras 1 had (renamed by Keras 2's legacy interfaces).
KERAS1_CLASSES = {"Convolution1D", "Convolution2D", "Convolution3D", "AtrousConvolution1D",
                  "AtrousConvolution2D", "Deconvolution2D", "Deconvolution3D",
                  "SeparableConvolution2D", "TimeDistributedDense", "Merge", "MaxoutDense",
                  "Highway", "merge"}
KERAS1_KEYWORDS = {"border_mode", "subsample", "subsample_length", "nb_filter", "nb_row", "nb_col",
                   "output_dim", "init", "inner_init", "inner_activation", "W_regularizer",
                   "b_regularizer", "U_regularizer", "dim_ordering", "filter_length", "nb_epoch",
                   "dropout_W", "dropout_U", "consume_less", "pool_length", "atrous_rate"}
# Modules standalone Keras 2 had and Keras 3 does not.
KERAS2_MODULES = ("keras.layers.core", "keras.layers.recurrent", "keras.layers.convolutional",
                  "keras.layers.normalization", "keras.layers.embeddings", "keras.layers.pooling",
                  "keras.layers.merge", "keras.layers.wrappers", "keras.layers.advanced_activations",
                  "keras.layers.noise", "keras.utils.np_utils", "keras.engine", "keras.legacy",
                  "keras.wrappers", "keras.layers.cudnn_recurrent", "keras.preprocessing.sequence")
KERAS2_NAMES = {"CuDNNGRU", "CuDNNLSTM", "fit_generator", "set_image_dim_ordering",
                "image_dim_ordering", "np_utils"}


@dataclass(frozen=True)
class Dialect:
    """The Keras a file is read as, and why (the spellings that showed it)."""

    version: int
    evidence: tuple[str, ...] = ()
    given: bool = False

    @property
    def gru_reset_after(self) -> bool:
        return self.version >= 3

    def note(self) -> str:
        if self.given:
            return f"read as Keras {self.version} code (--keras {self.version})"
        shown = ", ".join(self.evidence[:4])
        return f"read as Keras {self.version} code ({shown}); give --keras 3 to read it as Keras 3"

    @property
    def positional_kernel(self) -> bool:
        """Whether ``Conv2D(32, 3, 3)`` means a 3x3 kernel (Keras 1 and 2)."""
        return self.version < 3


def _keras1_keyword(func: ast.expr, keyword) -> bool:
    """A Keras 1 keyword given to a layer class (or ``nb_epoch`` to ``fit``), not to any function."""
    name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
    if keyword not in KERAS1_KEYWORDS:
        return False
    if keyword == "nb_epoch":
        return name.startswith("fit")
    # Embedding's output_dim is still Keras 3's own argument.
    return name[:1].isupper() and not (keyword == "output_dim" and name.endswith("Embedding"))


def guess(tree: ast.Module) -> Dialect:
    """Keras 1 if Keras 1 spellings appear; 2 if standalone Keras 2 modules do; else 3."""
    keras1: list[str] = []
    keras2: list[str] = []
    uses_tf = False
    for node in nodes(tree):
        if isinstance(node, ast.Name) and node.id in KERAS1_CLASSES:
            keras1.append(node.id)
        elif isinstance(node, ast.Attribute):
            if node.attr in KERAS1_CLASSES:
                keras1.append(node.attr)
            elif node.attr in KERAS2_NAMES:
                keras2.append(node.attr)
        elif isinstance(node, ast.Call):
            keras1 += [f"{k.arg}=" for k in node.keywords if _keras1_keyword(node.func, k.arg)]
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            modules = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            for module in modules:
                if module.split(".")[0] in ("tensorflow", "tf_keras"):
                    uses_tf = True
                if any(module == m or module.startswith(m + ".") for m in KERAS2_MODULES):
                    keras2.append(module)
            if isinstance(node, ast.ImportFrom):
                keras1 += [a.name for a in node.names if a.name in KERAS1_CLASSES]
                keras2 += [a.name for a in node.names if a.name in KERAS2_NAMES]
    if keras1:
        return Dialect(1, tuple(dict.fromkeys(keras1)))
    if keras2 and not uses_tf:
        return Dialect(2, tuple(dict.fromkeys(keras2)))
    return Dialect(3)


#: the packages whose import makes a file PyTorch code
TORCH_ROOTS = ("torch",)


def is_torch_source(tree: ast.Module) -> bool:
    """Whether the file imports PyTorch (``import torch``, ``from torch import nn``, ...)."""
    for node in nodes(tree):
        if isinstance(node, ast.Import) and any(a.name.split(".")[0] in TORCH_ROOTS for a in node.names):
            return True
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in TORCH_ROOTS:
            return True
    return False
