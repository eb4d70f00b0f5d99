"""The decoder-only families as data for :class:`~symparams.configs.decoder.Decoder`: each
its config class's fields and defaults (``configuration_<family>.py``), the field each
size reads, ``transformers``' names (``modeling_<family>.py``) and its switches.

Adding a family: subclass the family its config copies (or ``Decoder``), set ``model_type``,
``prefix``, ``fields`` and what differs; add it to ``catalog.FAMILIES``; record a published
config and a small variant per switch (``tools/record_transformers_fixtures.py``).
"""

from __future__ import annotations

import sympy

from ..pytorch import nn
from ..pytorch.containers import ModuleList
from .decoder import Decoder, MoE
from .families import Built, _f, _inherit, differ
from .fields import FLAG, INDICES, NUMBER, TEXT, ConfigError

_EPS = dict(kind=NUMBER, counted=False)
_ACT = dict(kind=TEXT, counted=False)


# ---- Llama and its copies: transformers/models/llama/modeling_llama.py -------------------------------
class Llama(Decoder):
    """Grouped-query attention, a gated MLP, RMSNorm before attention and before the MLP."""

    model_type = "llama"
    prefix = "Llama"
    fields = (
        _f("vocab_size", 32000), _f("hidden_size", 4096), _f("intermediate_size", 11008),
        _f("num_hidden_layers", 32), _f("num_attention_heads", 32),
        _f("num_key_value_heads", None, falls_back_to="num_attention_heads"),
        _f("head_dim", None, derived="hidden_size / num_attention_heads"),
        _f("hidden_act", "silu", **_ACT), _f("max_position_embeddings", 2048),
        _f("rms_norm_eps", 1e-6, **_EPS),
        _f("tie_word_embeddings", False, FLAG),
        _f("attention_bias", False, FLAG), _f("mlp_bias", False, FLAG),
    )


class Mistral(Llama):
    """Llama's layers without biases, with a sliding window (compute and cache, not weights)."""

    model_type = "mistral"
    prefix = "Mistral"
    fields = _inherit(Llama.fields, {"intermediate_size": 14336, "num_key_value_heads": 8,
                                     "max_position_embeddings": 4096 * 32},
                      without=("attention_bias", "mlp_bias"),
                      added={"rms_norm_eps": _f("sliding_window", 4096, counted=False)})
    qkv_bias = o_bias = mlp_bias = False
    # MistralForQuestionAnswering keeps its body as `model` (Llama's is `transformer`)
    names = {"qa_body": "model"}


class Mixtral(Mistral):
    """Mistral's attention and, instead of one MLP, a router (``mlp.gate``) and
    ``num_local_experts`` gated experts, of which each token uses ``num_experts_per_tok``."""

    model_type = "mixtral"
    prefix = "Mixtral"
    fields = _inherit(Mistral.fields, without=("tie_word_embeddings",),
                      added={"sliding_window": _f("num_local_experts", 8)}) + \
        (_f("num_experts_per_tok", 2), _f("router_aux_loss_coef", 0.001, NUMBER, counted=False),
         _f("tie_word_embeddings", False, FLAG))
    moe = MoE("num_local_experts", ff="intermediate_size")


class Qwen2(Llama):
    """Llama's layers with biases on q, k and v (not o)."""

    model_type = "qwen2"
    prefix = "Qwen2"
    fields = _inherit(Llama.fields, {"vocab_size": 151936, "intermediate_size": 22016, "num_key_value_heads": 32,
                                     "max_position_embeddings": 32768},
                      without=("attention_bias", "mlp_bias"))
    qkv_bias, o_bias, mlp_bias = True, False, False


class Qwen3(Llama):
    """``modeling_qwen3.py``: Qwen2's layers without biases (``attention_bias``), an explicit
    ``head_dim`` and an RMSNorm over each head's queries and keys (``q_norm``, ``k_norm``)."""

    model_type = "qwen3"
    prefix = "Qwen3"
    fields = _inherit(Llama.fields, {"vocab_size": 151936, "intermediate_size": 22016, "head_dim": 128,
                                     "max_position_embeddings": 32768}, without=("mlp_bias",))
    mlp_bias = False
    qk_norm = "head"


class Granite(Llama):
    """``modeling_granite.py``: Llama's shapes; its multipliers (embedding, residual,
    attention, logits) are numbers in the config, not weights."""

    model_type = "granite"
    prefix = "Granite"
    fields = Llama.fields + tuple(_f(n, 1.0, **_EPS) for n in ("embedding_multiplier", "logits_scaling",
                                                              "residual_multiplier", "attention_multiplier"))


class Gemma(Llama):
    """``modeling_gemma.py``: an explicit ``head_dim`` (256 for 7B: 16 heads of 256 from a
    3,072 width), a tied head, no biases on the MLP."""

    model_type = "gemma"
    prefix = "Gemma"
    fields = _inherit(Llama.fields, {"vocab_size": 256000, "hidden_size": 3072, "intermediate_size": 24576,
                                     "num_hidden_layers": 28, "num_attention_heads": 16, "head_dim": 256,
                                     "max_position_embeddings": 8192, "tie_word_embeddings": True},
                      without=("mlp_bias",))
    mlp_bias = False


class Gemma2(Gemma):
    """``modeling_gemma2.py``: four norms a layer, before and after attention and the MLP."""

    model_type = "gemma2"
    prefix = "Gemma2"
    fields = _inherit(Gemma.fields, {"hidden_size": 2304, "intermediate_size": 9216, "num_hidden_layers": 26,
                                     "num_attention_heads": 8, "num_key_value_heads": 4})
    layer_norms = ("input_layernorm", "post_attention_layernorm", "pre_feedforward_layernorm",
                   "post_feedforward_layernorm")


class Gemma3Text(Gemma2):
    """``modeling_gemma3.py`` (``Gemma3ForCausalLM``, the text model): Gemma 2's four norms
    and a per-head RMSNorm on queries and keys."""

    model_type = "gemma3_text"
    prefix = "Gemma3"
    fields = _inherit(Gemma2.fields, {"vocab_size": 262208, "max_position_embeddings": 131072})
    classes = {"model": "Gemma3TextModel", "heads": "Gemma3Text"}
    qk_norm = "head"


class Olmo(Llama):
    """``modeling_olmo.py``: LayerNorms without weights (``OlmoLayerNorm``: no affine)."""

    model_type = "olmo"
    prefix = "Olmo"
    fields = _inherit(Llama.fields, {"vocab_size": 50304}, without=("rms_norm_eps", "mlp_bias"))
    norm = "none"
    mlp_bias = False
    classes = {"norm": "OlmoLayerNorm"}


class Olmo2(Olmo):
    """``modeling_olmo2.py``: RMSNorm after attention and after the MLP (none before), and
    q/k norms over all heads' features (``q_norm`` of width heads·head_dim)."""

    model_type = "olmo2"
    prefix = "Olmo2"
    fields = _inherit(Olmo.fields, added={"max_position_embeddings": _f("rms_norm_eps", 1e-5, **_EPS)})
    norm = "rms"
    classes = {}
    layer_norms = ("post_attention_layernorm", "post_feedforward_layernorm")
    qk_norm = "full"


class Cohere(Llama):
    """``modeling_cohere.py``: one LayerNorm a layer (attention and MLP in parallel), weight
    only; optional per-head q/k norms of shape (heads, head_dim); a tied head."""

    model_type = "cohere"
    prefix = "Cohere"
    fields = _inherit(Llama.fields, {"vocab_size": 256000, "hidden_size": 8192, "intermediate_size": 22528,
                                     "num_hidden_layers": 40, "num_attention_heads": 64,
                                     "max_position_embeddings": 8192, "tie_word_embeddings": True},
                      without=("rms_norm_eps", "mlp_bias"),
                      added={"attention_bias": _f("use_qk_norm", False, FLAG)})
    norm = "layer_weight"
    classes = {"norm": "CohereLayerNorm"}
    layer_norms = ("input_layernorm",)
    mlp_bias = False
    qk_norm = staticmethod(lambda v: "heads" if v["use_qk_norm"] else None)


class Phi3(Llama):
    """``modeling_phi3.py``: Llama's layer with q, k and v fused (``qkv_proj``) and the gate
    and up projections fused (``gate_up_proj``)."""

    model_type = "phi3"
    prefix = "Phi3"
    fields = _inherit(Llama.fields, {"vocab_size": 32064, "hidden_size": 3072, "intermediate_size": 8192,
                                     "max_position_embeddings": 4096, "rms_norm_eps": 1e-5},
                      without=("attention_bias", "mlp_bias"))
    qkv_bias = o_bias = mlp_bias = False
    fused_qkv = fused_gate_up = True


class StableLm(Llama):
    """``modeling_stablelm.py``: LayerNorm with bias, biases on q, k and v when
    ``use_qkv_bias``; with ``use_parallel_residual`` one norm a layer; ``qk_layernorm`` a
    LayerNorm (no bias) for each head (``StableLmLayerNormPerHead``)."""

    model_type = "stablelm"
    prefix = "StableLm"
    fields = _inherit(Llama.fields, {"vocab_size": 50304, "hidden_size": 2560, "intermediate_size": 6912,
                                     "max_position_embeddings": 4096},
                      without=("head_dim", "rms_norm_eps", "attention_bias", "mlp_bias"),
                      added={"tie_word_embeddings": _f("use_qkv_bias", False, FLAG)}) + (
        _f("qk_layernorm", False, FLAG), _f("use_parallel_residual", False, FLAG))
    norm = "layer"
    qkv_bias, o_bias, mlp_bias = "use_qkv_bias", False, False
    layer_norms = staticmethod(lambda v: ("input_layernorm",) if v["use_parallel_residual"]
                               else ("input_layernorm", "post_attention_layernorm"))

    def attention(self, v, i):
        a = super().attention(v, i)
        if v["qk_layernorm"]:
            for name, heads in (("q_layernorm", v[self.heads]), ("k_layernorm", self.kv_heads(v))):
                if not isinstance(heads, sympy.Integer):
                    raise ConfigError("qk_layernorm makes one LayerNorm for each head, so the head counts "
                                      "must be numbers, not left free")
                per_head = Built("StableLmLayerNormPerHead", norms=ModuleList(
                    [nn.LayerNorm(self.head_dim(v), bias=False) for _ in range(int(heads))]))
                setattr(a, name, per_head)
        return a


class Starcoder2(Llama):
    """``modeling_starcoder2.py``: a plain (not gated) MLP ``c_fc``/``c_proj``, LayerNorms,
    and biases everywhere when ``use_bias``; a tied head."""

    model_type = "starcoder2"
    prefix = "Starcoder2"
    fields = _inherit(Llama.fields, {"vocab_size": 49152, "hidden_size": 3072, "intermediate_size": 12288,
                                     "num_hidden_layers": 30, "num_attention_heads": 24, "num_key_value_heads": 2,
                                     "max_position_embeddings": 4096, "tie_word_embeddings": True},
                      without=("rms_norm_eps", "attention_bias", "mlp_bias"),
                      added={"tie_word_embeddings": _f("use_bias", True, FLAG)})
    norm = "layer"
    qkv_bias = o_bias = mlp_bias = "use_bias"
    gated = False
    names = {"up": "c_fc", "down": "c_proj"}


class Phi(Llama):
    """``modeling_phi.py``: one LayerNorm a layer (attention and MLP in parallel), biased
    projections, the output projection named ``dense``, a plain MLP ``fc1``/``fc2``, a final
    ``final_layernorm`` and a biased ``lm_head``; with ``qk_layernorm`` a LayerNorm over each head."""

    model_type = "phi"
    prefix = "Phi"
    fields = _inherit(Llama.fields, {"vocab_size": 51200, "hidden_size": 2048, "intermediate_size": 8192,
                                     "num_hidden_layers": 24},
                      without=("rms_norm_eps", "attention_bias", "mlp_bias"),
                      added={"tie_word_embeddings": _f("qk_layernorm", False, FLAG)})
    norm = "layer"
    layer_norms = ("input_layernorm",)
    qkv_bias = o_bias = mlp_bias = True
    gated = False
    head_bias = True
    qk_norm = staticmethod(lambda v: "head" if v["qk_layernorm"] else None)
    names = {"o": "dense", "up": "fc1", "down": "fc2", "norm": "final_layernorm", "q_norm": "q_layernorm",
             "k_norm": "k_layernorm"}


# ---- families with their own names ------------------------------------------------------------------
class GPTNeoX(Decoder):
    """``modeling_gpt_neox.py``: fused, biased ``query_key_value``; a plain MLP; LayerNorms;
    an untied ``lm_head`` (transformers 4 named it ``embed_out``)."""

    model_type = "gpt_neox"
    prefix = "GPTNeoX"
    fields = (
        _f("vocab_size", 50432), _f("hidden_size", 6144), _f("num_hidden_layers", 44),
        _f("num_attention_heads", 64), _f("intermediate_size", 24576), _f("hidden_act", "gelu", **_ACT),
        _f("max_position_embeddings", 2048), _f("layer_norm_eps", 1e-5, **_EPS),
        _f("tie_word_embeddings", False, FLAG), _f("use_parallel_residual", True, FLAG, counted=False),
        _f("attention_bias", True, FLAG),
    )
    kv_heads_field = None
    norm = "layer"
    fused_qkv = True
    mlp_bias = True
    gated = False
    classes = {"layer": "GPTNeoXLayer"}
    names = {"body": "gpt_neox", "embed": "embed_in", "norm": "final_layer_norm", "attn": "attention",
             "qkv": "query_key_value", "o": "dense", "up": "dense_h_to_4h", "down": "dense_4h_to_h",
             "seq_body": "gpt_neox", "token_body": "gpt_neox", "token_head": "classifier",
             "qa_body": "gpt_neox"}


class GPTJ(Decoder):
    """``modeling_gptj.py``: one LayerNorm a block (attention and MLP in parallel), unbiased
    q, k, v and ``out_proj``, a biased plain MLP ``fc_in``/``fc_out`` of ``n_inner`` (4·n_embd
    when null), a biased ``lm_head``."""

    model_type = "gptj"
    prefix = "GPTJ"
    depth_field = "n_layer"
    width, heads, ff, context = "n_embd", "n_head", "n_inner", "n_positions"
    fields = (
        _f("vocab_size", 50400), _f("n_positions", 2048, aliases=("max_position_embeddings",)),
        _f("n_embd", 4096, aliases=("hidden_size",)), _f("n_layer", 28, aliases=("num_hidden_layers",)),
        _f("n_head", 16, aliases=("num_attention_heads",)), _f("rotary_dim", 64, counted=False),
        _f("n_inner", None, derived="4 · n_embd"), _f("activation_function", "gelu_new", **_ACT),
        _f("layer_norm_epsilon", 1e-5, **_EPS), _f("tie_word_embeddings", False, FLAG),
    )
    kv_heads_field = None
    norm = "layer"
    layer_norms = ("ln_1",)
    qkv_bias = o_bias = False
    mlp_bias = True
    gated = False
    head_bias = True
    heads_defined = ("ForSequenceClassification", "ForQuestionAnswering")
    classes = {"layer": "GPTJBlock"}
    names = {"body": "transformer", "embed": "wte", "layers": "h", "norm": "ln_f", "attn": "attn",
             "o": "out_proj", "up": "fc_in", "down": "fc_out", "seq_body": "transformer"}


class GPTBigCode(Decoder):
    """``modeling_gpt_bigcode.py``: GPT-2's block as ``nn.Linear`` (``c_attn`` fused, with one
    key/value head when ``multi_query``), learned positions ``wpe``, a tied head."""

    model_type = "gpt_bigcode"
    prefix = "GPTBigCode"
    depth_field = "n_layer"
    width, heads, ff, context = "n_embd", "n_head", "n_inner", "n_positions"
    fields = (
        _f("vocab_size", 50257), _f("n_positions", 1024, aliases=("max_position_embeddings",)),
        _f("n_embd", 768, aliases=("hidden_size",)), _f("n_layer", 12, aliases=("num_hidden_layers",)),
        _f("n_head", 12, aliases=("num_attention_heads",)), _f("n_inner", None, derived="4 · n_embd"),
        _f("activation_function", "gelu_pytorch_tanh", **_ACT), _f("layer_norm_epsilon", 1e-5, **_EPS),
        _f("multi_query", True, FLAG), _f("tie_word_embeddings", True, FLAG),
    )
    kv_heads_field = None
    norm = "layer"
    layer_norms = ("ln_1", "ln_2")
    fused_qkv = True
    qkv_bias = o_bias = mlp_bias = True
    gated = False
    positions = "n_positions"
    classes = {"layer": "GPTBigCodeBlock"}
    names = {"body": "transformer", "embed": "wte", "positions": "wpe", "layers": "h", "norm": "ln_f",
             "attn": "attn", "qkv": "c_attn", "o": "c_proj", "up": "c_fc", "down": "c_proj",
             "seq_body": "transformer", "token_body": "transformer", "token_head": "classifier"}
    heads_defined = ("ForSequenceClassification", "ForTokenClassification")

    def kv_heads(self, v):
        # modeling_gpt_bigcode.py: kv_heads = 1 if multi_query else num_heads
        return sympy.Integer(1) if v["multi_query"] else v["n_head"]


class Bloom(Decoder):
    """``modeling_bloom.py``: ALiBi (no position weights), a LayerNorm right after the word
    embedding, fused biased ``query_key_value``, a plain MLP of 4·hidden_size, a tied head."""

    model_type = "bloom"
    prefix = "Bloom"
    depth_field = "n_layer"
    heads = "n_head"
    fields = (
        _f("vocab_size", 250880), _f("hidden_size", 64, aliases=("n_embed",)),
        _f("n_layer", 2, aliases=("num_hidden_layers",)), _f("n_head", 8, aliases=("num_attention_heads",)),
        _f("layer_norm_epsilon", 1e-5, **_EPS), _f("tie_word_embeddings", True, FLAG),
    )
    kv_heads_field = None
    ff = "4·hidden_size"
    context = "seq_length"
    norm = "layer"
    embed_norm = True
    fused_qkv = True
    qkv_bias = o_bias = mlp_bias = True
    gated = False
    classes = {"layer": "BloomBlock"}
    names = {"body": "transformer", "embed": "word_embeddings", "embed_norm": "word_embeddings_layernorm",
             "layers": "h", "norm": "ln_f", "attn": "self_attention", "qkv": "query_key_value", "o": "dense",
             "up": "dense_h_to_4h", "down": "dense_4h_to_h", "seq_body": "transformer",
             "token_body": "transformer", "token_head": "classifier"}


class Falcon(Decoder):
    """``modeling_falcon.py``: fused ``query_key_value`` over ``num_attention_heads`` query
    heads and the key/value heads (``num_kv_heads`` with ``new_decoder_architecture``, else 1
    with ``multi_query``, else all); attention and MLP in parallel (``parallel_attn``) after
    one LayerNorm, or two (``ln_attn``, ``ln_mlp``) in the new architecture; ``bias`` on every
    linear layer; ALiBi or rotary positions, neither with weights."""

    model_type = "falcon"
    prefix = "Falcon"
    fields = (
        _f("vocab_size", 65024), _f("hidden_size", 4544), _f("num_hidden_layers", 32),
        _f("num_attention_heads", 71), _f("num_ln_in_parallel_attn", None, derived="2 in the new architecture", structural=True),
        _f("layer_norm_epsilon", 1e-5, **_EPS),
        _f("num_kv_heads", None, falls_back_to="num_attention_heads"),
        _f("alibi", False, FLAG, counted=False), _f("new_decoder_architecture", False, FLAG),
        _f("multi_query", True, FLAG), _f("parallel_attn", True, FLAG), _f("bias", False, FLAG),
        _f("max_position_embeddings", 2048), _f("ffn_hidden_size", None, derived="4 · hidden_size"),
        _f("tie_word_embeddings", True, FLAG),
    )
    kv_heads_field = "num_kv_heads"
    ff = "ffn_hidden_size"
    norm = "layer"
    fused_qkv = True
    qkv_bias = o_bias = mlp_bias = "bias"
    gated = False
    names = {"body": "transformer", "embed": "word_embeddings", "layers": "h", "norm": "ln_f",
             "attn": "self_attention", "qkv": "query_key_value", "o": "dense", "up": "dense_h_to_4h",
             "down": "dense_4h_to_h", "seq_body": "transformer", "token_body": "transformer",
             "token_head": "classifier"}

    def kv_heads(self, v):
        if v["new_decoder_architecture"] or not v["multi_query"]:
            return v["num_kv_heads"]
        return sympy.Integer(1)

    @staticmethod
    def layer_norms(v):
        if not v["parallel_attn"]:
            return ("input_layernorm", "post_attention_layernorm")
        parallel = v["num_ln_in_parallel_attn"]
        if parallel is None and v["new_decoder_architecture"]:
            parallel = 2
        return ("ln_attn", "ln_mlp") if parallel == 2 else ("input_layernorm",)


class OPT(Decoder):
    """``modeling_opt.py``: learned positions with 2 extra rows (``OPTLearnedPositionalEmbedding``:
    offset 2), the MLP's ``fc1``/``fc2`` in the layer itself, LayerNorms, biases when
    ``enable_bias``; a ``word_embed_proj_dim`` unlike the width adds ``project_in`` and
    ``project_out``; the final LayerNorm only with ``do_layer_norm_before``."""

    model_type = "opt"
    prefix = "OPT"
    fields = (
        _f("vocab_size", 50272), _f("hidden_size", 768), _f("num_hidden_layers", 12), _f("ffn_dim", 3072),
        _f("max_position_embeddings", 2048), _f("do_layer_norm_before", True, FLAG),
        _f("_remove_final_layer_norm", False, FLAG),
        _f("word_embed_proj_dim", None, falls_back_to="hidden_size"), _f("num_attention_heads", 12),
        _f("activation_function", "relu", **_ACT), _f("enable_bias", True, FLAG),
        _f("layer_norm_elementwise_affine", True, FLAG), _f("tie_word_embeddings", True, FLAG),
    )
    kv_heads_field = None
    ff = "ffn_dim"
    norm = staticmethod(lambda v: "layer" if v["layer_norm_elementwise_affine"] else "none")
    layer_norms = ("self_attn_layer_norm", "final_layer_norm")
    qkv_bias = o_bias = mlp_bias = "enable_bias"
    gated = False
    mlp_inline = True
    positions, position_offset = "max_position_embeddings", 2
    classes = {"model": "OPTModel"}
    names = {"o": "out_proj", "up": "fc1", "down": "fc2", "norm": "final_layer_norm", "qa_body": "model"}
    heads_defined = ("ForSequenceClassification", "ForQuestionAnswering")

    def body(self, v):
        # OPTDecoder inside OPTModel; the embedding is word_embed_proj_dim wide
        d, e = v["hidden_size"], v["word_embed_proj_dim"]
        decoder = Built("OPTDecoder", embed_tokens=nn.Embedding(v["vocab_size"], e))
        positions = nn.Embedding(v["max_position_embeddings"] + 2, d)
        object.__setattr__(positions, "class_name", "OPTLearnedPositionalEmbedding")
        decoder.embed_positions = positions
        if differ(v, "word_embed_proj_dim", "hidden_size", "whether OPT has project_in and project_out"):
            decoder.project_out = nn.Linear(d, e, bias=False)
            decoder.project_in = nn.Linear(e, d, bias=False)
        if v["do_layer_norm_before"] and not v["_remove_final_layer_norm"]:
            decoder.final_layer_norm = self.make_norm(v, d)
        decoder.layers = self.layer_stack(v)
        return Built("OPTModel", decoder=decoder)

    def output_width(self, v):
        return v["word_embed_proj_dim"]

    def embedding(self, body):
        return body.decoder.embed_tokens


# ---- mixtures of experts -------------------------------------------------------------------------------------
class Qwen2Moe(Qwen2):
    """``modeling_qwen2_moe.py``: Qwen2's attention (``qkv_bias``); each ``decoder_sparse_step``-th
    layer a mixture of ``num_experts`` with a shared expert and its sigmoid gate; the others
    a dense MLP."""

    model_type = "qwen2_moe"
    prefix = "Qwen2Moe"
    fields = _inherit(Qwen2.fields, {"hidden_size": 2048, "intermediate_size": 5632, "num_hidden_layers": 24,
                                     "num_attention_heads": 16, "num_key_value_heads": 16}) + (
        _f("decoder_sparse_step", 1, structural=True), _f("moe_intermediate_size", 1408), _f("shared_expert_intermediate_size", 5632),
        _f("num_experts_per_tok", 4), _f("num_experts", 60), _f("qkv_bias", True, FLAG),
        _f("mlp_only_layers", (), INDICES))
    qkv_bias = "qkv_bias"
    names = {"qa_body": "model"}
    # modeling_qwen2_moe.py: a layer is sparse if not in mlp_only_layers and (i + 1) % step == 0
    moe = MoE("num_experts", shared="shared_expert", shared_ff="shared_expert_intermediate_size",
              shared_gate="shared_expert_gate", step="decoder_sparse_step", dense_layers="mlp_only_layers")


class Qwen3Moe(Qwen3):
    """``modeling_qwen3_moe.py``: Qwen3's attention and a mixture of ``num_experts`` (the
    config's ``num_local_experts``) in every ``decoder_sparse_step``-th layer, no shared expert."""

    model_type = "qwen3_moe"
    prefix = "Qwen3Moe"
    fields = _inherit(Qwen3.fields, {"hidden_size": 2048, "intermediate_size": 6144, "num_hidden_layers": 24,
                                     "num_key_value_heads": 4, "head_dim": None}) + (
        _f("decoder_sparse_step", 1, structural=True), _f("moe_intermediate_size", 768), _f("num_experts_per_tok", 8),
        _f("num_local_experts", 128, aliases=("num_experts",)), _f("mlp_only_layers", (), INDICES))
    moe = MoE("num_local_experts", step="decoder_sparse_step", dense_layers="mlp_only_layers")


class Olmoe(Olmo2):
    """``modeling_olmoe.py``: OLMo 2's full-width q/k norms, RMSNorm before attention and MLP,
    and ``num_experts`` gated experts of ``intermediate_size`` in every layer."""

    model_type = "olmoe"
    prefix = "Olmoe"
    fields = _inherit(Olmo2.fields, {"hidden_size": 2048, "intermediate_size": 2048, "num_hidden_layers": 16,
                                     "num_attention_heads": 16, "max_position_embeddings": 4096}) + (
        _f("num_experts_per_tok", 8), _f("num_experts", 64, aliases=("num_local_experts",)))
    layer_norms = Llama.layer_norms
    moe = MoE("num_experts", ff="intermediate_size")


class GraniteMoe(Granite):
    """``modeling_granitemoe.py``: Granite's layer with ``block_sparse_moe`` (a ``router``
    and ``num_local_experts`` experts of ``intermediate_size``) in place of the MLP."""

    model_type = "granitemoe"
    prefix = "GraniteMoe"
    fields = _inherit(Granite.fields, without=("mlp_bias",)) + (
        _f("num_local_experts", 8), _f("num_experts_per_tok", 2))
    mlp_bias = False
    moe = MoE("num_local_experts", ff="intermediate_size", block="block_sparse_moe", router="router",
              block_class="MoE")


class DeepseekV2(Llama):
    """``modeling_deepseek_v2.py``: multi-head latent attention; from layer
    ``first_k_dense_replace`` on, ``n_routed_experts`` experts of ``moe_intermediate_size``
    and shared experts ``n_shared_experts`` times as wide; before it, dense MLPs."""

    model_type = "deepseek_v2"
    prefix = "DeepseekV2"
    fields = _inherit(Llama.fields, {"vocab_size": 102400, "head_dim": 64}) + (
        _f("first_k_dense_replace", 0, structural=True), _f("kv_lora_rank", 512), _f("q_lora_rank", 1536, nullable=True),
        _f("n_routed_experts", 64), _f("n_shared_experts", 2), _f("qk_nope_head_dim", 128),
        _f("qk_rope_head_dim", 64), _f("v_head_dim", 128), _f("num_experts_per_tok", None, nullable=True),
        _f("moe_intermediate_size", 1407))
    mla = True
    classes = {"mlp": "DeepseekV2MLP"}
    moe = MoE("n_routed_experts", shared="shared_experts", block_class="Moe", router_class="TopkRouter",
              shared_ff=lambda v: v["moe_intermediate_size"] * v["n_shared_experts"],
              dense_first="first_k_dense_replace")

    def check(self, v, filename):
        if v["num_experts_per_tok"] is not None:
            super().check(v, filename)

    def dims(self, v):
        from dataclasses import replace
        base = super().dims(v)
        return replace(base, latent=True, head_dim=("qk_nope_head_dim + qk_rope_head_dim",
                                       v["qk_nope_head_dim"] + v["qk_rope_head_dim"]),
                       experts_per_token=None if v["num_experts_per_tok"] is None else base.experts_per_token,
                       experts=None if v["num_experts_per_tok"] is None else base.experts)


class DeepseekV3(DeepseekV2):
    """``modeling_deepseek_v3.py``: V2's layers; the router's ``e_score_correction_bias`` is a
    buffer in transformers 5, not a parameter, so the count leaves it out as transformers does."""

    model_type = "deepseek_v3"
    prefix = "DeepseekV3"
    fields = _inherit(DeepseekV2.fields, {"vocab_size": 129280, "hidden_size": 7168, "intermediate_size": 18432,
                                          "num_hidden_layers": 61, "num_attention_heads": 128,
                                          "max_position_embeddings": 4096, "first_k_dense_replace": 3,
                                          "n_routed_experts": 256, "n_shared_experts": 1,
                                          "num_experts_per_tok": 8, "moe_intermediate_size": 2048})
    classes = {"mlp": "DeepseekV3MLP"}
    moe = MoE("n_routed_experts", shared="shared_experts", block_class="MoE", router_class="TopkRouter",
              shared_ff=lambda v: v["moe_intermediate_size"] * v["n_shared_experts"],
              dense_first="first_k_dense_replace")


DECODERS = (Llama(), Mistral(), Mixtral(), Qwen2(), Qwen3(), Granite(), Gemma(), Gemma2(), Gemma3Text(), Olmo(),
            Olmo2(), Cohere(), Phi3(), StableLm(), Starcoder2(), Phi(), GPTNeoX(), GPTJ(), GPTBigCode(), Bloom(),
            Falcon(), OPT(), Qwen2Moe(), Qwen3Moe(), Olmoe(), GraniteMoe(), DeepseekV2(), DeepseekV3())
