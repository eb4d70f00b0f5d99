"""Encoder-decoder families with learned positions (``modeling_bart.py``, ``modeling_mbart.py``):
one ``shared`` token embedding for both stacks, positions with two extra rows
(``BartLearnedPositionalEmbedding``: offset 2), post-norm layers in BART and pre-norm with a
final ``layer_norm`` per stack in mBART. (T5 and mT5, with relative positions and no biases,
are :class:`~symparams.configs.families.T5`.)"""

from __future__ import annotations

from ..pytorch import nn
from ..pytorch.module import Module
from .families import Built, Dims, Family, _f, _inherit, _tied_embedding, stack
from .fields import FLAG, TEXT

#: BartLearnedPositionalEmbedding makes max_position_embeddings + 2 rows (its offset)
POSITION_OFFSET = 2


class Bart(Family):
    """``modeling_bart.py``."""

    model_type = "bart"
    prefix = "Bart"
    depth_field = "decoder_layers"
    #: BartConfig's id2label has three labels (BartForSequenceClassification's default)
    labels = 3
    fields = (
        _f("vocab_size", 50265), _f("max_position_embeddings", 1024), _f("encoder_layers", 12),
        _f("encoder_ffn_dim", 4096), _f("encoder_attention_heads", 16), _f("decoder_layers", 12),
        _f("decoder_ffn_dim", 4096), _f("decoder_attention_heads", 16),
        _f("activation_function", "gelu", TEXT, counted=False), _f("d_model", 1024),
        _f("scale_embedding", False, FLAG, counted=False), _f("tie_word_embeddings", True, FLAG),
    )
    #: mBART's pre-norm stacks end in a LayerNorm each
    final_norm = False

    @property
    def architectures(self):
        p = self.prefix
        return tuple(p + a for a in ("ForConditionalGeneration", "Model", "ForCausalLM", "ForSequenceClassification",
                                     "ForQuestionAnswering"))

    def width_field(self):
        return "d_model"

    def heads_field(self):
        return "encoder_attention_heads"

    def attention(self, d) -> Module:
        return Built(f"{self.prefix}Attention", k_proj=nn.Linear(d, d), v_proj=nn.Linear(d, d),
                     q_proj=nn.Linear(d, d), out_proj=nn.Linear(d, d))

    def stack_of(self, v, decoder: bool, shared) -> Module:
        d = v["d_model"]
        side = "decoder" if decoder else "encoder"
        ff = v[f"{side}_ffn_dim"]

        def layer(i):
            out = Built(f"{self.prefix}{side.title()}Layer", self_attn=self.attention(d),
                        self_attn_layer_norm=nn.LayerNorm(d))
            if decoder:
                out.encoder_attn = self.attention(d)
                out.encoder_attn_layer_norm = nn.LayerNorm(d)
            out.fc1, out.fc2, out.final_layer_norm = nn.Linear(d, ff), nn.Linear(ff, d), nn.LayerNorm(d)
            return out
        positions = nn.Embedding(v["max_position_embeddings"] + POSITION_OFFSET, d)
        object.__setattr__(positions, "class_name", f"{self.prefix}LearnedPositionalEmbedding")
        out = Built(f"{self.prefix}{side.title()}", embed_tokens=shared, embed_positions=positions,
                    layers=stack(layer, v[f"{side}_layers"], f"{side}_layers"), layernorm_embedding=nn.LayerNorm(d))
        if self.final_norm:
            out.layer_norm = nn.LayerNorm(d)
        return out

    def build(self, v, architecture):
        d, vocab, p = v["d_model"], v["vocab_size"], self.prefix
        task = architecture[len(p):]
        if task == "ForCausalLM":
            # the decoder alone, in a wrapper, with its own token embedding
            decoder = self.stack_of(v, True, nn.Embedding(vocab, d))
            lm_head = nn.Linear(d, vocab, bias=False)
            if v["tie_word_embeddings"]:
                lm_head.weight = decoder.embed_tokens.weight
            return Built(architecture, model=Built(f"{p}DecoderWrapper", decoder=decoder), lm_head=lm_head)
        shared = nn.Embedding(vocab, d)
        # the stacks' embed_tokens are `shared` only when the config ties the embeddings
        # (BartModel._tied_weights_keys, applied by tie_weights); else each has its own
        tied = v["tie_word_embeddings"]

        def tokens():
            return _tied_embedding(shared) if tied else nn.Embedding(vocab, d)
        model = Built(f"{p}Model", shared=shared, encoder=self.stack_of(v, False, tokens()),
                      decoder=self.stack_of(v, True, tokens()))
        if task == "Model":
            return model
        out = Built(architecture, model=model)
        if task == "ForConditionalGeneration":
            # its final_logits_bias is a buffer, not a parameter
            out.lm_head = nn.Linear(d, vocab, bias=False)
            if v["tie_word_embeddings"]:
                out.lm_head.weight = shared.weight
        elif task == "ForSequenceClassification":
            out.classification_head = Built(f"{p}ClassificationHead", dense=nn.Linear(d, d),
                                            out_proj=nn.Linear(d, v["num_labels"]))
        else:
            out.qa_outputs = nn.Linear(d, 2)
        return out

    def dims(self, v):
        n_enc, n_dec = v["encoder_layers"], v["decoder_layers"]
        heads = v["decoder_attention_heads"]
        return Dims(("d_model", v["d_model"]), ("decoder_layers", n_dec), ("decoder_attention_heads", heads),
                    ("decoder_attention_heads", heads), ("d_model/decoder_attention_heads", v["d_model"] / heads),
                    ("decoder_ffn_dim", v["decoder_ffn_dim"]), ("vocab_size", v["vocab_size"]),
                    ("max_position_embeddings", v["max_position_embeddings"]),
                    ("encoder_layers + 2·decoder_layers", n_enc + 2 * n_dec))


class MBart(Bart):
    """``modeling_mbart.py``: BART's shapes, pre-norm, with a final ``layer_norm`` per stack."""

    model_type = "mbart"
    prefix = "MBart"
    fields = _inherit(Bart.fields)
    final_norm = True


SEQ2SEQ = (Bart(), MBart())
