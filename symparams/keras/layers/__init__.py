"""Every layer symparams knows, under its Keras 3 name (and Keras's own aliases)."""

from .activations import ELU, Activation, LeakyReLU, PReLU, ReLU, Softmax
from .attention import AdditiveAttention, Attention, GroupedQueryAttention, MultiHeadAttention
from .base import Layer, Tensor, Weight
from .conv import (Conv1D, Conv1DTranspose, Conv2D, Conv2DTranspose, Conv3D, Conv3DTranspose,
                   DepthwiseConv1D, DepthwiseConv2D, SeparableConv1D, SeparableConv2D)
from .core import Dense, EinsumDense, Embedding, Identity, Input, InputLayer, Masking, ReversibleEmbedding
from .encoding import (CategoryEncoding, Discretization, HashedCrossing, Hashing, IntegerLookup,
                       StringLookup, TextVectorization)
from .merging import (Add, Average, Concatenate, Dot, Maximum, Minimum, Multiply, Subtract, add,
                      average, concatenate, dot, maximum, minimum, multiply, subtract)
from .normalization import (BatchNormalization, GroupNormalization, LayerNormalization,
                            RMSNormalization, UnitNormalization)
from .preprocessing import (AugMix, AutoContrast, CenterCrop,
                            ContrastLimitedAdaptiveHistogramEqualization, CutMix, Equalization,
                            MaxNumBoundingBoxes, MelSpectrogram, MixUp, Normalization, RandAugment, RandomBrightness,
                            RandomColorDegeneration, RandomColorJitter, RandomContrast, RandomCrop,
                            RandomElasticTransform, RandomErasing, RandomFlip, RandomGaussianBlur,
                            RandomGrayscale, RandomHue, RandomInvert, RandomPerspective,
                            RandomPosterization, RandomRotation, RandomSaturation, RandomSharpness,
                            RandomShear, RandomTranslation, RandomZoom, Rescaling, Resizing,
                            Solarization, STFTSpectrogram)
from .pooling import (AdaptiveAveragePooling1D, AdaptiveAveragePooling2D, AdaptiveAveragePooling3D,
                      AdaptiveMaxPooling1D, AdaptiveMaxPooling2D, AdaptiveMaxPooling3D, AveragePooling1D, AveragePooling2D, AveragePooling3D,
                      GlobalAveragePooling1D, GlobalAveragePooling2D, GlobalAveragePooling3D,
                      GlobalMaxPooling1D, GlobalMaxPooling2D, GlobalMaxPooling3D,
                      MaxPooling1D, MaxPooling2D, MaxPooling3D)
from .recurrent import (GRU, LSTM, RNN, ConvLSTM1D, ConvLSTM2D, ConvLSTM3D, GRUCell, LSTMCell, SimpleRNN,
                        SimpleRNNCell, StackedRNNCells)
from .regularization import (ActivityRegularization, AlphaDropout, Dropout, GaussianDropout,
                             GaussianNoise, SpatialDropout1D, SpatialDropout2D, SpatialDropout3D)
from .reshaping import (Cropping1D, Cropping2D, Cropping3D, Flatten, Permute, RepeatVector,
                        Reshape, UpSampling1D, UpSampling2D, UpSampling3D, ZeroPadding1D,
                        ZeroPadding2D, ZeroPadding3D)
from .repeat import Repeat
from .user import Lambda
from . import ops as _ops  # noqa: F401  (registers the tensor operators)
from .wrappers import Bidirectional, Pipeline, SpectralNormalization, TimeDistributed

# Aliases that Keras 3 itself exports.
Convolution1D, Convolution2D, Convolution3D = Conv1D, Conv2D, Conv3D
Convolution1DTranspose, Convolution2DTranspose, Convolution3DTranspose = (
    Conv1DTranspose, Conv2DTranspose, Conv3DTranspose)
SeparableConvolution1D, SeparableConvolution2D = SeparableConv1D, SeparableConv2D
GroupQueryAttention = GroupedQueryAttention
MaxPool1D, MaxPool2D, MaxPool3D = MaxPooling1D, MaxPooling2D, MaxPooling3D
AvgPool1D, AvgPool2D, AvgPool3D = AveragePooling1D, AveragePooling2D, AveragePooling3D
GlobalMaxPool1D, GlobalMaxPool2D, GlobalMaxPool3D = (
    GlobalMaxPooling1D, GlobalMaxPooling2D, GlobalMaxPooling3D)
GlobalAvgPool1D, GlobalAvgPool2D, GlobalAvgPool3D = (
    GlobalAveragePooling1D, GlobalAveragePooling2D, GlobalAveragePooling3D)


def _registry() -> dict[str, type]:
    found = {}
    for name, value in globals().items():
        if isinstance(value, type) and issubclass(value, Layer) and not name.startswith("_"):
            found[name] = value
    found.pop("Layer", None)
    return found


#: every layer class by every name Keras gives it
LAYERS: dict[str, type] = _registry()
