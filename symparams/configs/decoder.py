"""One decoder-only transformer with switches: the layer most ``transformers`` families
write again under their own names (``modeling_llama.py``, ``modeling_falcon.py``,
``modeling_gpt_neox.py``...). A family is then data (:mod:`symparams.configs.decoders`):
its config fields, the field each size reads, ``transformers``' attribute names and
class prefix, and the switches below; a family overrides a method only where its
modelling file computes a size in its own way (Falcon's key/value heads).

A switch is a constant, the name of a config field (a flag the file sets, such as
``attention_bias``), or a function of the config's values.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Optional

import sympy

from ..pytorch import nn
from ..pytorch.containers import ModuleList, Stacked
from ..pytorch.module import Module, Parameter
from .families import RMSNorm, Built, Dims, Family, _divides, stack
from .fields import ConfigError, Values

#: transformers' attribute names in a Llama-shaped model; a family overrides some in ``names``
NAMES = dict(
    body="model", embed="embed_tokens", layers="layers", norm="norm", attn="self_attn",
    q="q_proj", k="k_proj", v="v_proj", o="o_proj", qkv="qkv_proj", q_norm="q_norm", k_norm="k_norm",
    mlp="mlp", gate="gate_proj", up="up_proj", down="down_proj", gate_up="gate_up_proj",
    head="lm_head", positions="embed_positions", embed_norm="embed_layernorm",
    # the heads: the body's attribute and the head's linear layer (GenericForSequenceClassification...)
    seq_body="model", seq_head="score", token_body="model", token_head="score",
    qa_body="transformer", qa_head="qa_outputs",
)

#: the task heads ``transformers`` builds on a bare model, by class-name suffix
HEADS = ("ForSequenceClassification", "ForTokenClassification", "ForQuestionAnswering")


def on(v: Values, switch) -> Any:
    """A switch's value for this config: a constant, a config field's value, or a function's."""
    if callable(switch):
        return switch(v)
    if isinstance(switch, str):
        return v[switch]
    return switch


@dataclass(frozen=True)
class MoE:
    """A mixture of experts in place of the MLP: a router and fused experts
    (transformers 5 keeps them as ``experts.gate_up_proj`` (E, 2·ff, d) and
    ``experts.down_proj`` (E, d, ff)), and the switches of each family's block."""

    experts: str                         # the field counting the routed experts
    per_token: str = "num_experts_per_tok"
    ff: str = "moe_intermediate_size"
    block: str = "mlp"                   # the block's attribute (GraniteMoe: block_sparse_moe)
    router: str = "gate"
    block_class: str = "SparseMoeBlock"
    router_class: str = "TopKRouter"
    #: always-on experts beside the routed ones: their attribute, and their width
    shared: Optional[str] = None
    shared_ff: Any = None
    #: Qwen2-MoE's sigmoid gate on the shared expert, Linear(d, 1)
    shared_gate: Optional[str] = None
    #: the first k layers keep a dense MLP (DeepSeek's first_k_dense_replace)
    dense_first: Optional[str] = None
    #: every step-th layer is sparse (Qwen-MoE's decoder_sparse_step), but those listed
    #: dense (its mlp_only_layers)
    step: Optional[str] = None
    dense_layers: Optional[str] = None


class Decoder(Family):
    """A decoder-only family: its data (class attributes) and the one model it describes."""

    prefix = "Llama"
    #: the fields each size reads
    width = "hidden_size"
    heads = "num_attention_heads"
    kv_heads_field: Optional[str] = "num_key_value_heads"
    ff = "intermediate_size"
    vocab = "vocab_size"
    context = "max_position_embeddings"
    #: transformers' attribute names that differ from NAMES, and class names that differ
    #: from prefix + the usual suffix (keys: model, causal, layer, attn, mlp, norm)
    names: dict = {}
    classes: dict = {}
    # ---- switches ----
    #: rms, layer (weight and bias), layer_weight (weight only), none (no weights)
    norm = "rms"
    #: the norms of each layer, in transformers' order
    layer_norms: Any = ("input_layernorm", "post_attention_layernorm")
    final_norm = True
    #: q/k norms: None, "head" (over head_dim), "full" (over all heads' features), "heads" ((heads, head_dim))
    qk_norm: Any = None
    qkv_bias: Any = "attention_bias"
    o_bias: Any = "attention_bias"
    mlp_bias: Any = "mlp_bias"
    #: separate biases for the MLP's first and second projection (None: mlp_bias)
    down_bias: Any = None
    fused_qkv: Any = False
    fused_gate_up = False
    gated: Any = True
    #: the MLP's linears sit in the layer itself (OPT's fc1, fc2)
    mlp_inline = False
    tied: Any = "tie_word_embeddings"
    head_bias: Any = False
    #: learned positions: the field counting them, and the rows transformers adds (OPT: 2)
    positions: Optional[str] = None
    position_offset = 0
    #: a norm right after the token embedding (BLOOM's word_embeddings_layernorm)
    embed_norm = False
    moe: Optional[MoE] = None
    #: multi-head latent attention (DeepSeek-V2/V3)
    mla = False
    #: the heads this family's modelling file defines (a subset of HEADS)
    heads_defined: tuple = HEADS

    # ---- what Family asks ----
    @property
    def architectures(self) -> tuple:
        heads = self.classes.get("heads", self.prefix)
        return (self.cls("causal"), self.cls("model")) + tuple(heads + h for h in self.heads_defined)

    def width_field(self):
        return self.width

    def heads_field(self):
        return self.heads

    def cls(self, key: str) -> str:
        p = self.prefix
        usual = {"model": f"{p}Model", "causal": f"{p}ForCausalLM", "layer": f"{p}DecoderLayer",
                 "attn": f"{p}Attention", "mlp": f"{p}MLP", "norm": f"{p}RMSNorm"}
        return self.classes.get(key, usual[key])

    def name(self, key: str) -> str:
        return self.names.get(key, NAMES[key])

    def check(self, v, filename):
        if v.get("head_dim") is None:
            _divides(v, self.heads, self.width, filename)
        if self.kv_heads_field and not self.mla:
            kv = self.kv_heads(v)
            h = v[self.heads]
            if isinstance(kv, sympy.Integer) and isinstance(h, sympy.Integer) and int(h) % int(kv):
                raise ConfigError(f"{self.kv_heads_field} = {kv} does not divide {self.heads} = {h}: each "
                                  "key/value head serves a whole group of query heads", filename)
        if self.moe:
            k, e = v[self.moe.per_token], v[self.moe.experts]
            if isinstance(k, sympy.Integer) and isinstance(e, sympy.Integer) and k > e:
                raise ConfigError(f"{self.moe.per_token} = {k} is more than {self.moe.experts} = {e}; a "
                                  "token is routed to at most every expert", filename)

    # ---- sizes ----
    def head_dim(self, v: Values):
        if v.get("head_dim") is not None:
            return v["head_dim"]
        return v[self.width] / v[self.heads]

    def kv_heads(self, v: Values):
        if self.kv_heads_field is None or v.get(self.kv_heads_field) is None:
            return v[self.heads]
        return v[self.kv_heads_field]

    def ff_size(self, v: Values):
        """The MLP's width; a family whose file leaves it out takes 4·width (GPT-J's n_inner)."""
        value = v.get(self.ff)
        return 4 * v[self.width] if value is None else value

    # ---- the parts ----
    def make_norm(self, v: Values, width) -> Module:
        kind = on(v, self.norm) if callable(self.norm) else self.norm
        if kind == "rms":
            return RMSNorm(width, self.cls("norm"))
        # torch's own nn.LayerNorm unless the family's file defines one (CohereLayerNorm)
        return _named(nn.LayerNorm(width, elementwise_affine=kind != "none", bias=kind == "layer"),
                      self.classes.get("norm"))

    def attention(self, v: Values, i: int) -> Module:
        if self.mla:
            return self.latent_attention(v)
        d, hd, h, kv = v[self.width], self.head_dim(v), v[self.heads], self.kv_heads(v)
        qkv_bias, o_bias = bool(on(v, self.qkv_bias)), bool(on(v, self.o_bias))
        a = Built(self.cls("attn"))
        if on(v, self.fused_qkv):
            setattr(a, self.name("qkv"), nn.Linear(d, (h + 2 * kv) * hd, bias=qkv_bias))
        else:
            for key, n in (("q", h), ("k", kv), ("v", kv)):
                setattr(a, self.name(key), nn.Linear(d, n * hd, bias=qkv_bias))
        setattr(a, self.name("o"), nn.Linear(h * hd, d, bias=o_bias))
        qk = on(v, self.qk_norm) if callable(self.qk_norm) else self.qk_norm
        if qk:
            for key, n in (("q_norm", h), ("k_norm", kv)):
                shape = {"head": hd, "full": n * hd, "heads": (n, hd)}[qk]
                setattr(a, self.name(key), self.make_norm(v, shape))
        return a

    def latent_attention(self, v: Values) -> Module:
        """DeepSeek's multi-head latent attention (``modeling_deepseek_v3.py``,
        ``DeepseekV3Attention``): queries through a low-rank ``q_a_proj``/``q_b_proj`` (or one
        ``q_proj`` when ``q_lora_rank`` is null), keys and values from one shared latent
        ``kv_a_proj_with_mqa`` (with the rotary part of the key) expanded by ``kv_b_proj``."""
        d, h = v[self.width], v[self.heads]
        nope, rope, vd = v["qk_nope_head_dim"], v["qk_rope_head_dim"], v["v_head_dim"]
        bias = bool(v["attention_bias"])
        a = Built(self.cls("attn"))
        if v["q_lora_rank"] is None:
            a.q_proj = nn.Linear(d, h * (nope + rope), bias=False)
        else:
            a.q_a_proj = nn.Linear(d, v["q_lora_rank"], bias=bias)
            a.q_a_layernorm = self.make_norm(v, v["q_lora_rank"])
            a.q_b_proj = nn.Linear(v["q_lora_rank"], h * (nope + rope), bias=False)
        a.kv_a_proj_with_mqa = nn.Linear(d, v["kv_lora_rank"] + rope, bias=bias)
        a.kv_a_layernorm = self.make_norm(v, v["kv_lora_rank"])
        a.kv_b_proj = nn.Linear(v["kv_lora_rank"], h * (nope + vd), bias=False)
        a.o_proj = nn.Linear(h * vd, d, bias=bias)
        return a

    def mlp_parts(self, v: Values, ff, class_name: Optional[str] = None) -> Module:
        d = v[self.width]
        up_bias = bool(on(v, self.mlp_bias))
        down_bias = up_bias if self.down_bias is None else bool(on(v, self.down_bias))
        m = Built(class_name or self.cls("mlp"))
        if not on(v, self.gated):
            setattr(m, self.name("up"), nn.Linear(d, ff, bias=up_bias))
        elif self.fused_gate_up:
            setattr(m, self.name("gate_up"), nn.Linear(d, 2 * ff, bias=up_bias))
        else:
            setattr(m, self.name("gate"), nn.Linear(d, ff, bias=up_bias))
            setattr(m, self.name("up"), nn.Linear(d, ff, bias=up_bias))
        setattr(m, self.name("down"), nn.Linear(ff, d, bias=down_bias))
        return m

    def sparse(self, v: Values, i) -> bool:
        """Whether layer ``i`` routes to experts (else it keeps a dense MLP)."""
        moe = self.moe
        if moe is None:
            return False
        if moe.dense_first and i < v[moe.dense_first]:
            return False
        if moe.dense_layers and i in v[moe.dense_layers]:
            return False
        if moe.step:
            return (i + 1) % v[moe.step] == 0
        return True

    def experts(self, v: Values) -> Module:
        moe, d = self.moe, v[self.width]
        e, ff = v[moe.experts], v[moe.ff]
        block = Built(self.prefix + moe.block_class)
        router = Built(self.prefix + moe.router_class)
        router.weight = Parameter((e, d))
        experts = Built(self.prefix + "Experts")
        experts.gate_up_proj = Parameter((e, 2 * ff, d))
        experts.down_proj = Parameter((e, d, ff))
        setattr(block, moe.router, router)
        block.experts = experts
        if moe.shared:
            setattr(block, moe.shared, self.mlp_parts(v, on(v, moe.shared_ff), self.cls("mlp")))
        if moe.shared_gate:
            setattr(block, moe.shared_gate, nn.Linear(d, 1, bias=False))
        return block

    def layer(self, v: Values, i) -> Module:
        layer = Built(self.cls("layer"))
        setattr(layer, self.name("attn"), self.attention(v, i))
        if self.sparse(v, i):
            setattr(layer, self.moe.block, self.experts(v))
        elif self.mlp_inline:
            for key, m in self.mlp_parts(v, self.ff_size(v))._modules.items():
                setattr(layer, key, m)
        else:
            setattr(layer, self.name("mlp"), self.mlp_parts(v, self.ff_size(v)))
        norms = on(v, self.layer_norms) if callable(self.layer_norms) else self.layer_norms
        for name in norms:
            setattr(layer, name, self.make_norm(v, v[self.width]))
        return layer

    def layer_stack(self, v: Values) -> Module:
        n = v[self.depth_field]
        moe = self.moe
        if moe and moe.dense_first and not isinstance(n, sympy.Integer):
            # the dense layers first, then one stacked block of the sparse ones
            first = v[moe.dense_first]
            if not isinstance(first, sympy.Integer):
                raise ConfigError(f"--symbolic {moe.dense_first}: the number of dense layers must be a number "
                                  "(each is built as its own module)")
            out = ModuleList([self.layer(v, i) for i in range(int(first))])
            out.add_module("*", Stacked(self.layer(v, int(first)), sympy.expand(n - first), self.depth_field))
            return out
        if moe and moe.step and not isinstance(n, sympy.Integer) and v[moe.step] != 1:
            raise ConfigError(f"--symbolic {self.depth_field}: with {moe.step} = {v[moe.step]} only some layers "
                              "are sparse, so each layer is built on its own; give the depth a number")
        if moe and moe.dense_layers and not isinstance(n, sympy.Integer) and v[moe.dense_layers]:
            raise ConfigError(f"--symbolic {self.depth_field}: {moe.dense_layers} makes some layers dense, so "
                              "each layer is built on its own; give the depth a number")
        return stack(lambda i: self.layer(v, i), n, self.depth_field)

    def body(self, v: Values) -> Module:
        d = v[self.width]
        body = Built(self.cls("model"))
        setattr(body, self.name("embed"), nn.Embedding(v[self.vocab], d))
        if self.embed_norm:
            setattr(body, self.name("embed_norm"), self.make_norm(v, d))
        if self.positions:
            setattr(body, self.name("positions"),
                    nn.Embedding(v[self.positions] + self.position_offset, d))
        setattr(body, self.name("layers"), self.layer_stack(v))
        if self.final_norm:
            setattr(body, self.name("norm"), self.make_norm(v, d))
        return body

    def embedding(self, body: Module) -> Module:
        """The token embedding a tied head shares."""
        return getattr(body, self.name("embed"))

    def output_width(self, v: Values):
        """The width the heads read (OPT projects back to word_embed_proj_dim first)."""
        return v[self.width]

    def build(self, v, architecture):
        body = self.body(v)
        if architecture == self.cls("model"):
            return body
        d = self.output_width(v)
        if architecture == self.cls("causal"):
            model = Built(architecture)
            setattr(model, self.name("body"), body)
            head = nn.Linear(d, v[self.vocab], bias=bool(on(v, self.head_bias)))
            setattr(model, self.name("head"), head)
            if on(v, self.tied):
                head.weight = self.embedding(body).weight
            return model
        labels = v["num_labels"]
        key, out, bias = {"ForSequenceClassification": ("seq", labels, False),
                          "ForTokenClassification": ("token", labels, True),
                          "ForQuestionAnswering": ("qa", 2, True)}[next(h for h in HEADS if architecture.endswith(h))]
        model = Built(architecture)
        setattr(model, self.name(f"{key}_body"), body)
        setattr(model, self.name(f"{key}_head"), nn.Linear(d, out, bias=self.head_has_bias(key, bias)))
        return model

    def head_has_bias(self, key: str, usual: bool) -> bool:
        return usual

    def dims(self, v):
        hd = ("head_dim", v["head_dim"]) if v.get("head_dim") is not None else \
            (f"{self.width}/{self.heads}", self.head_dim(v))
        kv_field = self.kv_heads_field if self.kv_heads_field and v.get(self.kv_heads_field) is not None \
            else self.heads
        base = Dims((self.width, v[self.width]), (self.depth_field, v[self.depth_field]), (self.heads, v[self.heads]),
                    (kv_field, self.kv_heads(v)), hd,
                    (self.ff, self.ff_size(v)) if v.get(self.ff) is not None else (f"4·{self.width}", self.ff_size(v)),
                    (self.vocab, v[self.vocab]), (self.context, v.get(self.context) or sympy.Integer(2048)),
                    (self.depth_field, v[self.depth_field]))
        if self.moe:
            base = replace(base, experts=(self.moe.experts, v[self.moe.experts]),
                           experts_per_token=(self.moe.per_token, v[self.moe.per_token]))
        return base


def _named(module: Module, class_name: Optional[str]) -> Module:
    """A torch module under the class name its family's file gives it (``CohereLayerNorm``)."""
    if class_name is not None:
        object.__setattr__(module, "class_name", class_name)
    return module
