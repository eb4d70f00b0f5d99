"""The transformer families a ``config.json`` can describe, one class each: its config
class's fields and defaults, the model classes it builds, and how it builds them from the
family's own layers, named as ``transformers`` names them.

Each family answers, by method lookup, everything that depends on it:

- ``fields``: the config class's fields and defaults
  (``transformers/models/<family>/configuration_<family>.py``);
- ``check(values)``: what the config class and the model code require of the sizes;
- ``build(values, architecture)``: the model as :mod:`symparams.pytorch` modules, with the
  parameter names and shapes of ``modeling_<family>.py`` (``model.layers.0.self_attn.q_proj.weight``);
- ``dims(values)``: the sizes the papers' arithmetic uses (width, depth, heads, context...),
  each with the field it comes from.

The counts are checked against real ``transformers`` (``tools/record_transformers_fixtures.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

import sympy

from ..pytorch import layers as nn_layers
from ..pytorch import nn
from ..pytorch.containers import ModuleList, Stacked
from ..pytorch.module import Module, Parameter, UserModule
from .fields import FLAG, NUMBER, SIZE, TEXT, ConfigError, Field, Values

#: a numeric depth above this is built as one stacked block, not one module per layer
#: (the count is the same; it keeps a 1,000-layer config fast)
MOST_LAYERS_BUILT = 256


class Built(UserModule):
    """A module of a ``transformers`` class, known by its name (``LlamaDecoderLayer``)."""

    def __init__(*args, **children):
        # ``self`` is positional only: BertAttention has a child named "self"
        me, class_name = args
        UserModule.__init__(me, class_name)
        for name, child in children.items():
            setattr(me, name, child)


class Conv1D(Module):
    """GPT-2's ``Conv1D`` (``transformers/pytorch_utils.py``): a linear layer whose weight is
    stored transposed, ``(nx, nf)``, with a bias of ``nf``."""

    described_by = ("in_features", "out_features")
    #: its weight is (in, out), the transpose of nn.Linear's
    kernel_out_first = False

    def __init__(self, nf, nx):
        super().__init__()
        self.in_features, self.out_features = nx, nf
        self.weight = Parameter((nx, nf))
        self.bias = Parameter((nf,))

    prose = "hf_conv1d"

    def textbook(self):
        from ..core.formula import add, mul
        from ..keras.layers.textbook import Textbook, arg
        t = Textbook()
        t.formula = mul(t.q("n_out", self.out_features, arg("nf")), add(t.q("n_in", self.in_features, arg("nx")), 1))
        return t


class RMSNorm(nn_layers.RMSNorm):
    """The families' own RMSNorm (``LlamaRMSNorm(hidden_size)``, ``T5LayerNorm``...): PyTorch's
    RMSNorm over one axis, a weight and no bias, under the family's class name."""

    argument = "hidden_size"

    def __init__(self, hidden_size, class_name: Optional[str] = None):
        super().__init__((hidden_size,))
        if class_name is not None:
            object.__setattr__(self, "class_name", class_name)


def stack(make: Callable[[int], Module], n, field: str, first: int = 0) -> Module:
    """Layers ``first`` … ``n - 1`` as ``modeling_*.py`` makes them (a ``ModuleList`` from index
    ``first``); a free ``n`` gives one :class:`Stacked` block counted ``n - first`` times."""
    if isinstance(n, sympy.Integer) and int(n) <= MOST_LAYERS_BUILT:
        out = ModuleList()
        for i in range(first, int(n)):
            out.add_module(str(i), make(i))
        return out
    return Stacked(make(first), sympy.expand(n - first), field)


@dataclass(frozen=True)
class Dims:
    """The sizes of the scaling papers' arithmetic, each as (the config field, its value)."""

    d_model: tuple
    n_layer: tuple                  # layers with attention over the sequence (and a KV cache)
    n_heads: tuple
    n_kv_heads: tuple
    head_dim: tuple
    d_ff: tuple
    vocab: tuple
    n_ctx: tuple
    #: attention blocks per token in the whole model (T5's decoder has two per layer)
    attention_blocks: tuple = ()
    experts: Optional[tuple] = None
    experts_per_token: Optional[tuple] = None
    #: whether the model caches keys and values when it generates (decoders)
    caches: bool = True
    #: whether it has attention at all (a state-space model has none: no attention FLOPs,
    #: KV cache or transformer-layer activations apply)
    attends: bool = True
    #: multi-head latent attention (DeepSeek): its cache is not 2·n_kv_heads·d_head a token
    latent: bool = False


class Family:
    """A transformer family (``model_type``) and the model classes it builds."""

    model_type: str = ""
    #: the config class's fields
    fields: tuple = ()
    #: the model classes this family builds; the first is used when the file names none
    architectures: tuple = ()
    #: the field that counts the layers (left free, the layers are one stacked block)
    depth_field: str = "num_hidden_layers"
    #: the labels a classification head has when the file gives no id2label (PretrainedConfig: 2)
    labels: int = 2

    def check(self, v: Values, filename: str) -> None:
        heads = self.heads_field()
        width = self.width_field()
        if heads and width and v.get("head_dim") is None:
            _divides(v, heads, width, filename)

    def width_field(self) -> str:
        return "hidden_size"

    def heads_field(self) -> str:
        return "num_attention_heads"

    def multiple_for(self, v: Values, field: str) -> int:
        """What a value of ``field`` must be a multiple of for the config to stay valid: the
        width, of the head count, when each head takes width / heads features."""
        heads = v.get(self.heads_field())
        if field == self.width_field() and v.get("head_dim") is None and isinstance(heads, sympy.Integer):
            return int(heads)
        return 1

    def build(self, v: Values, architecture: str) -> Module:
        raise NotImplementedError

    def dims(self, v: Values) -> Dims:
        raise NotImplementedError

    def notes(self, v: Values, architecture: str) -> list:
        """What the summary should say about this family's counting (tied weights...)."""
        return []


def _divides(v: Values, heads: str, width: str, filename: str) -> None:
    h, d = v[heads], v[width]
    if isinstance(h, sympy.Integer) and isinstance(d, sympy.Integer) and int(d) % int(h):
        raise ConfigError(f"{heads} = {h} does not divide {width} = {d}: each head takes "
                          f"{width} / {heads} features; choose a {width} that is a multiple of {h}",
                          filename)


def differ(v: Values, a: str, b: str, what: str) -> bool:
    """Whether sizes ``a`` and ``b`` differ, when that decides a module's existence (OPT's
    project_in when word_embed_proj_dim is not hidden_size); left undecided by free sizes,
    a one-line error rather than a count that is right for only some values."""
    d = sympy.simplify(v[a] - v[b])
    if d.is_zero is None:
        free = ", ".join(sorted(x.name for x in d.free_symbols))
        def said(name):
            return f"{name} = {v[name]}" if v[name].is_number else name
        raise ConfigError(f"--symbolic {free}: whether {said(a)} equals {said(b)} decides {what}, so "
                          f"{free} cannot stay free in this file; give it a number")
    return not d.is_zero


def _f(name, default=None, kind=SIZE, **kw) -> Field:
    return Field(name, kind, default, **kw)


def _inherit(base: tuple, defaults: Optional[dict] = None, without: tuple = (), added: Optional[dict] = None) -> tuple:
    """A family's fields from the family its config class copies (``configuration_qwen2.py``
    is Llama's with other defaults): ``base``'s fields in their order, with other
    ``defaults``, those named in ``without`` left out, and each field of ``added`` after
    the field it is keyed by."""
    from dataclasses import replace
    defaults, added = defaults or {}, added or {}
    assert set(defaults) <= {f.name for f in base}, set(defaults) - {f.name for f in base}
    out = []
    for f in base:
        if f.name not in without:
            out.append(replace(f, default=defaults[f.name]) if f.name in defaults else f)
        if f.name in added:
            out.append(added[f.name])
    return tuple(out)


# ---- GPT-2: transformers/models/gpt2/{configuration,modeling}_gpt2.py ------------------------------
class GPT2(Family):
    model_type = "gpt2"
    architectures = ("GPT2LMHeadModel", "GPT2Model", "GPT2ForSequenceClassification", "GPT2ForTokenClassification",
                     "GPT2ForQuestionAnswering")
    depth_field = "n_layer"
    fields = (
        _f("vocab_size", 50257), _f("n_positions", 1024), _f("n_embd", 768), _f("n_layer", 12),
        _f("n_head", 12), _f("n_inner", None, derived="4 · n_embd"),
        _f("activation_function", "gelu_new", TEXT, counted=False),
        _f("layer_norm_epsilon", 1e-5, NUMBER, counted=False),
        _f("add_cross_attention", False, FLAG),
        _f("tie_word_embeddings", True, FLAG),
    )

    def width_field(self):
        return "n_embd"

    def heads_field(self):
        return "n_head"

    def build(self, v, architecture):
        d = v["n_embd"]
        inner = v["n_inner"] if v["n_inner"] is not None else 4 * d

        def block(i):
            b = Built("GPT2Block", ln_1=nn.LayerNorm(d),
                      attn=Built("GPT2Attention", c_attn=Conv1D(3 * d, d), c_proj=Conv1D(d, d)),
                      ln_2=nn.LayerNorm(d))
            if v["add_cross_attention"]:
                b.crossattention = Built("GPT2Attention", c_attn=Conv1D(2 * d, d), q_attn=Conv1D(d, d),
                                         c_proj=Conv1D(d, d))
                b.ln_cross_attn = nn.LayerNorm(d)
            b.mlp = Built("GPT2MLP", c_fc=Conv1D(inner, d), c_proj=Conv1D(d, inner))
            return b
        body = Built("GPT2Model", wte=nn.Embedding(v["vocab_size"], d), wpe=nn.Embedding(v["n_positions"], d),
                     h=stack(block, v["n_layer"], "n_layer"), ln_f=nn.LayerNorm(d))
        if architecture == "GPT2Model":
            return body
        labels = v["num_labels"]
        heads = {"GPT2ForSequenceClassification": ("score", nn.Linear(d, labels, bias=False)),
                 "GPT2ForTokenClassification": ("classifier", nn.Linear(d, labels)),
                 "GPT2ForQuestionAnswering": ("qa_outputs", nn.Linear(d, 2))}
        if architecture in heads:
            name, head = heads[architecture]
            model = Built(architecture, transformer=body)
            setattr(model, name, head)
            return model
        model = Built("GPT2LMHeadModel", transformer=body, lm_head=nn.Linear(d, v["vocab_size"], bias=False))
        if v["tie_word_embeddings"]:
            model.lm_head.weight = body.wte.weight
        return model

    def dims(self, v):
        d = v["n_embd"]
        inner = ("n_inner", v["n_inner"]) if v["n_inner"] is not None else ("4·n_embd", 4 * d)
        return Dims(("n_embd", d), ("n_layer", v["n_layer"]), ("n_head", v["n_head"]), ("n_head", v["n_head"]),
                    ("n_embd/n_head", d / v["n_head"]), inner, ("vocab_size", v["vocab_size"]),
                    ("n_positions", v["n_positions"]), ("n_layer", v["n_layer"]))


# ---- T5: transformers/models/t5/{configuration,modeling}_t5.py -----------------------------------------
class T5(Family):
    model_type = "t5"
    prefix = "T5"
    depth_field = "num_layers"
    fields = (
        _f("vocab_size", 32128), _f("d_model", 512), _f("d_kv", 64), _f("d_ff", 2048), _f("num_layers", 6),
        _f("num_decoder_layers", None, falls_back_to="num_layers"), _f("num_heads", 8),
        _f("relative_attention_num_buckets", 32),
        _f("relative_attention_max_distance", 128, counted=False),
        _f("feed_forward_proj", "relu", TEXT),
        _f("layer_norm_epsilon", 1e-6, NUMBER, counted=False),
        _f("n_positions", 512, counted=False),
        _f("tie_word_embeddings", True, FLAG),
    )

    def check(self, v, filename):
        proj = v["feed_forward_proj"].split("-")
        if len(proj) > 2 or (len(proj) == 2 and proj[0] != "gated"):
            raise ConfigError(f"field 'feed_forward_proj' must be an activation ('relu') or 'gated-' and "
                              f"one ('gated-gelu'), got {v['feed_forward_proj']!r}", filename)

    @property
    def architectures(self):
        return tuple(self.prefix + a for a in ("ForConditionalGeneration", "Model", "EncoderModel",
                                               "ForSequenceClassification", "ForTokenClassification",
                                               "ForQuestionAnswering"))

    def width_field(self):
        return "d_model"

    def heads_field(self):
        return "num_heads"

    def build(self, v, architecture):
        d, inner = v["d_model"], v["num_heads"] * v["d_kv"]
        gated = v["feed_forward_proj"].startswith("gated-")

        def attention(relative: bool):
            a = Built(f"{self.prefix}Attention", q=nn.Linear(d, inner, bias=False),
                      k=nn.Linear(d, inner, bias=False),
                      v=nn.Linear(d, inner, bias=False), o=nn.Linear(inner, d, bias=False))
            if relative:   # only the first block of each stack has the relative position buckets
                a.relative_attention_bias = nn.Embedding(v["relative_attention_num_buckets"], v["num_heads"])
            return a

        def feed_forward():
            if gated:
                dense = Built(f"{self.prefix}DenseGatedActDense", wi_0=nn.Linear(d, v["d_ff"], bias=False),
                              wi_1=nn.Linear(d, v["d_ff"], bias=False), wo=nn.Linear(v["d_ff"], d, bias=False))
            else:
                dense = Built(f"{self.prefix}DenseActDense", wi=nn.Linear(d, v["d_ff"], bias=False),
                              wo=nn.Linear(v["d_ff"], d, bias=False))
            return Built(f"{self.prefix}LayerFF", DenseReluDense=dense,
                         layer_norm=RMSNorm(d, f"{self.prefix}LayerNorm"))

        def block(decoder: bool):
            def make(i):
                layers = ModuleList([Built(f"{self.prefix}LayerSelfAttention", SelfAttention=attention(i == 0),
                                           layer_norm=RMSNorm(d, f"{self.prefix}LayerNorm"))])
                if decoder:
                    layers.append(Built(f"{self.prefix}LayerCrossAttention", EncDecAttention=attention(False),
                                        layer_norm=RMSNorm(d, f"{self.prefix}LayerNorm")))
                layers.append(feed_forward())
                return Built(f"{self.prefix}Block", layer=layers)
            return make

        def stack_of(decoder: bool, n, field):
            first = ModuleList([block(decoder)(0)])
            rest = stack(block(decoder), n, field, first=1)
            blocks = first
            if isinstance(rest, ModuleList):
                for name, m in rest._modules.items():
                    blocks.add_module(name, m)
            else:
                blocks.add_module("*", rest)
            return Built(f"{self.prefix}Stack", block=blocks, final_layer_norm=RMSNorm(d, f"{self.prefix}LayerNorm"))

        shared = nn.Embedding(v["vocab_size"], d)
        encoder = stack_of(False, v["num_layers"], "num_layers")
        # T5Stack.embed_tokens is the model's `shared` embedding (one tensor, counted once)
        encoder.embed_tokens = _tied_embedding(shared)
        p, labels = self.prefix, v["num_labels"]
        if architecture.endswith("EncoderModel"):
            return Built(architecture, shared=shared, encoder=encoder)
        if architecture.endswith("ForTokenClassification"):
            # modeling_t5.py: an encoder model under `transformer`, and a classifier
            return Built(architecture, transformer=Built(f"{p}EncoderModel", shared=shared, encoder=encoder),
                         classifier=nn.Linear(d, labels))
        decoder = stack_of(True, v["num_decoder_layers"], "num_decoder_layers")
        decoder.embed_tokens = _tied_embedding(shared)
        if architecture.endswith("Model"):
            return Built(architecture, shared=shared, encoder=encoder, decoder=decoder)
        if architecture.endswith("ForSequenceClassification"):
            return Built(architecture, transformer=Built(f"{p}Model", shared=shared, encoder=encoder, decoder=decoder),
                         classification_head=Built(f"{p}ClassificationHead", dense=nn.Linear(d, d),
                                                   out_proj=nn.Linear(d, labels)))
        if architecture.endswith("ForQuestionAnswering"):
            return Built(architecture, shared=shared, encoder=encoder, decoder=decoder,
                         qa_outputs=nn.Linear(d, labels))
        lm_head = nn.Linear(d, v["vocab_size"], bias=False)
        # transformers 5 ties T5's lm_head to `shared` whatever the file says: T5Config sets
        # tie_word_embeddings = True and keeps the file's false only to turn off the decoder
        # output scaling (configuration_t5.py, __post_init__)
        lm_head.weight = shared.weight
        return Built(architecture, shared=shared, encoder=encoder, decoder=decoder,
                     lm_head=lm_head)

    def notes(self, v, architecture):
        if architecture.endswith("ForConditionalGeneration") and v["tie_word_embeddings"] is False:
            return ["the file says tie_word_embeddings: false (a T5 v1.1 or FLAN-T5 checkpoint). transformers 5 "
                    "ties lm_head to shared for every T5 and reads that false only as 'do not scale the decoder "
                    "output' (configuration_t5.py), so lm_head is counted once; transformers 4 kept it separate, "
                    "which is why the model card's figure is larger by vocab_size · d_model"]
        return []

    def dims(self, v):
        n_enc, n_dec = v["num_layers"], v["num_decoder_layers"]
        return Dims(("d_model", v["d_model"]), ("num_decoder_layers", n_dec), ("num_heads", v["num_heads"]),
                    ("num_heads", v["num_heads"]), ("d_kv", v["d_kv"]),
                    ("d_ff", v["d_ff"]), ("vocab_size", v["vocab_size"]),
                    ("n_positions", v["n_positions"]),
                    ("num_layers + 2·num_decoder_layers", n_enc + 2 * n_dec))


def _tied_embedding(shared: Module) -> Module:
    e = nn.Embedding(shared.num_embeddings, shared.embedding_dim)
    e.weight = shared.weight
    return e


class MT5(T5):
    """``transformers/models/mt5``: T5 v1.1's layers (a gated GELU feed-forward) under MT5's
    names, with mT5's defaults (a 250,112-token vocabulary)."""

    model_type = "mt5"
    prefix = "MT5"
    fields = _inherit(T5.fields, {"vocab_size": 250112, "d_kv": 64, "d_ff": 1024, "num_layers": 8, "num_heads": 6,
                                  "feed_forward_proj": "gated-gelu"})
