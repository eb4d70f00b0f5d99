"""``torch/nn/modules/pooling.py``: the max, average and power-average pools of one, two
and three spatial axes, and their adaptive forms (the unpools are in :mod:`.free`)."""

from __future__ import annotations

import sympy

from ...core.dims import as_size
from .. import tensor as T
from .. import window
from .free import _Free
from .inputs import _input, _tuple, _window_rules


class _PoolNd(_Free):
    """``torch/nn/modules/pooling.py``: the stride defaults to the kernel size."""

    described_by = ("kernel_size", "stride")

    rank = 2
    dilated = False
    data_format = "channels_first"

    @property
    def pool_size(self) -> tuple:
        """The window, by Keras's name for it (what the exam's misconceptions read)."""
        return self.kernel_size

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices=False,
                 ceil_mode=False, count_include_pad=True, divisor_override=None):
        super().__init__()
        self.kernel_size = _tuple(kernel_size, self.rank)
        self.stride = self.kernel_size if stride is None or stride == [] else _tuple(stride, self.rank)
        self.stride_given = not (stride is None or stride == [])
        self.padding = _tuple(padding, self.rank)
        self.dilation = _tuple(dilation, self.rank) if self.dilated else (sympy.Integer(1),) * self.rank
        self.ceil_mode, self.return_indices = bool(ceil_mode), bool(return_indices)

    def forward(self, input):
        r = self.rank
        x = _input(self, input, (r + 1, r + 2), "N, C, " + ", ".join("DHW"[3 - r:]))
        sizes = tuple(T.positive(window.rule().pool(length, self.kernel_size[i], self.stride[i], self.padding[i],
                                                    self.dilation[i], self.ceil_mode, self.stride_given),
                                 f"{type(self).__name__}'s output length")
                      for i, length in enumerate(x.shape[-r:]))
        out = x.with_shape(x.shape[:-r] + sizes)
        return (out, out) if self.return_indices else out

    def axis_rules(self, input_shape) -> list:
        return _window_rules(self, input_shape, lambda t, label, suffix, ax, n, i: window.explain(
            t, label, suffix, ax, n, self.kernel_size[i], self.stride[i], self.padding[i], self.dilation[i],
            self.ceil_mode, "" if self.stride_given else "kernel_size"))


def _max_pool(rank: int):
    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices=False, ceil_mode=False):
        _PoolNd.__init__(self, kernel_size, stride, padding, dilation, return_indices, ceil_mode)
    return __init__


def _avg_pool(rank: int):
    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
                 divisor_override=None):
        _PoolNd.__init__(self, kernel_size, stride, padding, 1, False, ceil_mode)
    return __init__


def _lp_pool(rank: int):
    def __init__(self, norm_type, kernel_size, stride=None, ceil_mode=False):
        _PoolNd.__init__(self, kernel_size, stride, 0, 1, False, ceil_mode)
    return __init__


for _r in (1, 2, 3):
    globals()[f"MaxPool{_r}d"] = type(f"MaxPool{_r}d", (_PoolNd,),
                                      {"rank": _r, "dilated": True, "__init__": _max_pool(_r)})
    globals()[f"AvgPool{_r}d"] = type(f"AvgPool{_r}d", (_PoolNd,), {"rank": _r, "__init__": _avg_pool(_r)})
    globals()[f"LPPool{_r}d"] = type(f"LPPool{_r}d", (_PoolNd,), {"rank": _r, "__init__": _lp_pool(_r)})


class _AdaptivePoolNd(_Free):
    rank = 2

    def __init__(self, output_size, return_indices=False):
        super().__init__()
        sizes = tuple(output_size) if isinstance(output_size, (list, tuple)) else (output_size,) * self.rank
        if len(sizes) != self.rank:
            raise ValueError(f"output_size needs {self.rank} values, got {len(sizes)}")
        self.output_size = tuple(None if s is None else as_size(s) for s in sizes)
        self.return_indices = bool(return_indices)

    def forward(self, input):
        r = self.rank
        x = _input(self, input, (r + 1, r + 2), "N, C, " + ", ".join("DHW"[3 - r:]))
        # None keeps the input's size on that axis
        sizes = tuple(length if s is None else s for s, length in zip(self.output_size, x.shape[-r:]))
        out = x.with_shape(x.shape[:-r] + sizes)
        return (out, out) if self.return_indices else out


for _r in (1, 2, 3):
    for _kind in ("Avg", "Max"):
        globals()[f"Adaptive{_kind}Pool{_r}d"] = type(f"Adaptive{_kind}Pool{_r}d", (_AdaptivePoolNd,), {"rank": _r})
