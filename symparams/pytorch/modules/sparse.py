"""``torch/nn/modules/sparse.py``: Embedding and EmbeddingBag, lookup tables of vectors."""

from __future__ import annotations

from ...core.dims import as_size
from ...core.formula import mul
from ...keras.layers.textbook import Textbook, arg
from ..module import Module, Parameter
from ..tensor import ShapeError, Tensor
from .inputs import _input


class Embedding(Module):
    kind = "embedding"
    described_by = ("num_embeddings", "embedding_dim", "padding_idx")

    def __init__(self, num_embeddings, embedding_dim, padding_idx=None, max_norm=None,
                 norm_type=2.0, scale_grad_by_freq=False, sparse=False, _weight=None,
                 _freeze=False, device=None, dtype=None):
        super().__init__()
        self.num_embeddings, self.embedding_dim = as_size(num_embeddings), as_size(embedding_dim)
        self.padding_idx = padding_idx
        self.weight = Parameter((num_embeddings, embedding_dim), requires_grad=not _freeze)

    prose = "torch_embedding"
    #: a lookup table of vectors: what num_parameters(exclude_embeddings=True) and Kaplan's N leave out
    embedding_table = True

    def textbook(self) -> Textbook:
        t = Textbook()
        t.formula = mul(t.q("V", self.num_embeddings, arg("num_embeddings")),
                        t.q("d", self.embedding_dim, arg("embedding_dim")))
        return t

    def forward(self, input):
        x = _input(self, input)
        return Tensor(x.shape + (self.embedding_dim,))


class EmbeddingBag(Module):
    described_by = ("num_embeddings", "embedding_dim", "padding_idx")
    def __init__(self, num_embeddings, embedding_dim, max_norm=None, norm_type=2.0,
                 scale_grad_by_freq=False, mode="mean", sparse=False, _weight=None,
                 include_last_offset=False, padding_idx=None, device=None, dtype=None):
        super().__init__()
        self.embedding_dim = as_size(embedding_dim)
        self.include_last_offset = include_last_offset
        self.weight = Parameter((num_embeddings, embedding_dim))
        self.num_embeddings = as_size(num_embeddings)

    prose = "torch_embedding"
    textbook = Embedding.textbook

    def forward(self, input, offsets=None, per_sample_weights=None):
        x = _input(self, input, (1, 2), "bags, or ids with offsets")
        if x.ndim == 2:
            return Tensor((x.shape[0], self.embedding_dim))
        if not isinstance(offsets, Tensor):
            raise ShapeError("EmbeddingBag given one axis of ids needs offsets, a tensor of where each bag starts")
        bags = offsets.shape[0] - (1 if self.include_last_offset else 0)
        return Tensor((bags, self.embedding_dim))
