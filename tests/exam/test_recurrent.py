"""Recurrent questions: a bidirectional layer counted one way only, and a stacked layer given
the model's input width instead of the layer below it; each recomputed from the weights real
Keras and real PyTorch made."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import pytest

from recorded import recorded_versions
from symparams import exam

ROOT = Path(__file__).resolve().parents[2]
needs_toml = pytest.mark.skipif(sys.version_info < (3, 11), reason="tomllib is Python 3.11+")


def _count(weights, width=None) -> int:
    """Keras's weights counted, the input kernels (in, out) given ``width`` inputs if set."""
    total = 0
    for w in weights:
        shape = w["shape"]
        if width is not None and w["name"].endswith("/kernel"):
            shape = [width, shape[1]]
        total += math.prod(shape)
    return total


@needs_toml
def test_bidirectional_and_stacked_mistakes_are_real_kerass_weights_counted_wrong():
    seen = set()
    for v, run in recorded_versions("recurrent"):
        first, second = run["layers"][0], run["layers"][1]
        assert first["type"] == ("Bidirectional" if v.sizes["bidirectional"] else "LSTM")
        q1, q2 = v.questions[0], v.questions[1]
        assert (q1.answer, q2.answer) == (first["params"], second["params"])
        wrong1 = {c.misconception: c.value for c in q1.distractors}
        wrong2 = {c.misconception: c.value for c in q2.distractors}
        if v.sizes["bidirectional"]:
            forward = [w for w in first["weights"] if "/forward_lstm/" in w["name"]]
            assert wrong1["bidirectional_once"] == _count(forward) == first["params"] // 2
            seen.add("bidirectional_once")
        assert "stacked_first_input" not in wrong1      # the first reads the model's input
        features = run["layers"][0]["weights"][0]["shape"][0]
        below = second["weights"][0]["shape"][0]
        if below != features:
            assert wrong2["stacked_first_input"] == _count(second["weights"], width=features)
            seen.add("stacked_first_input")
        else:
            assert "stacked_first_input" not in wrong2
    assert seen == {"bidirectional_once", "stacked_first_input"}


TORCH = '''
import torch
from torch import nn

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(embed, hidden, num_layers=2, batch_first=True, bidirectional=True)

model = Net()
'''


def test_a_pytorch_lstm_of_two_bidirectional_layers_counted_wrong():
    """nn.LSTM(64, 128, num_layers=2, bidirectional=True), as real PyTorch made it in the
    lstm_classifier fixture: one way only, and its second layer given the input's 64."""
    run = json.loads((ROOT / "tests" / "fixtures" / "torch" / "lstm_classifier.json").read_text())["runs"][0]
    weights = {p["name"][len("lstm."):]: p["shape"] for p in run["parameters"] if p["name"].startswith("lstm.")}
    params = sum(math.prod(s) for s in weights.values())
    spec = exam.Spec.from_dict({"source": TORCH, "sizes": {"embed": [64], "hidden": [128]},
                                "questions": [{"kind": "layer_params", "layer": "lstm", "choices": 0}]}, "t.toml")
    (v,), _ = exam.draw(spec, 1, seed=1)
    q = v.questions[0]
    assert q.answer == params
    wrong = {c.misconception: c.value for c in q.distractors}
    assert wrong["bidirectional_once"] == sum(math.prod(s) for n, s in weights.items() if not n.endswith("_reverse"))
    upper = [s for n, s in weights.items() if n.startswith("weight_ih_l1")]
    assert wrong["stacked_first_input"] == params - sum(math.prod(s) for s in upper) + sum(s[0] * 64 for s in upper)
