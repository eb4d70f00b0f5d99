"""PyTorch's modules with parameters or buffers, each declaring them with PyTorch's names,
shapes and order (``torch/nn/modules/``: linear.py, conv.py, batchnorm.py,
instancenorm.py, normalization.py, sparse.py, rnn.py, activation.py, transformer.py),
and the parameter-free modules by name.

The classes live in :mod:`symparams.pytorch.modules`, one module per PyTorch file; this
module gathers every public one, and is where the rest of symparams imports them from:
:mod:`symparams.pytorch.nn` builds ``torch.nn`` from its namespace."""

from __future__ import annotations

from .modules.activation import Dropout, MultiheadAttention, PReLU
from .modules.batchnorm import (BatchNorm1d, BatchNorm2d, BatchNorm3d, InstanceNorm1d, InstanceNorm2d,
                                InstanceNorm3d, SyncBatchNorm)
from .modules.conv import Conv1d, Conv2d, Conv3d, ConvTranspose1d, ConvTranspose2d, ConvTranspose3d
from .modules.distance import CosineSimilarity, PairwiseDistance
from .modules.flatten import Flatten, Unflatten
from .modules.free import (AlphaDropout, CELU, ChannelShuffle, Dropout1d, Dropout2d, Dropout3d, ELU,
                           FeatureAlphaDropout, Fold, FractionalMaxPool2d, GELU, GLU, Hardshrink, Hardsigmoid,
                           Hardswish, Hardtanh, LeakyReLU, LogSigmoid, LogSoftmax, MaxUnpool1d, MaxUnpool2d,
                           MaxUnpool3d, Mish, NOT_FOLLOWED, RReLU, ReLU, ReLU6, SAME_SHAPE, SELU, SiLU,
                           Sigmoid, Softmax, Softmax2d, Softmin, Softplus, Softshrink, Softsign, Tanh,
                           Tanhshrink, Threshold, Unfold)
from .modules.linear import Bilinear, Identity, LazyLinear, Linear, NonDynamicallyQuantizableLinear
from .modules.normalization import GroupNorm, LayerNorm, LocalResponseNorm, RMSNorm
from .modules.padding import (CircularPad1d, CircularPad2d, CircularPad3d, ConstantPad1d, ConstantPad2d,
                              ConstantPad3d, ReflectionPad1d, ReflectionPad2d, ReflectionPad3d,
                              ReplicationPad1d, ReplicationPad2d, ReplicationPad3d, ZeroPad1d, ZeroPad2d,
                              ZeroPad3d)
from .modules.loss import LOSSES
from .modules.loss import *  # noqa: F401,F403 - every loss under PyTorch's name
from .modules.pixelshuffle import PixelShuffle, PixelUnshuffle
from .modules.pooling import (AdaptiveAvgPool1d, AdaptiveAvgPool2d, AdaptiveAvgPool3d, AdaptiveMaxPool1d,
                              AdaptiveMaxPool2d, AdaptiveMaxPool3d, AvgPool1d, AvgPool2d, AvgPool3d, LPPool1d,
                              LPPool2d, LPPool3d, MaxPool1d, MaxPool2d, MaxPool3d)
from .modules.rnn import GRU, GRUCell, LSTM, LSTMCell, RNN, RNNBase, RNNCell, RNNCellBase
from .modules.sparse import Embedding, EmbeddingBag
from .modules.transformer import (Transformer, TransformerDecoder, TransformerDecoderLayer,
                                  TransformerEncoder, TransformerEncoderLayer)
from .modules.upsampling import Upsample, UpsamplingBilinear2d, UpsamplingNearest2d


PARAMETER_FREE = (*SAME_SHAPE, *NOT_FOLLOWED, *LOSSES, "GLU", "Flatten", "Unflatten", "Upsample",
                  "UpsamplingNearest2d", "UpsamplingBilinear2d", "PixelShuffle", "PixelUnshuffle",
                  "CosineSimilarity", "PairwiseDistance",
                  *(f"{k}Pool{r}d" for k in ("Max", "Avg", "LP", "AdaptiveAvg", "AdaptiveMax") for r in (1, 2, 3)),
                  *(f"{k}Pad{r}d" for k in ("Zero", "Constant", "Reflection", "Replication", "Circular")
                    for r in (1, 2, 3)))
