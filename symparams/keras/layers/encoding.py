"""Categorical preprocessing: lookups, hashing, binning and encodings. None has weights.

Each maps values to indices (``output_mode="int"``, the input's shape) or to
vectors of a *depth* (``one_hot``, ``multi_hot``, ``count``, ``tf_idf``). The
shapes follow ``compute_output_shape`` in ``keras/src/layers/preprocessing/``
(``index_lookup.py``, ``category_encoding.py``, ``hashing.py``,
``discretization.py``, ``hashed_crossing.py``, ``text_vectorization.py``).
A lookup's depth is its vocabulary's size: given by ``vocabulary`` or
``max_tokens`` with ``pad_to_max_tokens``, else known only after ``adapt``, so
it stays the size ``vocabulary_size``.
"""

from __future__ import annotations

from typing import Optional

import sympy

from ...core.dims import as_positive, as_size, symbol
from .base import Layer, describe, no_macs

_MODES = ("int", "one_hot", "multi_hot", "count", "tf_idf")


def _mode(value, allowed=_MODES) -> str:
    if value not in allowed:
        raise ValueError(f"output_mode must be one of {', '.join(repr(m) for m in allowed)}, got {value!r}")
    return value


def _one_hot(input_shape, depth):
    """One value per position: a last axis of 1 is replaced, any other is kept and the depth added."""
    if len(input_shape) > 1 and input_shape[-1] == 1:
        return (*input_shape[:-1], depth)
    return (*input_shape, depth)


class _Encoding(Layer):
    prose = "preprocessing"
    macs = no_macs
    inert_args = frozenset({"sparse", "salt", "encoding", "vocabulary_dtype", "oov_method",
                            "epsilon", "mask_value"})

    def config(self):
        return {"output_mode": self.output_mode}


class CategoryEncoding(_Encoding):
    def __init__(self, num_tokens=None, output_mode="multi_hot", **kwargs):
        super().__init__(**kwargs)
        if num_tokens is None:
            raise ValueError("CategoryEncoding needs num_tokens")
        self.num_tokens = as_positive(num_tokens, "num_tokens")
        self.output_mode = _mode(output_mode, ("one_hot", "multi_hot", "count"))

    def compute_output_shape(self, input_shape):
        if len(input_shape) == 0:
            return (self.num_tokens,)
        if self.output_mode == "one_hot":
            if input_shape[-1] != 1 or len(input_shape) == 1:
                return (*input_shape, self.num_tokens)
        return (*input_shape[:-1], self.num_tokens)


class Hashing(_Encoding):
    def __init__(self, num_bins, mask_value=None, salt=None, output_mode="int", **kwargs):
        super().__init__(**kwargs)
        self.num_bins = as_positive(num_bins, "num_bins")
        self.output_mode = _mode(output_mode, ("int", "one_hot", "multi_hot", "count"))

    def compute_output_shape(self, input_shape):
        if self.output_mode == "int":
            return input_shape
        if len(input_shape) == 0:
            return (self.num_bins,)
        return (*input_shape[:-1], self.num_bins)


class Discretization(_Encoding):
    def __init__(self, bin_boundaries=None, num_bins=None, epsilon=0.01, output_mode="int", **kwargs):
        super().__init__(**kwargs)
        if bin_boundaries is None and num_bins is None:
            raise ValueError("Discretization needs bin_boundaries or num_bins")
        self.depth = as_size(len(bin_boundaries) + 1) if bin_boundaries is not None \
            else as_positive(num_bins, "num_bins")
        self.output_mode = _mode(output_mode, ("int", "one_hot", "multi_hot", "count"))

    def compute_output_shape(self, input_shape):
        if self.output_mode == "int":
            return input_shape
        if self.output_mode == "one_hot":
            return _one_hot(input_shape, self.depth)
        if len(input_shape) >= 2:
            return (input_shape[0], *input_shape[2:], self.depth)
        return (self.depth,)


class HashedCrossing(_Encoding):
    def __init__(self, num_bins, output_mode="int", **kwargs):
        super().__init__(**kwargs)
        self.num_bins = as_positive(num_bins, "num_bins")
        self.output_mode = _mode(output_mode, ("int", "one_hot"))

    def check_input(self, in_shapes):
        if not isinstance(in_shapes, list) or len(in_shapes) != 2:
            raise self.error("HashedCrossing takes a list of two tensors")
        if in_shapes[0][-1] != in_shapes[1][-1]:
            raise self.error(f"its two inputs must have the same shape, got {describe(in_shapes)}")

    def compute_output_shape(self, input_shape):
        first = tuple(input_shape[0])
        if self.output_mode == "int":
            return first
        if first[-1] != 1:
            return (*first, self.num_bins)
        return (*first[:-1], self.num_bins)


class _Lookup(_Encoding):
    """StringLookup and IntegerLookup (keras/src/layers/preprocessing/index_lookup.py)."""

    default_oov: object = None

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token=None,
                 vocabulary=None, idf_weights=None, invert=False, output_mode="int",
                 pad_to_max_tokens=False, **kwargs):
        super().__init__(**kwargs)
        self.output_mode = _mode(output_mode)
        self.max_tokens = None if max_tokens is None else as_positive(max_tokens, "max_tokens")
        self.pad = bool(pad_to_max_tokens)
        # index_lookup.py: the mask token takes an index only in int mode.
        start = int(num_oov_indices) + (1 if mask_token is not None and self.output_mode == "int" else 0)
        self.vocabulary_size: Optional[sympy.Expr] = None
        if self.pad and self.max_tokens is not None:
            self.vocabulary_size = self.max_tokens
        elif isinstance(vocabulary, (list, tuple)):
            self.vocabulary_size = as_size(len(vocabulary) + start)
        if self.vocabulary_size is None:
            # Known only once the layer is adapted to data.
            self.vocabulary_size = symbol("vocabulary_size")

    def compute_output_shape(self, input_shape):
        if self.output_mode == "int":
            return input_shape
        if self.output_mode == "one_hot":
            return _one_hot(tuple(input_shape), self.vocabulary_size)
        return (*input_shape[:-1], self.vocabulary_size)

    def config(self):
        return {"output_mode": self.output_mode, "vocabulary_size": self.vocabulary_size}


class StringLookup(_Lookup):
    pass


class IntegerLookup(_Lookup):
    pass


class TextVectorization(_Encoding):
    inert_args = _Encoding.inert_args | {"standardize", "ngrams", "ragged"}

    def __init__(self, max_tokens=None, standardize="lower_and_strip_punctuation", split="whitespace",
                 ngrams=None, output_mode="int", output_sequence_length=None, pad_to_max_tokens=False,
                 vocabulary=None, idf_weights=None, **kwargs):
        super().__init__(**kwargs)
        self.output_mode = _mode(output_mode)
        self.split = split
        self.output_sequence_length = None if output_sequence_length is None else \
            as_positive(output_sequence_length, "output_sequence_length")
        # Keras builds its lookup here, with mask token "" and one OOV index
        # (text_vectorization.py); the lookup takes the next automatic name.
        self.lookup = StringLookup(max_tokens=max_tokens, mask_token="", vocabulary=vocabulary,
                                   output_mode=output_mode, pad_to_max_tokens=pad_to_max_tokens)

    def compute_output_shape(self, input_shape):
        if self.output_mode == "int":
            return (input_shape[0], self.output_sequence_length)
        shape = tuple(input_shape)
        if self.split is None:
            if len(shape) <= 1:
                shape = (*shape, 1)
        else:
            shape = (*shape, None)
        return self.lookup.compute_output_shape(shape)

    def config(self):
        return {"output_mode": self.output_mode, "output_sequence_length": self.output_sequence_length}
