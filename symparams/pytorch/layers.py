"""PyTorch's modules with parameters or buffers, each declaring them with PyTorch's names,
shapes and order (``torch/nn/modules/``: linear.py, conv.py, batchnorm.py,
instancenorm.py, normalization.py, sparse.py, rnn.py, activation.py, transformer.py),
and the parameter-free modules by name."""

from __future__ import annotations

import copy
from typing import Optional

import sympy

from ..dims import as_size
from .module import Module, Parameter


def _tuple(value, n: int) -> tuple:
    values = tuple(value) if isinstance(value, (list, tuple)) else (value,) * n
    if len(values) != n:
        raise ValueError(f"expected {n} values, got {len(values)}: {values}")
    return tuple(as_size(v) for v in values)


def _shape(value) -> tuple:
    return tuple(as_size(v) for v in (value if isinstance(value, (list, tuple)) else (value,)))


def _div(a, b, what: str):
    """``a // b`` where PyTorch requires that b divides a (groups, heads)."""
    a, b = as_size(a), as_size(b)
    q = a / b
    if q.is_number and not q.is_integer:
        raise ValueError(f"{what}: {a} is not divisible by {b}")
    return q if not q.is_number else sympy.Integer(q)


# ---- linear.py --------------------------------------------------------------------------
class Identity(Module):
    pass


class Linear(Module):
    def __init__(self, in_features, out_features, bias: bool = True, device=None, dtype=None):
        super().__init__()
        self.in_features, self.out_features = as_size(in_features), as_size(out_features)
        self.weight = Parameter((out_features, in_features))
        if bias:
            self.bias = Parameter((out_features,))
        else:
            self.register_parameter("bias", None)


class NonDynamicallyQuantizableLinear(Linear):
    pass


class LazyLinear(Linear):
    """``in_features`` is known only after the first forward: here it is a size named
    ``in_features`` unless given (``LazyLinear(out)`` then ``in_features=...``)."""

    #: torch/nn/modules/lazy.py: after its first forward a LazyLinear *is* a Linear
    #: (``cls_to_become``), which is the class PyTorch then reports
    becomes = "Linear"

    def __init__(self, out_features, bias: bool = True, in_features="in_features", device=None, dtype=None):
        super().__init__(in_features, out_features, bias)


class Bilinear(Module):
    def __init__(self, in1_features, in2_features, out_features, bias: bool = True, device=None, dtype=None):
        super().__init__()
        self.weight = Parameter((out_features, in1_features, in2_features))
        if bias:
            self.bias = Parameter((out_features,))
        else:
            self.register_parameter("bias", None)


# ---- conv.py ----------------------------------------------------------------------------
class _ConvNd(Module):
    rank = 2
    transposed = False

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                 output_padding=0, groups: int = 1, bias: bool = True, dilation=1,
                 padding_mode: str = "zeros", device=None, dtype=None):
        super().__init__()
        self.in_channels, self.out_channels = as_size(in_channels), as_size(out_channels)
        self.kernel_size = _tuple(kernel_size, self.rank)
        self.stride, self.dilation = _tuple(stride, self.rank), _tuple(dilation, self.rank)
        self.padding = padding if isinstance(padding, str) else _tuple(padding, self.rank)
        self.output_padding = _tuple(output_padding, self.rank)
        self.groups = as_size(groups)
        if self.transposed:
            shape = (in_channels, _div(out_channels, groups, "out_channels must be divisible by groups"))
        else:
            shape = (out_channels, _div(in_channels, groups, "in_channels must be divisible by groups"))
        self.weight = Parameter(shape + self.kernel_size)
        if bias:
            self.bias = Parameter((out_channels,))
        else:
            self.register_parameter("bias", None)


def _conv(name: str, rank: int, transposed: bool):
    if transposed:
        def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                     output_padding=0, groups=1, bias=True, dilation=1, padding_mode="zeros",
                     device=None, dtype=None):
            _ConvNd.__init__(self, in_channels, out_channels, kernel_size, stride, padding,
                             output_padding, groups, bias, dilation, padding_mode)
    else:
        def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                     dilation=1, groups=1, bias=True, padding_mode="zeros", device=None, dtype=None):
            _ConvNd.__init__(self, in_channels, out_channels, kernel_size, stride, padding, 0,
                             groups, bias, dilation, padding_mode)
    return type(name, (_ConvNd,), {"rank": rank, "transposed": transposed, "__init__": __init__})


Conv1d, Conv2d, Conv3d = (_conv(f"Conv{r}d", r, False) for r in (1, 2, 3))
ConvTranspose1d, ConvTranspose2d, ConvTranspose3d = (_conv(f"ConvTranspose{r}d", r, True) for r in (1, 2, 3))


# ---- batchnorm.py, instancenorm.py -------------------------------------------------------
class _NormBase(Module):
    affine_default = True
    track_default = True

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine: Optional[bool] = None,
                 track_running_stats: Optional[bool] = None, device=None, dtype=None):
        super().__init__()
        affine = self.affine_default if affine is None else affine
        track = self.track_default if track_running_stats is None else track_running_stats
        self.num_features = as_size(num_features)
        if affine:
            self.weight = Parameter((num_features,))
            self.bias = Parameter((num_features,))
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track:
            self.register_buffer("running_mean", (num_features,))
            self.register_buffer("running_var", (num_features,))
            self.register_buffer("num_batches_tracked", (), dtype="int64")
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)


class BatchNorm1d(_NormBase):
    pass


class BatchNorm2d(_NormBase):
    pass


class BatchNorm3d(_NormBase):
    pass


class SyncBatchNorm(_NormBase):
    pass


class _InstanceNorm(_NormBase):
    affine_default = False
    track_default = False


class InstanceNorm1d(_InstanceNorm):
    pass


class InstanceNorm2d(_InstanceNorm):
    pass


class InstanceNorm3d(_InstanceNorm):
    pass


# ---- normalization.py --------------------------------------------------------------------
class LayerNorm(Module):
    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine: bool = True, bias: bool = True,
                 device=None, dtype=None):
        super().__init__()
        shape = _shape(normalized_shape)
        if elementwise_affine:
            self.weight = Parameter(shape)
            if bias:
                self.bias = Parameter(shape)
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)


class GroupNorm(Module):
    def __init__(self, num_groups, num_channels, eps=1e-5, affine: bool = True, device=None, dtype=None):
        super().__init__()
        _div(num_channels, num_groups, "num_channels must be divisible by num_groups")
        if affine:
            self.weight = Parameter((num_channels,))
            self.bias = Parameter((num_channels,))
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)


class RMSNorm(Module):
    def __init__(self, normalized_shape, eps=None, elementwise_affine: bool = True, device=None, dtype=None):
        super().__init__()
        if elementwise_affine:
            self.weight = Parameter(_shape(normalized_shape))
        else:
            self.register_parameter("weight", None)


class LocalResponseNorm(Module):
    pass


# ---- sparse.py ---------------------------------------------------------------------------
class Embedding(Module):
    def __init__(self, num_embeddings, embedding_dim, padding_idx=None, max_norm=None,
                 norm_type=2.0, scale_grad_by_freq=False, sparse=False, _weight=None,
                 _freeze=False, device=None, dtype=None):
        super().__init__()
        self.num_embeddings, self.embedding_dim = as_size(num_embeddings), as_size(embedding_dim)
        self.weight = Parameter((num_embeddings, embedding_dim), requires_grad=not _freeze)


class EmbeddingBag(Module):
    def __init__(self, num_embeddings, embedding_dim, max_norm=None, norm_type=2.0,
                 scale_grad_by_freq=False, mode="mean", sparse=False, _weight=None,
                 include_last_offset=False, padding_idx=None, device=None, dtype=None):
        super().__init__()
        self.weight = Parameter((num_embeddings, embedding_dim))


# ---- rnn.py ------------------------------------------------------------------------------
class RNNBase(Module):
    """``torch/nn/modules/rnn.py``: per layer and direction, ``weight_ih_l{k}``,
    ``weight_hh_l{k}`` and, with ``bias``, *two* bias vectors ``bias_ih_l{k}`` and
    ``bias_hh_l{k}`` (cuDNN's layout; Keras keeps one), plus ``weight_hr_l{k}`` with
    ``proj_size``; the suffix ``_reverse`` for the backward direction."""

    gates = 1

    def __init__(self, input_size, hidden_size, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout=0.0, bidirectional: bool = False,
                 proj_size=0, nonlinearity: str = "tanh", device=None, dtype=None):
        super().__init__()
        if not isinstance(num_layers, int) or num_layers < 1:
            raise ValueError(f"num_layers must be a positive whole number, got {num_layers!r}")
        if proj_size and self.gates != 4:
            raise ValueError("proj_size is supported only by LSTM")
        self.input_size, self.hidden_size = as_size(input_size), as_size(hidden_size)
        self.num_layers, self.bidirectional = num_layers, bool(bidirectional)
        self.proj_size = as_size(proj_size)
        directions = 2 if bidirectional else 1
        real_hidden = self.proj_size if proj_size else self.hidden_size
        gate_size = self.gates * self.hidden_size
        for layer in range(num_layers):
            for direction in range(directions):
                layer_input = self.input_size if layer == 0 else real_hidden * directions
                suffix = "_reverse" if direction == 1 else ""
                self.register_parameter(f"weight_ih_l{layer}{suffix}", Parameter((gate_size, layer_input)))
                self.register_parameter(f"weight_hh_l{layer}{suffix}", Parameter((gate_size, real_hidden)))
                if bias:
                    self.register_parameter(f"bias_ih_l{layer}{suffix}", Parameter((gate_size,)))
                    self.register_parameter(f"bias_hh_l{layer}{suffix}", Parameter((gate_size,)))
                if proj_size:
                    self.register_parameter(f"weight_hr_l{layer}{suffix}",
                                            Parameter((self.proj_size, self.hidden_size)))


class RNN(RNNBase):
    gates = 1


class LSTM(RNNBase):
    gates = 4


class GRU(RNNBase):
    gates = 3


class RNNCellBase(Module):
    gates = 1

    def __init__(self, input_size, hidden_size, bias: bool = True, nonlinearity: str = "tanh",
                 device=None, dtype=None):
        super().__init__()
        gate_size = self.gates * as_size(hidden_size)
        self.weight_ih = Parameter((gate_size, input_size))
        self.weight_hh = Parameter((gate_size, hidden_size))
        if bias:
            self.bias_ih = Parameter((gate_size,))
            self.bias_hh = Parameter((gate_size,))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)


class RNNCell(RNNCellBase):
    gates = 1


class LSTMCell(RNNCellBase):
    gates = 4


class GRUCell(RNNCellBase):
    gates = 3


# ---- activation.py -----------------------------------------------------------------------
class PReLU(Module):
    def __init__(self, num_parameters: int = 1, init: float = 0.25, device=None, dtype=None):
        super().__init__()
        self.weight = Parameter((num_parameters,))


class MultiheadAttention(Module):
    """``in_proj_weight`` (3·E, E) when the keys and values have the model's width, else
    ``q_proj_weight``, ``k_proj_weight`` and ``v_proj_weight``; ``in_proj_bias`` (3·E);
    ``out_proj`` (E → E). The heads split E, so their number never changes the count
    (pytorch/pytorch#60853)."""

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


class Dropout(Module):
    def __init__(self, p=0.5, inplace=False):
        super().__init__()


# ---- transformer.py ----------------------------------------------------------------------
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


class TransformerEncoderLayer(_TransformerLayer):
    attentions = ("self_attn",)


class TransformerDecoderLayer(_TransformerLayer):
    attentions = ("self_attn", "multihead_attn")


def _clones(module: Module, n: int):
    from .containers import ModuleList
    # PyTorch deep-copies the layer it is given: each copy has its own weights.
    return ModuleList([copy.deepcopy(module) for _ in range(n)])


class TransformerEncoder(Module):
    def __init__(self, encoder_layer, num_layers, norm=None, enable_nested_tensor=True, mask_check=True):
        super().__init__()
        self.layers = _clones(encoder_layer, num_layers)
        self.num_layers = num_layers
        self.norm = norm


class TransformerDecoder(Module):
    def __init__(self, decoder_layer, num_layers, norm=None):
        super().__init__()
        self.layers = _clones(decoder_layer, num_layers)
        self.num_layers = num_layers
        self.norm = norm


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


# ---- modules without parameters -----------------------------------------------------------
class _Free(Module):
    """A module with no parameters and no buffers: it takes any arguments."""

    def __init__(self, *args, **kwargs):
        super().__init__()


PARAMETER_FREE = (
    # activation.py
    "ReLU", "ReLU6", "LeakyReLU", "ELU", "SELU", "CELU", "GELU", "SiLU", "Mish", "Sigmoid",
    "Tanh", "Softmax", "LogSoftmax", "Softmin", "Softplus", "Softsign", "Hardtanh",
    "Hardswish", "Hardsigmoid", "Hardshrink", "Softshrink", "Tanhshrink", "Threshold",
    "LogSigmoid", "GLU", "Softmax2d", "RReLU",
    # dropout.py (Dropout itself is above: the transformer layers hold it)
    "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout", "FeatureAlphaDropout",
    # pooling.py
    "MaxPool1d", "MaxPool2d", "MaxPool3d", "AvgPool1d", "AvgPool2d", "AvgPool3d",
    "AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AdaptiveAvgPool3d", "AdaptiveMaxPool1d",
    "AdaptiveMaxPool2d", "AdaptiveMaxPool3d", "LPPool1d", "LPPool2d", "MaxUnpool1d",
    "MaxUnpool2d", "MaxUnpool3d", "FractionalMaxPool2d",
    # flatten.py, padding.py, upsampling.py, pixelshuffle.py, distance.py, channelshuffle.py
    "Flatten", "Unflatten", "ZeroPad1d", "ZeroPad2d", "ZeroPad3d", "ConstantPad1d",
    "ConstantPad2d", "ConstantPad3d", "ReflectionPad1d", "ReflectionPad2d", "ReplicationPad1d",
    "ReplicationPad2d", "ReplicationPad3d", "Upsample", "UpsamplingNearest2d",
    "UpsamplingBilinear2d", "PixelShuffle", "PixelUnshuffle", "CosineSimilarity",
    "PairwiseDistance", "ChannelShuffle", "Fold", "Unfold",
)

globals().update({name: type(name, (_Free,), {}) for name in PARAMETER_FREE})
