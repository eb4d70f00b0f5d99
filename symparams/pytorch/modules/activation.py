"""``torch/nn/modules/activation.py``: the activations with parameters (PReLU) or
submodules (MultiheadAttention), and Dropout (``dropout.py``), which the transformer
layers hold. The parameter-free activations are made by name in :mod:`.free`."""

from __future__ import annotations

import sympy

from ...core.dims import as_size
from ...core.formula import Num, add, mul
from ...keras.layers.textbook import Textbook, arg
from ..module import Module, Parameter
from ..tensor import ShapeError, Tensor, text
from .inputs import _div, _expect, _input
from .linear import NonDynamicallyQuantizableLinear


class PReLU(Module):
    kind = "prelu"
    described_by = ("num_parameters",)

    def __init__(self, num_parameters: int = 1, init: float = 0.25, device=None, dtype=None):
        super().__init__()
        self.num_parameters = as_size(num_parameters)
        self.weight = Parameter((num_parameters,))

    prose = "torch_prelu"

    def textbook(self) -> Textbook:
        t = Textbook()
        t.formula = t.q("n", self.num_parameters, arg("num_parameters")) if self.num_parameters != 1 else Num(sympy.Integer(1))
        return t

    def forward(self, input):
        x = _input(self, input)
        if self.num_parameters != 1:
            if x.ndim < 2:
                raise ShapeError(f"PReLU with {self.num_parameters} slopes needs a channel axis (axis 1), "
                                 f"got shape {text(x.shape)}")
            _expect(self, "channels (axis 1), one per slope", self.num_parameters, x.shape[1], x)
        return x


class MultiheadAttention(Module):
    """``in_proj_weight`` (3·E, E) when the keys and values have the model's width, else
    ``q_proj_weight``, ``k_proj_weight`` and ``v_proj_weight``; ``in_proj_bias`` (3·E);
    ``out_proj`` (E → E). The heads split E, so their number never changes the count
    (pytorch/pytorch#60853)."""
    kind = "attention"
    described_by = ("embed_dim", "num_heads", "kdim", "vdim")

    def has_bias(self) -> bool:
        return self._parameters.get("in_proj_bias") is not None

    def __init__(self, embed_dim, num_heads, dropout=0.0, bias: bool = True, add_bias_kv: bool = False,
                 add_zero_attn: bool = False, kdim=None, vdim=None, batch_first: bool = False,
                 device=None, dtype=None):
        super().__init__()
        e = as_size(embed_dim)
        kdim = e if kdim is None else as_size(kdim)
        vdim = e if vdim is None else as_size(vdim)
        _div(e, num_heads, "embed_dim must be divisible by num_heads")
        if kdim == e and vdim == e:
            self.in_proj_weight = Parameter((3 * e, e))
            self.register_parameter("q_proj_weight", None)
            self.register_parameter("k_proj_weight", None)
            self.register_parameter("v_proj_weight", None)
        else:
            self.q_proj_weight = Parameter((e, e))
            self.k_proj_weight = Parameter((e, kdim))
            self.v_proj_weight = Parameter((e, vdim))
            self.register_parameter("in_proj_weight", None)
        if bias:
            self.in_proj_bias = Parameter((3 * e,))
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = NonDynamicallyQuantizableLinear(e, e, bias=bias)
        if add_bias_kv:
            self.bias_k = Parameter((1, 1, e))
            self.bias_v = Parameter((1, 1, e))
        else:
            object.__setattr__(self, "bias_k", None)
            object.__setattr__(self, "bias_v", None)
        self.embed_dim, self.kdim, self.vdim = e, kdim, vdim
        self.num_heads, self.batch_first = as_size(num_heads), bool(batch_first)
        self.extra_keys = int(bool(add_bias_kv)) + int(bool(add_zero_attn))

    prose = "torch_mha"

    def textbook(self) -> Textbook:
        """Its own parameters: the q, k and v projections (stacked in ``in_proj_weight``
        when kdim = vdim = E), their biases, and ``bias_k``/``bias_v``; ``out_proj`` is a
        Linear of its own."""
        t = Textbook()
        e = t.q("E", self.embed_dim, arg("embed_dim"))
        if self.in_proj_weight is not None:
            weights = mul(3, e, e)
        else:
            weights = add(mul(e, e), mul(e, t.q("d_k", self.kdim, arg("kdim"))),
                          mul(e, t.q("d_v", self.vdim, arg("vdim"))))
        terms = [weights]
        if self.in_proj_bias is not None:
            terms.append(mul(3, e))
        if self.bias_k is not None:
            terms.append(mul(2, e))
        t.formula = add(*terms) if len(terms) > 1 else weights
        return t

    def _axes(self, x: Tensor) -> tuple:
        """(batch, length) of a query, key or value in this module's layout."""
        if x.ndim == 2:
            return sympy.Integer(1), x.shape[0]
        return (x.shape[0], x.shape[1]) if self.batch_first else (x.shape[1], x.shape[0])

    def forward(self, query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None,
                average_attn_weights=True, is_causal=False):
        layout = "N, L, E with batch_first, else L, N, E; or L, E"
        q, k, v = (_input(self, t, (2, 3), layout) for t in (query, key, value))
        _expect(self, "query features (the last axis)", self.embed_dim, q.shape[-1], q)
        _expect(self, "key features (kdim)", self.kdim, k.shape[-1], k)
        _expect(self, "value features (vdim)", self.vdim, v.shape[-1], v)
        if not need_weights:
            return q, None
        n, length = self._axes(q)
        keys = self._axes(k)[1] + self.extra_keys
        heads = () if average_attn_weights else (self.num_heads,)
        batch = () if q.ndim == 2 else (n,)
        return q, Tensor(batch + heads + (length, keys))

    def macs(self, inputs, output):
        """torch/nn/functional.py multi_head_attention_forward: the q, k and v projections,
        Q·Kᵀ and the weights times V (every query–key pair, masked or not), and out_proj."""
        q, k = inputs[0], inputs[1]
        n, length = self._axes(q)
        keys = self._axes(k)[1]
        e = self.embed_dim
        return [("input projections", n * (length * e * e + keys * e * (self.kdim + self.vdim))),
                ("attention products", 2 * n * length * (keys + self.extra_keys) * e),
                ("output projection", n * length * e * e)]


class Dropout(Module):

    def __init__(self, p=0.5, inplace=False):
        super().__init__()

    def forward(self, input):
        return _input(self, input)
