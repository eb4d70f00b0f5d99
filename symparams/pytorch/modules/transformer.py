"""``torch/nn/modules/transformer.py``: the encoder and decoder layers, their stacks, and
Transformer, built from the linear, normalization and activation modules."""

from __future__ import annotations

import copy

from .. import tensor as T
from ..module import Module
from ..tensor import Tensor
from .activation import Dropout, MultiheadAttention
from .inputs import _input
from .linear import Linear
from .normalization import LayerNorm


class _TransformerLayer(Module):
    """What the encoder and decoder layers share, registered in PyTorch's order: their
    attentions first, then ``linear1``, ``dropout``, ``linear2``, ``norm1``… and
    ``dropout1``…, one norm and one dropout per sublayer."""

    attentions: tuple = ()

    def __init__(self, d_model, nhead, dim_feedforward=2048, dropout=0.1, activation="relu",
                 layer_norm_eps=1e-5, batch_first=False, norm_first=False, bias=True,
                 device=None, dtype=None):
        super().__init__()
        for name in self.attentions:
            setattr(self, name, MultiheadAttention(d_model, nhead, dropout=dropout, bias=bias,
                                                   batch_first=batch_first))
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias)
        self.norm_first = norm_first
        sublayers = len(self.attentions) + 1
        for k in range(1, sublayers + 1):
            setattr(self, f"norm{k}", LayerNorm(d_model, eps=layer_norm_eps, bias=bias))
        for k in range(1, sublayers + 1):
            setattr(self, f"dropout{k}", Dropout(dropout))
        if isinstance(activation, Module):
            self.activation = activation

    def _sa(self, x, attention, memory=None, dropout=None):
        source = x if memory is None else memory
        return dropout(attention(x, source, source, need_weights=False)[0])

    def _ff(self, x, dropout):
        activation = self._modules.get("activation")
        hidden = self.linear1(x)
        hidden = activation(hidden) if activation is not None else hidden
        return dropout(self.linear2(self.dropout(hidden)))

    def _sublayers(self, x, memory=None):
        """torch/nn/modules/transformer.py forward: x + sublayer(norm(x)) with norm_first,
        else norm(x + sublayer(x)); attention, [cross-attention], feed-forward."""
        steps = [lambda y: self._sa(y, self.self_attn, dropout=self.dropout1)]
        if memory is not None:
            steps.append(lambda y: self._sa(y, self.multihead_attn, memory, dropout=self.dropout2))
        last_dropout = getattr(self, f"dropout{len(steps) + 1}")
        steps.append(lambda y: self._ff(y, last_dropout))
        for k, step in enumerate(steps, start=1):
            norm = getattr(self, f"norm{k}")
            if self.norm_first:
                x = _add(x, step(norm(x)))
            else:
                x = norm(_add(x, step(x)))
        return x


def _add(a: Tensor, b: Tensor) -> Tensor:
    return a.with_shape(T.broadcast(a.shape, b.shape))


class TransformerEncoderLayer(_TransformerLayer):
    attentions = ("self_attn",)

    def forward(self, src, src_mask=None, src_key_padding_mask=None, is_causal=False):
        return self._sublayers(_input(self, src, (2, 3)))


class TransformerDecoderLayer(_TransformerLayer):
    attentions = ("self_attn", "multihead_attn")

    def forward(self, tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
                memory_key_padding_mask=None, tgt_is_causal=False, memory_is_causal=False):
        return self._sublayers(_input(self, tgt, (2, 3)), _input(self, memory, (2, 3)))


def _clones(module: Module, n: int):
    from ..containers import ModuleList
    # PyTorch deep-copies the layer it is given: each copy has its own weights.
    return ModuleList([copy.deepcopy(module) for _ in range(n)])


class TransformerEncoder(Module):
    described_by = ("num_layers",)
    def __init__(self, encoder_layer, num_layers, norm=None, enable_nested_tensor=True, mask_check=True):
        super().__init__()
        self.layers = _clones(encoder_layer, num_layers)
        self.num_layers = num_layers
        self.norm = norm

    def forward(self, src, mask=None, src_key_padding_mask=None, is_causal=None):
        x = src
        for layer in self.layers:
            x = layer(x)
        return self.norm(x) if self.norm is not None else x


class TransformerDecoder(Module):
    described_by = ("num_layers",)
    def __init__(self, decoder_layer, num_layers, norm=None):
        super().__init__()
        self.layers = _clones(decoder_layer, num_layers)
        self.num_layers = num_layers
        self.norm = norm

    def forward(self, tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
                memory_key_padding_mask=None, tgt_is_causal=None, memory_is_causal=False):
        x = tgt
        for layer in self.layers:
            x = layer(x, memory)
        return self.norm(x) if self.norm is not None else x


class Transformer(Module):
    def __init__(self, d_model=512, nhead=8, num_encoder_layers=6, num_decoder_layers=6,
                 dim_feedforward=2048, dropout=0.1, activation="relu", custom_encoder=None,
                 custom_decoder=None, layer_norm_eps=1e-5, batch_first=False, norm_first=False,
                 bias=True, device=None, dtype=None):
        super().__init__()
        if custom_encoder is not None:
            self.encoder = custom_encoder
        else:
            layer = TransformerEncoderLayer(d_model, nhead, dim_feedforward, dropout, activation,
                                            layer_norm_eps, batch_first, norm_first, bias)
            self.encoder = TransformerEncoder(layer, num_encoder_layers,
                                              LayerNorm(d_model, eps=layer_norm_eps, bias=bias))
        if custom_decoder is not None:
            self.decoder = custom_decoder
        else:
            layer = TransformerDecoderLayer(d_model, nhead, dim_feedforward, dropout, activation,
                                            layer_norm_eps, batch_first, norm_first, bias)
            self.decoder = TransformerDecoder(layer, num_decoder_layers,
                                              LayerNorm(d_model, eps=layer_norm_eps, bias=bias))
        self.d_model, self.nhead, self.batch_first = d_model, nhead, batch_first

    def forward(self, src, tgt, src_mask=None, tgt_mask=None, memory_mask=None,
                src_key_padding_mask=None, tgt_key_padding_mask=None, memory_key_padding_mask=None,
                src_is_causal=None, tgt_is_causal=None, memory_is_causal=False):
        return self.decoder(tgt, self.encoder(src))
