"""Preprocessing and augmentation layers: Rescaling, Normalization, Resizing, crops, random transforms.

None has trainable weights. Normalization keeps the statistics it adapted to
as non-trainable weights (keras/src/layers/preprocessing/normalization.py:
``mean`` and ``variance`` over the kept axes, and a scalar ``count``) unless
its mean and variance are given. The image layers follow
keras/src/layers/preprocessing/image_preprocessing: an input of rank 4 is a
batch of images; one of rank 3 is a single image (no batch axis), as Keras
reads it.
"""

from __future__ import annotations

from ...core.dims import as_positive, as_size, floordiv
from ...core.formula import add, mul
from . import window
from .base import Layer, Weight, auto_name, describe, no_macs
from .conv import standardize_data_format
from .textbook import DERIVED, Textbook, arg, axis

_IMAGE_INERT = frozenset({"seed", "fill_mode", "interpolation", "fill_value", "value_range",
                          "bounding_box_format", "antialias", "crop_to_aspect_ratio",
                          "pad_to_aspect_ratio"})


class _Preprocessing(Layer):
    """A fixed transformation of the values: nothing to learn, no products."""

    prose = "preprocessing"
    inert_args = _IMAGE_INERT
    macs = no_macs


class Rescaling(_Preprocessing):
    def __init__(self, scale, offset=0.0, **kwargs):
        super().__init__(**kwargs)


class Normalization(_Preprocessing):
    prose = "normalization"
    inert_args = frozenset({"invert"})

    def __init__(self, axis=-1, mean=None, variance=None, invert=False, **kwargs):
        super().__init__(**kwargs)
        if axis is None:
            axis = ()
        self.axis = (int(axis),) if not isinstance(axis, (list, tuple)) else tuple(int(a) for a in axis)
        if (mean is None) != (variance is None):
            raise ValueError("Normalization needs both mean and variance, or neither")
        self.adapted = mean is None

    def kept_axes(self, input_shape) -> tuple:
        rank = len(input_shape)
        if any(a < -rank or a >= rank for a in self.axis):
            raise self.error(f"axis {self.axis} does not fit input {describe(input_shape)}")
        kept = tuple(sorted(a % rank for a in self.axis))
        for a in kept:
            if input_shape[a] is None:
                raise self.error(f"axis {a} of input {describe(input_shape)} must be known")
        return kept

    def declare_weights(self, input_shape):
        kept = self.kept_axes(input_shape)
        if self.adapted:
            shape = tuple(input_shape[a] for a in kept)
            yield Weight("mean", shape, trainable=False)
            yield Weight("variance", shape, trainable=False)
            yield Weight("count", (), trainable=False)

    def config(self):
        return {"axis": self.axis, "adapted": self.adapted}

    def textbook(self, shape):
        t = Textbook()
        kept = self.kept_axes(shape)
        sizes = [t.q("d" if len(kept) == 1 else f"d_{i + 1}", shape[a], axis(a))
                 for i, a in enumerate(kept)]
        t.formula = add(mul(2, *sizes), 1)
        t.non_trainable = t.formula
        return t


class _ImageSize(_Preprocessing):
    """Layers that set an image's height and width: Resizing, CenterCrop, RandomCrop."""

    def __init__(self, height, width, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.height = as_positive(height, "height")
        self.width = as_positive(width, "width")
        self.data_format = standardize_data_format(data_format)

    def check_input(self, in_shapes):
        if isinstance(in_shapes, list) or len(in_shapes) not in (3, 4):
            raise self.error(f"{type(self).__name__} takes images of rank 4 (a batch) or 3, "
                             f"got {describe(in_shapes)}")

    def compute_output_shape(self, input_shape):
        out = list(input_shape)
        first = (1 if len(out) == 4 else 0) + (0 if self.data_format == "channels_last" else 1)
        out[first], out[first + 1] = self.height, self.width
        return tuple(out)

    def config(self):
        return {"height": self.height, "width": self.width, "data_format": self.data_format}


class Resizing(_ImageSize):
    pass


class CenterCrop(_ImageSize):
    pass


class RandomCrop(_ImageSize):
    pass


class _RandomTransform(_Preprocessing):
    """Augmentations that keep the image's shape (active in training only)."""

    def __init__(self, *args, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format)


class RandomFlip(_RandomTransform):
    def __init__(self, mode="horizontal_and_vertical", **kwargs):
        super().__init__(**kwargs)


class RandomRotation(_RandomTransform):
    def __init__(self, factor, **kwargs):
        super().__init__(**kwargs)


class RandomZoom(_RandomTransform):
    def __init__(self, height_factor, width_factor=None, **kwargs):
        super().__init__(**kwargs)


class RandomTranslation(_RandomTransform):
    def __init__(self, height_factor, width_factor, **kwargs):
        super().__init__(**kwargs)


class RandomContrast(_RandomTransform):
    def __init__(self, factor, **kwargs):
        super().__init__(**kwargs)


class _Augmentation(_Preprocessing):
    """An image augmentation that keeps the image's shape; its arguments never change a size.

    ``arguments`` lists what Keras 3.15's constructor takes, in order
    (``keras/src/layers/preprocessing/image_preprocessing/``), and
    ``required`` the ones without a default.
    """

    arguments: tuple[str, ...] = ()
    required: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        if len(args) > len(self.arguments):
            raise TypeError(f"{type(self).__name__} takes at most {len(self.arguments)} "
                            f"positional arguments, got {len(args)}")
        given = dict(zip(self.arguments, args))
        for key in list(kwargs):
            if key in self.arguments:
                if key in given:
                    raise TypeError(f"got multiple values for argument {key!r}")
                given[key] = kwargs.pop(key)
        missing = [r for r in self.required if r not in given]
        if missing:
            raise TypeError(f"missing the argument {missing[0]!r}")
        super().__init__(**kwargs)
        self.settings = given
        for inner in self.made_inside():
            auto_name(inner)

    def made_inside(self) -> tuple[str, ...]:
        """Layers Keras's constructor makes inside it, which use up automatic names, in order."""
        return ()


_SHAPE_OPS = ("RandomShear", "RandomTranslation", "RandomRotation")
_COLOR_OPS = ("RandomBrightness", "RandomColorDegeneration", "RandomContrast", "RandomSharpness")


class AugMix(_Augmentation):
    arguments = ("value_range", "num_chains", "chain_depth", "factor", "alpha", "all_ops",
                 "interpolation", "seed", "data_format")
    inert_args = _IMAGE_INERT | frozenset(arguments)

    def made_inside(self):
        # aug_mix.py: the geometric and tone operations, then the colour ones if all_ops.
        base = (*_SHAPE_OPS, "Solarization", "RandomPosterization", "AutoContrast", "Equalization")
        return base + (_COLOR_OPS if self.settings.get("all_ops", True) else ())


class RandAugment(_Augmentation):
    arguments = ("value_range", "num_ops", "factor", "interpolation", "seed", "data_format")
    inert_args = _IMAGE_INERT | frozenset(arguments)

    def made_inside(self):
        # rand_augment.py, in its constructor's order.
        return (*_SHAPE_OPS, *_COLOR_OPS, "Solarization", "RandomPosterization", "AutoContrast",
                "Equalization")


class RandomColorJitter(_Augmentation):
    arguments = ("value_range", "brightness_factor", "contrast_factor", "saturation_factor",
                 "hue_factor", "seed", "data_format")
    inert_args = _IMAGE_INERT | frozenset(arguments)

    def made_inside(self):
        # random_color_jitter.py: one layer for each factor given.
        kinds = (("brightness_factor", "RandomBrightness"), ("contrast_factor", "RandomContrast"),
                 ("saturation_factor", "RandomSaturation"), ("hue_factor", "RandomHue"))
        return tuple(layer for key, layer in kinds if self.settings.get(key) is not None)


def _augmentation(name: str, arguments: str, required: str = "") -> type:
    args = tuple(arguments.split())
    return type(name, (_Augmentation,), {"arguments": args, "required": tuple(required.split()),
                                          "inert_args": _IMAGE_INERT | frozenset(args),
                                          "__module__": __name__})


_RANGE = "value_range"
AutoContrast = _augmentation("AutoContrast", _RANGE)
ContrastLimitedAdaptiveHistogramEqualization = _augmentation(
    "ContrastLimitedAdaptiveHistogramEqualization", f"{_RANGE} clip_limit tile_grid_size data_format")
CutMix = _augmentation("CutMix", "factor seed data_format")
Equalization = _augmentation("Equalization", f"{_RANGE} bins data_format")
MixUp = _augmentation("MixUp", "alpha data_format seed")
RandomBrightness = _augmentation("RandomBrightness", f"factor {_RANGE} seed", "factor")
RandomColorDegeneration = _augmentation("RandomColorDegeneration", f"factor {_RANGE} data_format seed", "factor")
RandomElasticTransform = _augmentation("RandomElasticTransform", f"factor scale interpolation fill_mode "
                                       f"fill_value {_RANGE} seed data_format")
RandomErasing = _augmentation("RandomErasing", f"factor scale fill_value {_RANGE} seed data_format")
RandomGaussianBlur = _augmentation("RandomGaussianBlur", f"factor kernel_size sigma {_RANGE} data_format seed")
# Keras's grayscale keeps the channel count (random_grayscale.py: compute_output_shape).
RandomGrayscale = _augmentation("RandomGrayscale", "factor data_format seed")
RandomHue = _augmentation("RandomHue", f"factor {_RANGE} data_format seed", "factor")
RandomInvert = _augmentation("RandomInvert", f"factor {_RANGE} seed data_format")
RandomPerspective = _augmentation("RandomPerspective", "factor scale interpolation fill_value seed data_format")
RandomPosterization = _augmentation("RandomPosterization", f"factor {_RANGE} data_format seed", "factor")
RandomSaturation = _augmentation("RandomSaturation", f"factor {_RANGE} data_format seed", "factor")
RandomSharpness = _augmentation("RandomSharpness", f"factor {_RANGE} data_format seed", "factor")
RandomShear = _augmentation("RandomShear", "x_factor y_factor interpolation fill_mode fill_value data_format seed")
Solarization = _augmentation("Solarization", f"addition_factor threshold_factor {_RANGE} seed")
# For images alone it changes nothing; it pads or trims bounding boxes, which symparams does not model.
MaxNumBoundingBoxes = _augmentation("MaxNumBoundingBoxes", "max_number fill_value", "max_number")


# ---- audio (keras/src/layers/preprocessing/stft_spectrogram.py, mel_spectrogram.py) -------


class STFTSpectrogram(_Preprocessing):
    """A short-time Fourier transform as a 1-D convolution with fixed kernels (trainable by default).

    Its kernels are ``real_kernel`` and ``imag_kernel``, each (frame_length,
    1, fft_length // 2 + 1); mode ``"real"`` keeps only the first, ``"imag"``
    only the second.
    """

    prose = "generic"
    inert_args = frozenset({"window", "periodic", "scaling"})
    _MODES = ("log", "magnitude", "psd", "real", "imag", "angle", "stft")

    def __init__(self, mode="log", frame_length=256, frame_step=None, fft_length=None,
                 window="hann", periodic=False, scaling="density", padding="valid",
                 expand_dims=False, data_format=None, **kwargs):
        super().__init__(**kwargs)
        if mode not in self._MODES:
            raise ValueError(f"mode must be one of {', '.join(repr(m) for m in self._MODES)}, got {mode!r}")
        self.mode = mode
        self.frame_length = int(as_positive(frame_length, "frame_length"))
        self.frame_step = int(as_positive(frame_step, "frame_step")) if frame_step else self.frame_length // 2
        self.fft_length = int(fft_length) if fft_length else 1 << (self.frame_length - 1).bit_length()
        if padding not in ("valid", "same"):
            raise ValueError(f"padding must be 'valid' or 'same', got {padding!r}")
        self.padding = padding
        self.expand_dims = bool(expand_dims)
        self.data_format = standardize_data_format(data_format)

    def check_input(self, in_shapes):
        if isinstance(in_shapes, list) or len(in_shapes) != 3:
            raise self.error(f"STFTSpectrogram takes audio of shape (batch, time, channels), got {describe(in_shapes)}")

    def declare_weights(self, input_shape):
        shape = (self.frame_length, 1, self.fft_length // 2 + 1)
        if self.mode != "imag":
            yield Weight("real_kernel", shape)
        if self.mode != "real":
            yield Weight("imag_kernel", shape)

    def compute_output_shape(self, input_shape):
        last = self.data_format == "channels_last"
        channels = input_shape[-1] if last else input_shape[1]
        time = input_shape[1] if last else input_shape[2]
        freq = as_size((self.fft_length // 2 + 1) * (2 if self.mode == "stft" else 1))
        steps_out = window.conv_length(time, self.frame_length, self.frame_step, self.padding)
        if self.expand_dims:
            return (input_shape[0], steps_out, freq, channels) if last else (input_shape[0], channels, steps_out, freq)
        filters = None if channels is None else freq * channels
        return (input_shape[0], steps_out, filters) if last else (input_shape[0], filters, steps_out)

    def config(self):
        return {"mode": self.mode, "frame_length": as_size(self.frame_length),
                "frame_step": as_size(self.frame_step), "fft_length": as_size(self.fft_length)}

    def textbook(self, shape):
        t = Textbook()
        kernels = 2 if self.mode not in ("real", "imag") else 1
        length = t.q("L", as_positive(self.frame_length, "frame_length"), arg("frame_length"))
        bins = t.q("F", as_positive(self.fft_length // 2 + 1, "bins"), DERIVED)
        t.formula = mul(kernels, length, bins) if kernels != 1 else mul(length, bins)
        return t


class MelSpectrogram(_Preprocessing):
    """Mel-scaled spectrogram of audio; no weights. (batch, time) becomes (batch, num_mel_bins, frames)."""

    inert_args = frozenset({"window", "sampling_rate", "min_freq", "max_freq", "power_to_db",
                            "top_db", "mag_exp", "min_power", "ref_power", "fft_length",
                            "sequence_length"})

    def __init__(self, fft_length=2048, sequence_stride=512, sequence_length=None, window="hann",
                 sampling_rate=16000, num_mel_bins=128, **kwargs):
        super().__init__(**kwargs)
        self.sequence_stride = as_positive(sequence_stride, "sequence_stride")
        self.num_mel_bins = as_positive(num_mel_bins, "num_mel_bins")

    def compute_output_shape(self, input_shape):
        # mel_spectrogram.py: (length + stride + 1) // stride frames.
        def frames(n):
            return None if n is None else floordiv(n + self.sequence_stride + 1, self.sequence_stride)
        if len(input_shape) == 1:
            return (self.num_mel_bins, frames(input_shape[0]))
        return (input_shape[0], self.num_mel_bins, frames(input_shape[1]))

    def config(self):
        return {"num_mel_bins": self.num_mel_bins, "sequence_stride": self.sequence_stride}
