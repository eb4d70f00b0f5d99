"""BERT-style encoders: one embedding block (words, positions, token types, a LayerNorm),
a stack of post-norm layers (``attention.self.query``...), and the heads ``transformers``
puts on them. BERT, RoBERTa, XLM-RoBERTa and ELECTRA are data on :class:`Encoder`
(``modeling_bert.py`` and the files that copy it); DistilBERT and ALBERT name and share
their layers in their own ways and override the body.
"""

from __future__ import annotations

from typing import Optional

from ..pytorch import nn
from ..pytorch.containers import ModuleList
from ..pytorch.module import Module, Parameter
from .decoder import HEADS
from .families import Built, Dims, Family, _f, _inherit, differ, stack
from .fields import FLAG, NUMBER, TEXT, WORDS, ConfigError

_EPS = dict(kind=NUMBER, counted=False)


class Encoder(Family):
    """``modeling_bert.py``'s shapes under a family's names."""

    model_type = "bert"
    prefix = "Bert"
    body_name = "bert"
    fields = (
        _f("vocab_size", 30522), _f("hidden_size", 768), _f("num_hidden_layers", 12),
        _f("num_attention_heads", 12), _f("intermediate_size", 3072),
        _f("hidden_act", "gelu", TEXT, counted=False), _f("max_position_embeddings", 512),
        _f("type_vocab_size", 2), _f("layer_norm_eps", 1e-12, **_EPS),
        _f("tie_word_embeddings", True, FLAG),
    )
    #: a factorised embedding narrower than the layers (ELECTRA, ALBERT): the field
    embedding_size: Optional[str] = None
    #: the masked-LM head's kind: bert (cls.predictions), roberta (lm_head), electra (generator_*)
    mlm = "bert"
    #: the sequence classifier: on the pooler (BERT), or its own dense layer (RoBERTa's ClassificationHead)
    pooled_classifier = True
    has_pooler = True
    masked_lm = "ForMaskedLM"
    #: the causal-LM class, the masked LM's shapes as a decoder (is_decoder=True): None if none
    causal_lm: Optional[str] = "ForCausalLM"
    head_first = False

    @property
    def architectures(self):
        causal = (self.prefix + self.causal_lm,) if self.causal_lm else ()
        return (self.prefix + "Model", self.prefix + self.masked_lm, *causal) + tuple(self.prefix + h for h in HEADS)

    def emb(self, v):
        return v[self.embedding_size] if self.embedding_size else v["hidden_size"]

    def embeddings(self, v) -> Module:
        e = self.emb(v)
        out = Built(f"{self.prefix}Embeddings", word_embeddings=nn.Embedding(v["vocab_size"], e),
                    position_embeddings=nn.Embedding(v["max_position_embeddings"], e))
        if v.get("type_vocab_size") is not None:
            out.token_type_embeddings = nn.Embedding(v["type_vocab_size"], e)
        out.LayerNorm = nn.LayerNorm(e)
        return out

    def layer(self, v, i) -> Module:
        d, ff = v["hidden_size"], v["intermediate_size"]
        p = self.prefix
        return Built(
            f"{p}Layer",
            attention=Built(f"{p}Attention",
                            self=Built(f"{p}SelfAttention", query=nn.Linear(d, d), key=nn.Linear(d, d),
                                       value=nn.Linear(d, d)),
                            output=Built(f"{p}SelfOutput", dense=nn.Linear(d, d), LayerNorm=nn.LayerNorm(d))),
            intermediate=Built(f"{p}Intermediate", dense=nn.Linear(d, ff)),
            output=Built(f"{p}Output", dense=nn.Linear(ff, d), LayerNorm=nn.LayerNorm(d)))

    def body(self, v, pooler: bool) -> Module:
        d = v["hidden_size"]
        body = Built(f"{self.prefix}Model", embeddings=self.embeddings(v))
        if self.embedding_size and differ(v, self.embedding_size, "hidden_size", "whether ELECTRA has embeddings_project"):
            body.embeddings_project = nn.Linear(self.emb(v), d)      # ElectraModel
        body.encoder = Built(f"{self.prefix}Encoder",
                             layer=stack(lambda i: self.layer(v, i), v["num_hidden_layers"], "num_hidden_layers"))
        if pooler and self.has_pooler:
            body.pooler = Built(f"{self.prefix}Pooler", dense=nn.Linear(d, d))
        return body

    def word_embedding(self, body) -> Module:
        return body.embeddings.word_embeddings

    def masked_lm_head(self, v, body) -> dict:
        """The masked-LM head's modules by attribute, its decoder tied to the word embedding."""
        d, e, vocab = v["hidden_size"], self.emb(v), v["vocab_size"]
        decoder = nn.Linear(e, vocab)
        if v["tie_word_embeddings"]:
            decoder.weight = self.word_embedding(body).weight
        if self.mlm == "electra":
            return {"generator_predictions": Built("ElectraGeneratorPredictions", LayerNorm=nn.LayerNorm(e),
                                                   dense=nn.Linear(d, e)),
                    "generator_lm_head": decoder}
        if self.mlm == "roberta":
            head = Built(f"{self.prefix}LMHead", dense=nn.Linear(d, d), layer_norm=nn.LayerNorm(d))
        else:
            head = Built(f"{self.prefix}LMPredictionHead",
                         transform=Built(f"{self.prefix}PredictionHeadTransform", dense=nn.Linear(d, d),
                                         LayerNorm=nn.LayerNorm(d)))
        _bias_and_decoder(head, decoder, v)
        if self.mlm == "roberta":
            return {"lm_head": head}
        return {"cls": Built(f"{self.prefix}OnlyMLMHead", predictions=head)}

    def build(self, v, architecture):
        if architecture == f"{self.prefix}Model":
            return self.body(v, pooler=True)
        d, labels = v["hidden_size"], v["num_labels"]
        task = architecture[len(self.prefix):]
        pooled = task == "ForSequenceClassification" and self.pooled_classifier
        model = Built(architecture)
        body = self.body(v, pooler=pooled)
        if task in (self.masked_lm, self.causal_lm):
            head = self.masked_lm_head(v, body)
            # XLMRobertaForMaskedLM makes its lm_head before its body, so the tied word
            # embedding is named lm_head.decoder.weight there (modeling_xlm_roberta.py)
            for name, m in ([*head.items(), (self.body_name, body)] if self.head_first
                            else [(self.body_name, body), *head.items()]):
                setattr(model, name, m)
            return model
        setattr(model, self.body_name, body)
        if task == "ForSequenceClassification" and not pooled:
            model.classifier = Built(f"{self.prefix}ClassificationHead", dense=nn.Linear(d, d),
                                     out_proj=nn.Linear(d, labels))
        else:
            _token_or_qa_head(model, task, d, labels)
        return model

    def dims(self, v):
        return Dims(("hidden_size", v["hidden_size"]), ("num_hidden_layers", v["num_hidden_layers"]),
                    ("num_attention_heads", v["num_attention_heads"]),
                    ("num_attention_heads", v["num_attention_heads"]),
                    ("hidden_size/num_attention_heads", v["hidden_size"] / v["num_attention_heads"]),
                    ("intermediate_size", v["intermediate_size"]), ("vocab_size", v["vocab_size"]),
                    ("max_position_embeddings", v["max_position_embeddings"]),
                    ("num_hidden_layers", v["num_hidden_layers"]), caches=False)


class Bert(Encoder):
    """``modeling_bert.py``."""

    causal_lm = "LMHeadModel"


class Roberta(Encoder):
    """``modeling_roberta.py``: BERT's layers; ``lm_head`` for masked LM, and a classification
    head of its own (``classifier.dense``, ``classifier.out_proj``) instead of the pooler.
    Positions start after the padding index, which is why published configs say 514."""

    model_type = "roberta"
    prefix = "Roberta"
    body_name = "roberta"
    fields = _inherit(Encoder.fields, {"vocab_size": 50265})
    mlm = "roberta"
    pooled_classifier = False


class XLMRoberta(Roberta):
    """``modeling_xlm_roberta.py``: RoBERTa under XLM-RoBERTa's names and defaults."""

    model_type = "xlm-roberta"
    prefix = "XLMRoberta"
    fields = Encoder.fields
    head_first = True


class Electra(Encoder):
    """``modeling_electra.py``: embeddings of ``embedding_size`` projected to the layers'
    width (``embeddings_project``), no pooler; the generator's head for masked LM."""

    model_type = "electra"
    prefix = "Electra"
    body_name = "electra"
    fields = _inherit(Encoder.fields, {"hidden_size": 256, "num_attention_heads": 4, "intermediate_size": 1024},
                      added={"vocab_size": _f("embedding_size", 128)})
    embedding_size = "embedding_size"
    mlm = "electra"
    pooled_classifier = False
    has_pooler = False


class DistilBert(Encoder):
    """``modeling_distilbert.py``: no token types, its own names (``q_lin``, ``ffn.lin1``,
    ``sa_layer_norm``...), ``vocab_transform``/``vocab_projector`` for masked LM and a
    ``pre_classifier`` for sequence classification."""

    model_type = "distilbert"
    causal_lm = None
    prefix = "DistilBert"
    body_name = "distilbert"
    depth_field = "n_layers"
    fields = (
        _f("vocab_size", 30522), _f("max_position_embeddings", 512),
        _f("sinusoidal_pos_embds", False, FLAG, counted=False), _f("n_layers", 6), _f("n_heads", 12),
        _f("dim", 768), _f("hidden_dim", 3072), _f("activation", "gelu", TEXT, counted=False),
        _f("tie_word_embeddings", True, FLAG),
    )

    def width_field(self):
        return "dim"

    def heads_field(self):
        return "n_heads"

    def body(self, v, pooler):
        d, ff = v["dim"], v["hidden_dim"]

        def block(i):
            return Built("TransformerBlock",
                         attention=Built("DistilBertSelfAttention", q_lin=nn.Linear(d, d), k_lin=nn.Linear(d, d),
                                         v_lin=nn.Linear(d, d), out_lin=nn.Linear(d, d)),
                         sa_layer_norm=nn.LayerNorm(d),
                         ffn=Built("FFN", lin1=nn.Linear(d, ff), lin2=nn.Linear(ff, d)),
                         output_layer_norm=nn.LayerNorm(d))
        embeddings = Built("Embeddings", word_embeddings=nn.Embedding(v["vocab_size"], d),
                           position_embeddings=nn.Embedding(v["max_position_embeddings"], d),
                           LayerNorm=nn.LayerNorm(d))
        return Built("DistilBertModel", embeddings=embeddings,
                     # DistilBERT's class is called Transformer: a label here, not torch's nn.Transformer
                     transformer=Built(f"{''}Transformer", layer=stack(block, v["n_layers"], "n_layers")))

    def build(self, v, architecture):
        if architecture == "DistilBertModel":
            return self.body(v, True)
        d, labels = v["dim"], v["num_labels"]
        body = self.body(v, False)
        model = Built(architecture, distilbert=body)
        task = architecture[len(self.prefix):]
        if task == "ForMaskedLM":
            model.vocab_transform = nn.Linear(d, d)
            model.vocab_layer_norm = nn.LayerNorm(d)
            model.vocab_projector = nn.Linear(d, v["vocab_size"])
            if v["tie_word_embeddings"]:
                model.vocab_projector.weight = body.embeddings.word_embeddings.weight
        elif task == "ForSequenceClassification":
            model.pre_classifier = nn.Linear(d, d)
            model.classifier = nn.Linear(d, labels)
        else:
            _token_or_qa_head(model, task, d, labels)
        return model

    def dims(self, v):
        return Dims(("dim", v["dim"]), ("n_layers", v["n_layers"]), ("n_heads", v["n_heads"]),
                    ("n_heads", v["n_heads"]), ("dim/n_heads", v["dim"] / v["n_heads"]),
                    ("hidden_dim", v["hidden_dim"]), ("vocab_size", v["vocab_size"]),
                    ("max_position_embeddings", v["max_position_embeddings"]), ("n_layers", v["n_layers"]),
                    caches=False)


class Albert(Encoder):
    """``modeling_albert.py``: factorised embeddings mapped in by
    ``encoder.embedding_hidden_mapping_in``, and layers shared: ``num_hidden_groups`` groups
    of ``inner_group_num`` layers serve all ``num_hidden_layers`` passes, so the depth does
    not change the count; its pooler is one ``Linear``; ``predictions`` for masked LM."""

    model_type = "albert"
    causal_lm = None
    prefix = "Albert"
    body_name = "albert"
    fields = _inherit(Encoder.fields, {"vocab_size": 30000, "hidden_size": 4096, "num_attention_heads": 64,
                                       "intermediate_size": 16384},
                      added={"vocab_size": _f("embedding_size", 128),
                             "num_hidden_layers": _f("num_hidden_groups", 1, structural=True),
                             "intermediate_size": _f("inner_group_num", 1, structural=True)})
    embedding_size = "embedding_size"

    def body(self, v, pooler):
        d, ff, e = v["hidden_size"], v["intermediate_size"], v["embedding_size"]

        def albert_layer():
            return Built("AlbertLayer", full_layer_layer_norm=nn.LayerNorm(d),
                         attention=Built("AlbertSdpaAttention", query=nn.Linear(d, d), key=nn.Linear(d, d),
                                         value=nn.Linear(d, d), dense=nn.Linear(d, d), LayerNorm=nn.LayerNorm(d)),
                         ffn=nn.Linear(d, ff), ffn_output=nn.Linear(ff, d))
        groups = ModuleList([Built("AlbertLayerGroup",
                                   albert_layers=ModuleList([albert_layer() for _ in range(int(v["inner_group_num"]))]))
                             for _ in range(int(v["num_hidden_groups"]))])
        body = Built("AlbertModel", embeddings=self.embeddings(v),
                     encoder=Built("AlbertTransformer", embedding_hidden_mapping_in=nn.Linear(e, d),
                                   albert_layer_groups=groups))
        if pooler:
            body.pooler = nn.Linear(d, d)
        return body

    def masked_lm_head(self, v, body):
        d, e = v["hidden_size"], v["embedding_size"]
        decoder = nn.Linear(e, v["vocab_size"])
        if v["tie_word_embeddings"]:
            decoder.weight = body.embeddings.word_embeddings.weight
        head = Built("AlbertMLMHead", LayerNorm=nn.LayerNorm(e), dense=nn.Linear(d, e))
        _bias_and_decoder(head, decoder, v)
        return {"predictions": head}


class DebertaV2(Encoder):
    """``modeling_deberta_v2.py``: BERT's layers with ``query_proj``/``key_proj``/``value_proj``;
    with ``relative_attention`` one shared ``encoder.rel_embeddings`` (2·position_buckets rows,
    else 2·max_relative_positions, else 2·max_position_embeddings), its LayerNorm when
    ``norm_rel_ebd`` says layer_norm, and per-layer ``pos_key_proj``/``pos_query_proj`` for
    c2p/p2c unless ``share_att_key``; absolute positions only with ``position_biased_input``;
    a ``ConvLayer`` with ``conv_kernel_size``; a ``ContextPooler`` for classification."""

    model_type = "deberta-v2"
    causal_lm = None
    prefix = "DebertaV2"
    body_name = "deberta"
    fields = _inherit(Encoder.fields, {"vocab_size": 128100, "hidden_size": 1536, "num_hidden_layers": 24,
                                       "num_attention_heads": 24, "intermediate_size": 6144},
                      without=("type_vocab_size",),
                      added={"max_position_embeddings": _f("type_vocab_size", 0, minimum=0),
                             "layer_norm_eps": _f("embedding_size", None, falls_back_to="hidden_size")}) + (
        _f("relative_attention", False, FLAG), _f("max_relative_positions", -1, NUMBER),
        _f("position_buckets", -1, NUMBER), _f("position_biased_input", True, FLAG),
        _f("pos_att_type", (), WORDS), _f("share_att_key", False, FLAG), _f("norm_rel_ebd", "none", TEXT),
        _f("conv_kernel_size", 0, NUMBER), _f("conv_groups", 1, NUMBER),
        _f("pooler_hidden_size", None, falls_back_to="hidden_size"), _f("legacy", True, FLAG))
    has_pooler = False

    def embeddings(self, v):
        d, e = v["hidden_size"], v["embedding_size"]
        out = Built(f"{self.prefix}Embeddings", word_embeddings=nn.Embedding(v["vocab_size"], e))
        if v["position_biased_input"]:
            out.position_embeddings = nn.Embedding(v["max_position_embeddings"], e)
        if v["type_vocab_size"] > 0:
            out.token_type_embeddings = nn.Embedding(v["type_vocab_size"], e)
        if differ(v, "embedding_size", "hidden_size", "whether DeBERTa has embed_proj"):
            out.embed_proj = nn.Linear(e, d, bias=False)
        out.LayerNorm = nn.LayerNorm(d)         # over the hidden size, after embed_proj
        return out

    def layer(self, v, i):
        out = super().layer(v, i)
        d = v["hidden_size"]
        a = Built("DisentangledSelfAttention", query_proj=nn.Linear(d, d), key_proj=nn.Linear(d, d),
                  value_proj=nn.Linear(d, d))
        if v["relative_attention"] and not v["share_att_key"]:
            if "c2p" in v["pos_att_type"]:
                a.pos_key_proj = nn.Linear(d, d)
            if "p2c" in v["pos_att_type"]:
                a.pos_query_proj = nn.Linear(d, d)
        out.attention.self = a
        return out

    def body(self, v, pooler):
        body = super().body(v, pooler=False)
        d, encoder = v["hidden_size"], body.encoder
        if v["relative_attention"]:
            span = v["max_relative_positions"] if v["max_relative_positions"] >= 1 else v["max_position_embeddings"]
            if v["position_buckets"] > 0:
                span = v["position_buckets"]
            encoder.rel_embeddings = nn.Embedding(2 * span, d)
        if "layer_norm" in [x.strip() for x in v["norm_rel_ebd"].lower().split("|")]:
            encoder.LayerNorm = nn.LayerNorm(d)
        if v["conv_kernel_size"] > 0:
            encoder.conv = Built("ConvLayer", conv=nn.Conv1d(d, d, v["conv_kernel_size"], groups=v["conv_groups"]),
                                 LayerNorm=nn.LayerNorm(d))
        return body

    def masked_lm_head(self, v, body):
        if not v["legacy"]:
            raise ConfigError("legacy: false builds DeBERTa's newer masked-LM head, which symparams does not "
                              "build yet; count the bare model with --model DebertaV2Model")
        d, e = v["hidden_size"], v["embedding_size"]
        decoder = nn.Linear(e, v["vocab_size"])
        if v["tie_word_embeddings"]:
            decoder.weight = body.embeddings.word_embeddings.weight
        head = Built("LegacyDebertaV2LMPredictionHead",
                     transform=Built("LegacyDebertaV2PredictionHeadTransform", dense=nn.Linear(d, e),
                                     LayerNorm=nn.LayerNorm(e)))
        _bias_and_decoder(head, decoder, v)
        return {"cls": Built("LegacyDebertaV2OnlyMLMHead", predictions=head)}

    def build(self, v, architecture):
        if architecture != "DebertaV2ForSequenceClassification":
            return super().build(v, architecture)
        p = v["pooler_hidden_size"]
        return Built(architecture, deberta=self.body(v, False),
                     pooler=Built("ContextPooler", dense=nn.Linear(p, p)), classifier=nn.Linear(p, v["num_labels"]))


def _bias_and_decoder(head: Module, decoder: Module, v) -> None:
    """A masked-LM head's ``bias`` and ``decoder``: with tied embeddings the bias is the
    decoder's, one tensor under two names (``_tied_weights_keys`` of modeling_bert.py, applied
    only when the config ties); untied, each has its own."""
    head.bias = decoder.bias if v["tie_word_embeddings"] else Parameter((v["vocab_size"],))
    head.decoder = decoder


def _token_or_qa_head(model: Module, task: str, d, labels) -> None:
    """``classifier`` for token classification; ``qa_outputs`` for question answering, of
    num_labels outputs too (BertForQuestionAnswering: the start and end logits at 2)."""
    if task == "ForQuestionAnswering":
        model.qa_outputs = nn.Linear(d, labels)
    else:
        model.classifier = nn.Linear(d, labels)


ENCODERS = (Bert(), Roberta(), XLMRoberta(), Electra(), DistilBert(), Albert(), DebertaV2())
