"""State-space families (``modeling_mamba.py``, ``modeling_mamba2.py``): no attention; each
layer is a norm and a mixer whose sizes follow from ``expand · hidden_size``, the state size
and the convolution's kernel."""

from __future__ import annotations

import sympy

from ..pytorch import nn
from ..pytorch.module import Module, Parameter
from .families import Built, Dims, Family, RMSNorm, _f, stack
from .fields import AUTO_SIZE, FLAG, NUMBER, TEXT

_EPS = dict(kind=NUMBER, counted=False)


class Mamba(Family):
    """``modeling_mamba.py``'s ``MambaMixer``: ``in_proj`` to twice the inner width, a
    depthwise ``conv1d``, ``x_proj`` to the time-step rank and two state vectors,
    ``dt_proj`` (always biased), ``A_log`` (inner, state), ``D`` and ``out_proj``."""

    model_type = "mamba"
    prefix = "Mamba"
    fields = (
        _f("vocab_size", 50280), _f("hidden_size", 768), _f("state_size", 16), _f("num_hidden_layers", 32),
        _f("layer_norm_epsilon", 1e-5, **_EPS), _f("expand", 2), _f("conv_kernel", 4),
        _f("use_bias", False, FLAG), _f("use_conv_bias", True, FLAG), _f("hidden_act", "silu", TEXT, counted=False),
        _f("time_step_rank", "auto", AUTO_SIZE), _f("tie_word_embeddings", True, FLAG),
    )

    @property
    def architectures(self):
        return (f"{self.prefix}ForCausalLM", f"{self.prefix}Model")

    def heads_field(self):
        return ""

    def inner(self, v):
        return v["expand"] * v["hidden_size"]

    def rank(self, v):
        # configuration_mamba.py: "auto" is ceil(hidden_size / 16)
        r = v["time_step_rank"]
        return sympy.ceiling(v["hidden_size"] / 16) if r == "auto" else r

    def mixer(self, v) -> Module:
        d, n, inner, k = v["hidden_size"], v["state_size"], self.inner(v), v["conv_kernel"]
        m = Built("MambaMixer", conv1d=nn.Conv1d(inner, inner, k, groups=inner, bias=v["use_conv_bias"]),
                  in_proj=nn.Linear(d, 2 * inner, bias=v["use_bias"]),
                  x_proj=nn.Linear(inner, self.rank(v) + 2 * n, bias=False),
                  dt_proj=nn.Linear(self.rank(v), inner, bias=True))
        m.A_log = Parameter((inner, n))
        m.D = Parameter((inner,))
        m.out_proj = nn.Linear(inner, d, bias=v["use_bias"])
        return m

    def build(self, v, architecture):
        d, p = v["hidden_size"], self.prefix

        def block(i):
            return Built(f"{p}Block", norm=RMSNorm(d, f"{p}RMSNorm"), mixer=self.mixer(v))
        backbone = Built(f"{p}Model", embeddings=nn.Embedding(v["vocab_size"], d),
                         layers=stack(block, v["num_hidden_layers"], "num_hidden_layers"),
                         norm_f=RMSNorm(d, f"{p}RMSNorm"))
        if architecture == f"{p}Model":
            return backbone
        head = nn.Linear(d, v["vocab_size"], bias=False)
        if v["tie_word_embeddings"]:
            head.weight = backbone.embeddings.weight
        return Built(architecture, backbone=backbone, lm_head=head)

    def dims(self, v):
        inner = self.inner(v)
        return Dims(("hidden_size", v["hidden_size"]), ("num_hidden_layers", v["num_hidden_layers"]),
                    ("1", sympy.Integer(1)), ("1", sympy.Integer(1)), ("expand·hidden_size", inner),
                    ("expand·hidden_size", inner), ("vocab_size", v["vocab_size"]), ("2048", sympy.Integer(2048)),
                    ("0", sympy.Integer(0)), caches=False, attends=False)


class Mamba2(Mamba):
    """``modeling_mamba2.py``'s ``Mamba2Mixer``: one ``in_proj`` to the inner width, the
    convolution's channels (inner + 2·n_groups·state) and a time step per head; per-head
    ``dt_bias``, ``A_log`` and ``D``; a gated RMSNorm over the inner width."""

    model_type = "mamba2"
    prefix = "Mamba2"
    fields = (
        _f("num_heads", 128), _f("head_dim", 64, counted=False), _f("vocab_size", 32768), _f("hidden_size", 4096),
        _f("state_size", 128), _f("num_hidden_layers", 64), _f("layer_norm_epsilon", 1e-5, **_EPS),
        _f("expand", 2), _f("conv_kernel", 4), _f("n_groups", 8), _f("use_bias", False, FLAG),
        _f("use_conv_bias", True, FLAG), _f("hidden_act", "silu", TEXT, counted=False),
        _f("time_step_rank", "auto", AUTO_SIZE, counted=False), _f("tie_word_embeddings", False, FLAG),
    )

    def mixer(self, v):
        d, n, inner, k, h = v["hidden_size"], v["state_size"], self.inner(v), v["conv_kernel"], v["num_heads"]
        conv = inner + 2 * v["n_groups"] * n
        m = Built("Mamba2Mixer", conv1d=nn.Conv1d(conv, conv, k, groups=conv, bias=v["use_conv_bias"]),
                  in_proj=nn.Linear(d, inner + conv + h, bias=v["use_bias"]))
        m.dt_bias = Parameter((h,))
        m.A_log = Parameter((h,))
        m.norm = RMSNorm(inner, "MambaRMSNormGated")
        m.D = Parameter((h,))
        m.out_proj = nn.Linear(inner, d, bias=v["use_bias"])
        return m


SSMS = (Mamba(), Mamba2())
