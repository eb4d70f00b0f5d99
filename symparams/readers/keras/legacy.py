"""Keras 1 and Keras 2 spellings, translated to Keras 3 calls with the same meaning.

The renames follow Keras 2's own ``legacy/interfaces.py`` (the converters
Keras 2 applied to Keras 1 code). Each function takes the class name, the
positional and keyword arguments as the file wrote them, and returns the
Keras 3 class name and arguments, plus notes worth telling the user.
"""

from __future__ import annotations

from typing import Any

_COMMON = {
    "init": "kernel_initializer", "W_regularizer": "kernel_regularizer",
    "b_regularizer": "bias_regularizer", "W_constraint": "kernel_constraint",
    "b_constraint": "bias_constraint", "bias": "use_bias",
}
_CONV = {**_COMMON, "nb_filter": "filters", "border_mode": "padding", "subsample": "strides",
         "subsample_length": "strides", "filter_length": "kernel_size", "atrous_rate": "dilation_rate",
         "dim_ordering": "data_format"}
_POOL = {"pool_length": "pool_size", "stride": "strides", "border_mode": "padding",
         "dim_ordering": "data_format"}
_RNN = {**_COMMON, "output_dim": "units", "inner_init": "recurrent_initializer",
        "inner_activation": "recurrent_activation", "U_regularizer": "recurrent_regularizer",
        "U_constraint": "recurrent_constraint", "dropout_W": "dropout", "dropout_U": "recurrent_dropout",
        "consume_less": "implementation", "forget_bias_init": "unit_forget_bias"}
_KERAS1_RNN_KEYS = {"output_dim", "init", "inner_init", "inner_activation", "U_regularizer",
                    "W_regularizer", "dropout_W", "dropout_U", "consume_less", "forget_bias_init"}

# Renamed classes: Keras 1 name -> Keras 3 name.
CLASS_RENAMES = {
    "Convolution1D": "Conv1D", "Convolution2D": "Conv2D", "Convolution3D": "Conv3D",
    "AtrousConvolution1D": "Conv1D", "AtrousConvolution2D": "Conv2D",
    "Deconvolution2D": "Conv2DTranspose", "Deconvolution3D": "Conv3DTranspose",
    "SeparableConvolution2D": "SeparableConv2D",
}

_DATA_FORMAT = {"th": "channels_first", "tf": "channels_last", "default": None}

#: Keras 1 layers with no Keras 3 equal
UNSUPPORTED = ("Merge", "MaxoutDense", "Highway")


def wrapper(name: str, kwargs: dict):
    """A Keras 1 layer that is a Keras 3 layer inside a wrapper: ``((inner, its kwargs),
    (wrapper, its kwargs))``, or None. ``TimeDistributedDense(10, input_dim=64,
    input_length=5)`` is ``TimeDistributed(Dense(10), input_shape=(5, 64))``."""
    if name != "TimeDistributedDense":
        return None
    inner = {k: v for k, v in kwargs.items() if k not in ("input_shape", "input_dim", "input_length", "name")}
    outer = {k: v for k, v in kwargs.items() if k in ("input_shape", "name")}
    if "input_dim" in kwargs:
        outer["input_shape"] = (kwargs.get("input_length"), kwargs["input_dim"])
    return ("Dense", inner), ("TimeDistributed", outer)


def sequence_input(kwargs: dict, takes_input_dim: bool, sequences: bool) -> dict:
    """Keras 1 and 2: ``LSTM(32, input_dim=64, input_length=10)`` reads (10, 64) sequences,
    and without ``input_length`` sequences of any length. A layer whose own argument is
    ``input_dim`` (Embedding's vocabulary) keeps it."""
    if "input_dim" in kwargs and not takes_input_dim and ("input_length" in kwargs or sequences):
        kwargs = dict(kwargs)
        kwargs["input_shape"] = (kwargs.pop("input_length", None), kwargs.pop("input_dim"))
    return kwargs


def _rename(kwargs: dict, table: dict) -> dict:
    out = {}
    for key, value in kwargs.items():
        new = table.get(key, key)
        if key == "dim_ordering":
            value = _DATA_FORMAT.get(value, value)
            if value is None:
                continue
        if key == "bias":
            value = bool(value)
        out[new] = value
    return out


def _conv(name: str, args: list, kwargs: dict, rank: int, keras1_name: bool):
    notes = []
    kwargs = _rename(kwargs, _CONV)
    if "nb_row" in kwargs or "nb_col" in kwargs:
        kwargs["kernel_size"] = (kwargs.pop("nb_row", 1), kwargs.pop("nb_col", 1))
    if "kernel_dim1" in kwargs:
        kwargs["kernel_size"] = tuple(kwargs.pop(f"kernel_dim{i}") for i in (1, 2, 3)
                                      if f"kernel_dim{i}" in kwargs)
    if rank >= 2 and len(args) >= rank + 1 and all(_is_size(a) for a in args[1:rank + 1]):
        # Keras 1 (and Keras 2's converter) read Conv2D(32, 5, 5) as a 5x5 kernel.
        if keras1_name:
            args = [args[0], tuple(args[1:rank + 1]), *args[rank + 1:]]
        else:
            notes.append(f"{name}({', '.join(map(str, args[:rank + 1]))}, ...): in Keras 3 the third "
                         "argument is strides (Keras 1 and 2 read it as the kernel's size)")
    if keras1_name and len(args) > (1 if "kernel_size" in kwargs else 2):
        # Keras 1's positional order after the kernel: init, activation, weights,
        # border_mode, subsample; none of them is a Keras 3 positional.
        head = 1 if "kernel_size" in kwargs else 2
        names = ["kernel_initializer", "activation", "weights", "padding", "strides"]
        for key, value in zip(names, args[head:]):
            kwargs.setdefault(key, value)
        args = args[:head]
    if name.startswith("Atrous"):
        kwargs.setdefault("dilation_rate", kwargs.pop("atrous_rate", 1))
    if name.startswith("Deconvolution"):
        kwargs.pop("output_shape", None)
    return args, kwargs, notes


def _is_size(value) -> bool:
    import sympy

    from ..python.values import Opaque
    return (isinstance(value, int) and not isinstance(value, bool)) or \
        isinstance(value, (sympy.Basic, Opaque))


def translate(name: str, args: list, kwargs: dict, keras: int = 3) -> tuple[str, list, dict, list[str]]:
    """The Keras 3 form of a layer call written for Keras ``keras`` (1, 2 or 3)."""
    notes: list[str] = []
    # Keras 2's converters still read Conv2D(32, 3, 3) as a 3x3 kernel.
    keras1_name = name in CLASS_RENAMES or keras < 3
    new_name = CLASS_RENAMES.get(name, name)
    if new_name in ("Conv1D", "Conv2D", "Conv3D", "Conv2DTranspose", "Conv3DTranspose",
                    "SeparableConv2D", "SeparableConv1D", "Conv1DTranspose"):
        rank = int(new_name[new_name.index("D") - 1]) if new_name[0] == "C" else int(new_name[-2])
        args, kwargs, notes = _conv(name, list(args), kwargs, rank, keras1_name)
    elif new_name in ("MaxPooling1D", "AveragePooling1D", "MaxPooling2D", "AveragePooling2D",
                      "MaxPooling3D", "AveragePooling3D", "GlobalMaxPooling2D",
                      "GlobalAveragePooling2D", "GlobalMaxPooling3D", "GlobalAveragePooling3D",
                      "ZeroPadding2D", "ZeroPadding3D", "Cropping2D", "Cropping3D",
                      "UpSampling2D", "UpSampling3D", "SpatialDropout2D", "SpatialDropout3D"):
        kwargs = _rename(kwargs, _POOL)
    elif new_name in ("Dense", "TimeDistributedDense"):
        kwargs = _rename(kwargs, {**_COMMON, "output_dim": "units"})
    elif new_name in ("SimpleRNN", "LSTM", "GRU"):
        keras1 = bool(_KERAS1_RNN_KEYS & set(kwargs))
        kwargs = _rename(kwargs, _RNN)
        if new_name == "GRU" and (keras1 or keras < 3):
            # Keras 1's GRU had one bias per gate, and standalone Keras 2 kept that as its
            # default (reset_after=False, keras/layers/recurrent.py of Keras 2.1-2.3).
            kwargs.setdefault("reset_after", False)
    elif new_name == "Embedding":
        kwargs = _rename(kwargs, {"init": "embeddings_initializer",
                                  "W_regularizer": "embeddings_regularizer",
                                  "W_constraint": "embeddings_constraint"})
        kwargs.pop("dropout", None)
    elif new_name in ("Dropout", "GaussianDropout", "SpatialDropout1D"):
        kwargs = _rename(kwargs, {"p": "rate"})
    elif new_name == "GaussianNoise":
        kwargs = _rename(kwargs, {"sigma": "stddev"})
    elif new_name == "BatchNormalization":
        if args and isinstance(args[0], float):
            kwargs.setdefault("epsilon", args[0])  # Keras 1: BatchNormalization(epsilon, mode, axis)
            args = []
        kwargs.pop("mode", None)
        kwargs = _rename(kwargs, {"beta_init": "beta_initializer", "gamma_init": "gamma_initializer"})
    elif new_name == "PReLU":
        kwargs = _rename(kwargs, {"init": "alpha_initializer"})
    return new_name, list(args), kwargs, notes


MERGE_MODES = {"sum": "Add", "mul": "Multiply", "concat": "Concatenate", "ave": "Average",
               "max": "Maximum", "dot": "Dot", "cos": "Dot"}


def merge_layer(mode: Any, kwargs: dict) -> tuple[str, dict]:
    """Keras 1's ``merge(inputs, mode=...)`` as the Keras 3 merge layer and its arguments."""
    if not isinstance(mode, str) or mode not in MERGE_MODES:
        raise ValueError(f"merge mode must be one of {', '.join(MERGE_MODES)}; got {mode!r}")
    cls = MERGE_MODES[mode]
    out = {k: v for k, v in kwargs.items() if k in ("name",)}
    if cls == "Concatenate":
        out["axis"] = kwargs.get("concat_axis", -1)
    if cls == "Dot":
        out["axes"] = kwargs.get("dot_axes", -1)
        out["normalize"] = mode == "cos"
    return cls, out
