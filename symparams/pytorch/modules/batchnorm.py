"""``torch/nn/modules/batchnorm.py`` and ``instancenorm.py``: the batch and instance norms,
which share ``_NormBase`` (an affine weight and bias, and running statistics as buffers)."""

from __future__ import annotations

from typing import Optional

from ...core.dims import as_size
from ...core.formula import mul
from ...keras.layers.textbook import Textbook, arg
from ..module import Module, Parameter
from .inputs import _expect, _input


class _NormBase(Module):
    described_by = ("num_features",)
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

    ranks: tuple = (2, 3, 4, 5)
    prose = "torch_batchnorm"
    misconceptions = frozenset({"bn_buffers_counted"})

    def textbook(self) -> Optional[Textbook]:
        if self.weight is None:
            return None
        t = Textbook()
        t.formula = mul(2, t.q("C", self.num_features, arg("num_features")))
        return t

    def forward(self, input):
        x = _input(self, input, self.ranks)
        axis = 1 if not isinstance(self, _InstanceNorm) or x.ndim == max(self.ranks) else 0
        _expect(self, "features (axis 1)", self.num_features, x.shape[axis], x)
        return x


class BatchNorm1d(_NormBase):
    kind = "batchnorm"
    ranks = (2, 3)


class BatchNorm2d(_NormBase):
    kind = "batchnorm"
    ranks = (4,)


class BatchNorm3d(_NormBase):
    kind = "batchnorm"
    ranks = (5,)


class SyncBatchNorm(_NormBase):
    kind = "batchnorm"


class _InstanceNorm(_NormBase):
    affine_default = False
    track_default = False
    prose = "torch_instancenorm"


class InstanceNorm1d(_InstanceNorm):
    ranks = (2, 3)


class InstanceNorm2d(_InstanceNorm):
    ranks = (3, 4)


class InstanceNorm3d(_InstanceNorm):
    ranks = (4, 5)
