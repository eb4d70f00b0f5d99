"""``torch/nn/modules/flatten.py``: Flatten and Unflatten."""

from __future__ import annotations

from ...core.formula import mul
from ...keras.layers.textbook import AxisRule, Textbook, axis
from .. import tensor as T
from .free import _Free
from .inputs import _input


class Flatten(_Free):
    # what it is given in a CNN: PyTorch's (batch, channels, spatial...)
    data_format = "channels_first"
    misconceptions = frozenset({"flatten_without_channels"})

    def __init__(self, start_dim: int = 1, end_dim: int = -1):
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, input):
        return T.flatten(_input(self, input), self.start_dim, self.end_dim)

    def axis_rules(self, input_shape) -> list:
        """The flattened axis: the sizes of the axes it joins, multiplied."""
        if input_shape is None:
            return []
        n = len(input_shape)
        start, end = self.start_dim % n, self.end_dim % n
        if end <= start:
            return []
        t = Textbook()
        f = mul(*[t.q(f"n_{i}", input_shape[i], axis(i)) for i in range(start, end + 1)])
        return [AxisRule(start, "n_out", f, t.quantities)]


class Unflatten(_Free):
    def __init__(self, dim, unflattened_size):
        super().__init__()
        self.dim, self.unflattened_size = dim, tuple(unflattened_size)

    def forward(self, input):
        return T.unflatten(_input(self, input), self.dim, self.unflattened_size)
