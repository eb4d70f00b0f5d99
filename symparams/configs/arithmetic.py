"""The arithmetic of the scaling papers on a transformer read from its config: exact sympy
expressions in the config's own fields, each with the working that gives it and its source.

- **N**, the non-embedding parameters (Kaplan et al. 2020, section 2.1): the total less the
  token and position embeddings and an untied output projection;
- **forward FLOPs per token**, Kaplan et al. (2020) Table 1: ``2N + 2·n_layer·n_ctx·d_attn``;
- **training compute** ``C ≈ 6·N·D`` (forward 2N, backward 4N per token) in Chinchilla's N,
  every parameter with the embeddings (Pearce & Song 2024: Kaplan's N leaves them out, and
  the two conventions explain much of the papers' disagreement);
- **compute-optimal N and D** for a budget C, Hoffmann et al. (2022), in the same N: the rule
  of thumb of about 20 tokens per parameter (their Table 3) and the fitted law of their
  Approach 3 (equation 10's constants);
- **KV-cache bytes** per token and per sequence, with grouped-query heads;
- **activation memory** per layer for training, Korthikanti et al. (2022) equations 1–2,
  with selective and with full recomputation, and for the whole model (the layers and the
  32-bit logits);
- **weights, gradients and optimizer state** at each precision (Rajbhandari et al. 2020);
- for a mixture of experts, the **active** parameters of one token.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Optional

import sympy

from ..core import bounds
from ..core.solution import SizeSource, Working, working_of
from ..core.formula import Difference, Formula, Name, Num, Quotient, add, evaluate, mul
from ..core.formula import substitute as fill
from ..scaling.memory import training_memory
from ..keras.layers.textbook import Origin, Textbook
from ..pytorch.module import Module
from ..core.units import bytes_per_param
from .reader import ConfigModel

KAPLAN = "Kaplan et al. (2020), Scaling Laws for Neural Language Models, Table 1"
HOFFMANN = "Hoffmann et al. (2022), Training Compute-Optimal Large Language Models"
KORTHIKANTI = "Korthikanti et al. (2022), Reducing Activation Recomputation in Large Transformer Models, eqs. 1–2"
ZERO = "Rajbhandari et al. (2020), ZeRO, section 3.1"
PEARCE = ("Pearce & Song (2024), Reconciling Kaplan and Chinchilla Scaling Laws: Chinchilla's N counts every "
          "parameter, Kaplan's leaves out the embeddings, and much of the two papers' disagreement is that difference")

#: Hoffmann et al. (2022) equation 10: L(N, D) = E + A/N^α + B/D^β, as published (rounded)
CHINCHILLA_FIT = {"E": 1.69, "A": 406.4, "B": 410.7, "alpha": 0.34, "beta": 0.28}
#: their Table 3 (Approach 1): compute-optimal parameters, FLOPs and tokens
CHINCHILLA_TABLE3 = ((400e6, 1.92e19, 8.0e9), (1e9, 1.21e20, 20.2e9), (10e9, 1.23e22, 205.1e9),
                     (67e9, 5.76e23, 1.5e12), (175e9, 3.85e24, 3.7e12), (280e9, 9.90e24, 5.9e12),
                     (520e9, 3.43e25, 11.0e12), (1e12, 1.27e26, 21.2e12), (10e12, 1.30e28, 216.2e12))
TOKENS_PER_PARAMETER = 20


@dataclass(frozen=True)
class Result:
    """One quantity: its formula in named sizes, the values put in, and its source."""

    key: str
    title: str
    symbol: str
    working: Working
    sizes: tuple                    # SizeSource: each name's value and where it comes from
    unit: str
    source: str = ""
    note: str = ""

    @property
    def value(self) -> sympy.Expr:
        return self.working.value


@dataclass(frozen=True)
class Allocation:
    """Compute-optimal parameters and tokens for a budget, by one rule."""

    rule: str
    params: float
    tokens: float
    source: str


@dataclass
class Study:
    """The arithmetic of one configuration (see the module's docstring)."""

    name: str
    filename: str
    results: list = field(default_factory=list)
    memory: list = field(default_factory=list)        # (precision, optimizer, parts)
    budget: Optional[float] = None
    allocations: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    symbolic: tuple = ()

    def result(self, key: str) -> Result:
        for r in self.results:
            if r.key == key:
                return r
        raise KeyError(key)

    def to_dict(self) -> dict:
        from ..core.jsonvalues import json_size
        return {
            "name": self.name, "config": self.filename, "free": list(self.symbolic),
            "results": [{"key": r.key, "title": r.title, "symbol": r.symbol, "unit": r.unit,
                         "value": json_size(r.value), **_formula_texts(r.working.formula),
                         "source": r.source, "note": r.note} for r in self.results],
            "training_memory": [{"precision": p, "optimizer": o, **{k: json_size(v) for k, v in parts.items()}}
                                for p, o, parts in self.memory],
            **({"budget": self.budget, "compute_optimal": [
                {"rule": a.rule, "params": a.params, "tokens": a.tokens, "source": a.source}
                for a in self.allocations]} if self.budget is not None else {}),
            "notes": list(self.notes),
        }


def _formula_texts(formula) -> dict:
    """A result's formula as sympy reads it (``sympy.parse_expr``) and as LaTeX, its sizes as symbols."""
    if formula is None:
        return {"formula": None, "latex": None, "symbols": []}
    names = {key: sympy.Symbol(key) for key in _names(formula)}
    expr = evaluate(fill(formula, names))
    # "symbols" lets a reader parse names sympy itself defines (N, E) as plain symbols:
    # sympy.parse_expr(formula, {name: sympy.Symbol(name) for name in symbols})
    return {"formula": sympy.sstr(expr), "latex": sympy.latex(expr), "symbols": sorted(names)}


class _Sizes(Textbook):
    """The named sizes of the formulas (a :class:`Textbook`: each recorded once, with where it
    comes from): a config field, a command-line option, or an earlier result."""

    def field(self, key: str, pair) -> Name:
        name, value = pair
        return self.q(key, value, Origin("field", argument=name))

    def option(self, key: str, value, option: str) -> Name:
        return self.q(key, value, Origin("option", argument=option))

    def result(self, key: str, value) -> Name:
        return self.q(key, value, Origin("result"))


def _result(key, title, symbol, formula: Formula, sizes: _Sizes, unit, source="", note="") -> Result:
    used = _names(formula)
    chosen = tuple(SizeSource(q.key, q.value, q.origin.kind, q.origin.argument)
                   for q in sizes.quantities if q.key in used)
    working = working_of(formula, fill(formula, {s.key: s.value for s in chosen}))
    return Result(key, title, symbol, working, chosen, unit, source, note)


def _names(f: Formula) -> set:
    from ..core.formula import children
    if isinstance(f, Name):
        return {f.key}
    out = set()
    for c in children(f):
        out |= _names(c)
    return out


def embedding_parameters(model: Module) -> tuple:
    """The token and position embeddings (every ``nn.Embedding``'s table, each tensor once) and
    an output projection not tied to them (``lm_head``): what Kaplan et al. leave out of N."""
    seen: set = set()
    embed = head = sympy.Integer(0)
    tables = set()
    for name, m in model.named_modules():
        if m.embedding_table and m.weight is not None:
            tables.add(id(m.weight))
            if id(m.weight) not in seen:
                seen.add(id(m.weight))
                embed += m.weight.numel
    for name, m in model.named_modules():
        # an lm_head that is a linear layer (RoBERTa's is a block whose decoder is tied)
        weight = getattr(m, "weight", None)
        if name.split(".")[-1] == "lm_head" and weight is not None and id(weight) not in tables:
            head += weight.numel
    return bounds.expand(embed), bounds.expand(head)


def expert_parameters(model: Module) -> sympy.Expr:
    """The parameters of every expert of a mixture (those under ``.experts``)."""
    return bounds.expand(sum((p.numel for n, p in model.named_parameters() if ".experts." in f".{n}."),
                             sympy.Integer(0)))


def study(config: ConfigModel, dtype: str = "bf16", seq_len=None, batch=1, tokens=None,
          budget: Optional[float] = None, causal: str = "full") -> Study:
    """The scaling papers' arithmetic on ``config`` (see the module's docstring).

    ``seq_len`` (default: the config's context length) and ``batch`` size the KV cache and
    the activations; ``tokens`` is the training set D (default: 20 tokens per parameter);
    ``budget`` a compute budget C in FLOPs for the compute-optimal allocation; ``causal`` the
    attention FLOPs' convention: "full" counts all n_ctx positions (Kaplan's Table 1), "half"
    the half a causal mask keeps."""
    model, dims = config.model, config.dims()
    out = Study(config.architecture, config.filename, symbolic=config.values.symbolic)
    s = _Sizes()
    total = model.count()
    embed, head = embedding_parameters(model)

    # ---- N ---------------------------------------------------------------------------------
    P, E, H = s.result("P", total), s.result("P_embed", embed), s.result("P_head", head)
    n_formula = Difference(P, E) if head == 0 else Difference(Difference(P, E), H)
    out.results.append(_result("params", "Parameters (all)", "P", Num(total), s, "parameters",
                               note="the model's own count; see symparams derive for its working"))
    out.results.append(_result(
        "non_embedding", "Non-embedding parameters", "N", n_formula, s, "parameters", KAPLAN,
        "the total less the embedding tables" + (" and the untied output projection lm_head" if head != 0 else "")
        + (" (the tied output projection is the embedding itself)" if head == 0 and "lm_head" in
           dict(model.named_modules()) else "")))
    N = out.result("non_embedding").value

    # ---- mixture of experts -----------------------------------------------------------------------
    if dims.experts is not None:
        n_exp = s.field("E", dims.experts)
        k = s.field("k", dims.experts_per_token)
        s.result("P_experts", expert_parameters(model))
        out.results.append(_result(
            "active", "Active parameters per token", "P_active",
            Difference(Name("P"), mul(Name("P_experts"), Quotient(Difference(n_exp, k), n_exp))),
            s, "parameters", "",
            "a token passes through k of the E experts in each layer, so (E − k)/E of the experts' "
            "parameters are idle for it; training and inference FLOPs follow the active count"))

        s.result("N_active", bounds.expand(N - (total - out.result("active").value)))
    s.result("N", N)
    n_key = "N_active" if dims.experts is not None else "N"
    if not dims.attends:
        return _without_attention(out, s, config, total, n_key, dims, tokens, budget)
    # ---- Kaplan's approximation and forward FLOPs -------------------------------------------
    d = s.field("d_model", dims.d_model)
    blocks = dims.attention_blocks or dims.n_layer
    n_layer = s.field("n_layer" if blocks[0] == dims.n_layer[0] else "n_blocks", blocks)
    n_heads = s.field("n_heads", dims.n_heads)
    d_head = s.field("d_head", dims.head_dim)
    d_ff = s.field("d_ff", dims.d_ff)
    d_attn_value = bounds.expand(dims.n_heads[1] * dims.head_dim[1])
    s.result("d_attn", d_attn_value)
    out.results.append(_result("d_attn", "Attention width", "d_attn", mul(n_heads, d_head), s, "features",
                               KAPLAN, "the heads' total width, the d_attn of Kaplan's Table 1"))
    n_ctx_value = seq_len if seq_len is not None else dims.n_ctx[1]
    n_ctx = s.option("n_ctx", n_ctx_value, "--seq-len") if seq_len is not None else s.field("n_ctx", dims.n_ctx)
    out.results.append(_result(
        "kaplan_n", "Non-embedding parameters, Kaplan's approximation", "N_approx",
        mul(Num(sympy.Integer(2)), d, n_layer, add(mul(Num(sympy.Integer(2)), Name("d_attn")), d_ff)), s, "parameters", KAPLAN,
        "the weight matrices of attention (4·d_model·d_attn) and a two-matrix MLP (2·d_model·d_ff) per layer; "
        "it leaves out biases and norms, and a gated MLP's third matrix"))
    blocks_note = ("T5 counts every attention block: the encoder's self-attention and the decoder's "
                   "self- and cross-attention" if dims.attention_blocks and dims.attention_blocks[0] != dims.n_layer[0]
                   else "")
    attention = mul(Num(sympy.Integer(2)), n_layer, n_ctx, Name("d_attn")) if causal == "full" else \
        mul(n_layer, n_ctx, Name("d_attn"))
    convention = ("Kaplan counts every one of the n_ctx positions, so causal masking, which needs only "
                  "half of them, is not taken off (--causal half takes it off)" if causal == "full" else
                  "--causal half: a causal mask keeps about half of the n_ctx positions, so half of "
                  "Kaplan's 2·n_layer·n_ctx·d_attn")
    out.results.append(_result(
        "forward_flops", "Forward FLOPs per token", "C_forward",
        add(mul(Num(sympy.Integer(2)), Name(n_key)), attention), s, "FLOPs per token", KAPLAN,
        "2 FLOPs per parameter for the matrix products, plus the query–key and attention–value products "
        "over the context; " + convention + (f"; {blocks_note}" if blocks_note else "")))

    _training(out, s, total, dims, tokens)

    # ---- KV cache -------------------------------------------------------------------------------------
    per = bytes_per_param(dtype)
    if dims.latent:
        out.notes.append("multi-head latent attention caches a compressed latent, kv_lora_rank + "
                         "qk_rope_head_dim values a token and layer in DeepSeek-V2's paper (transformers' code "
                         "caches the expanded keys and values); symparams does not work out this cache yet")
    elif dims.caches:
        n_kv = s.field("n_kv_heads", dims.n_kv_heads)
        s.field("n_layer", dims.n_layer)
        b = s.option("b", per, f"--dtype {dtype}")
        out.results.append(_result(
            "kv_per_token", "KV cache per token", "KV_token",
            mul(Num(sympy.Integer(2)), Name("n_layer"), n_kv, d_head, b), s, "bytes", "",
            "a key and a value vector for each key–value head in each layer; grouped-query attention "
            "shares them between num_attention_heads / num_key_value_heads query heads"))
        s.option("batch", batch, "--batch")
        out.results.append(_result(
            "kv_per_sequence", "KV cache for a batch of full sequences", "KV",
            mul(Num(sympy.Integer(2)), Name("n_layer"), n_kv, d_head, b, n_ctx, Name("batch")), s, "bytes", "",
            "every position of every sequence keeps its keys and values"))
        if dims.n_kv_heads[1] != dims.n_heads[1]:
            out.results.append(_result(
                "kv_mha_ratio", "Cache saved by grouped-query attention", "r_GQA",
                Quotient(n_heads, n_kv), s, "times smaller than multi-head attention", ""))
    else:
        out.notes.append("an encoder keeps no KV cache: it reads the whole input at once")

    # ---- activations ----------------------------------------------------------------------------------
    if seq_len is not None:
        s.option("s", seq_len, "--seq-len")
    else:
        s.field("s", dims.n_ctx)
    s.option("b_batch", batch, "--batch")
    s.field("a", dims.n_heads)
    h = s.field("h", dims.d_model)
    sbh = mul(Name("s"), Name("b_batch"), h)
    out.results.append(_result(
        "activations", "Activation memory per layer, no recomputation", "A_layer",
        mul(sbh, add(Num(sympy.Integer(34)), Quotient(mul(Num(sympy.Integer(5)), Name("a"), Name("s")), h))), s, "bytes",
        KORTHIKANTI,
        "16-bit activations, no tensor or sequence parallelism, as the paper derives them for a GPT layer "
        "(4h MLP, one head per a); other layers differ"))
    out.results.append(_result(
        "activations_selective", "Activation memory per layer, selective recomputation", "A_selective",
        mul(Num(sympy.Integer(34)), sbh), s, "bytes", KORTHIKANTI, "the attention scores and softmax are recomputed"))
    out.results.append(_result(
        "activations_full", "Activation memory per layer, full recomputation", "A_full",
        mul(Num(sympy.Integer(2)), sbh), s, "bytes", KORTHIKANTI, "only each layer's input is kept"))
    s.result("A_layer", out.result("activations").value)
    s.field("L", dims.n_layer)
    v = s.field("v", dims.vocab)
    out.results.append(_result(
        "activations_model", "Activation memory of the whole model, no recomputation", "A",
        add(mul(Name("L"), Name("A_layer")), mul(Num(sympy.Integer(4)), Name("s"), Name("b_batch"), v)), s, "bytes",
        KORTHIKANTI,
        "every layer's activations, and the output's logits kept in 32 bits for the loss (4 bytes each of "
        "s·b·v); the embedding's dropout mask and the final norm's input, a few s·b·h more, are left out"))

    return _memory_and_budget(out, config, total, budget)



def _training(out: Study, s: _Sizes, total, dims, tokens) -> None:
    """Training compute C = 6·P·D in Chinchilla's N (every parameter; a mixture's active ones)."""
    p_key = "P_active" if dims.experts is not None else "P"
    if dims.experts is not None:
        s.result("P_active", out.result("active").value)
    if tokens is None:
        D = s.result("D", bounds.expand(TOKENS_PER_PARAMETER * (total if dims.experts is None
                                                                else out.result("active").value)))
        d_note = (f"D = 20·{p_key} tokens, Chinchilla's rule of thumb, in Chinchilla's N: all parameters, "
                  "embeddings included (Kaplan's N, without them, would give fewer tokens); give --tokens "
                  "for your own")
    else:
        D = s.option("D", tokens, "--tokens")
        d_note = "D from --tokens"
    out.results.append(_result("training_flops", "Training compute", "C", mul(Num(sympy.Integer(6)), Name(p_key), D),
                               s, "FLOPs", HOFFMANN + "; " + PEARCE,
                               "6 FLOPs per parameter per token (2 forward, 4 backward), the parameters counted "
                               "as Chinchilla counts them" + (" (a mixture's active ones)" if dims.experts is not None
                                                               else "") + "; " + d_note))


def _memory_and_budget(out: Study, config: ConfigModel, total, budget) -> Study:
    """Training memory at each precision, and the compute-optimal allocation for a budget."""
    for precision in ("fp32", "mixed-bf16"):
        t = training_memory(total, 0, "adam", precision)
        out.memory.append((precision, "adam", t.parts()))

    # ---- compute-optimal allocation ---------------------------------------------------------------------
    if budget is not None:
        out.budget = budget
        out.allocations = chinchilla(budget)
    out.notes += config.notes
    return out


def _without_attention(out: Study, s: _Sizes, config: ConfigModel, total, n_key, dims, tokens, budget) -> Study:
    """A model without attention (Mamba): 2N forward FLOPs per token, Chinchilla's training
    compute, memory and allocations; no attention FLOPs, KV cache or transformer activations."""
    out.results.append(_result(
        "forward_flops", "Forward FLOPs per token", "C_forward", mul(Num(sympy.Integer(2)), Name(n_key)), s,
        "FLOPs per token", KAPLAN, "2 FLOPs per parameter for the matrix products; the model has no attention, "
        "so no term over the context (its selective scan's own operations are left out)"))
    _training(out, s, total, dims, tokens)
    out.notes.append(f"{config.model_type} has no attention: Kaplan's attention FLOPs, the KV cache and "
                     "Korthikanti's activation memory (derived for a transformer layer) do not apply")
    return _memory_and_budget(out, config, total, budget)

def chinchilla(budget: float) -> list:
    """Compute-optimal parameters and tokens for ``budget`` FLOPs, with C = 6·N·D:

    - the rule of thumb D = 20·N (Hoffmann et al. 2022, Table 3 and section 3), so
      N = √(C / 120);
    - Approach 3's fitted law with equation 10's published constants:
      N = G·(C/6)^a, D = (C/6)^b / G, a = β/(α+β), b = α/(α+β), G = (αA / βB)^(1/(α+β))."""
    if not budget > 0 or math.isinf(budget):
        raise ValueError("a compute budget is a positive number of FLOPs")
    n_rule = math.sqrt(budget / (6 * TOKENS_PER_PARAMETER))
    f = CHINCHILLA_FIT
    a = f["beta"] / (f["alpha"] + f["beta"])
    b = f["alpha"] / (f["alpha"] + f["beta"])
    g = (f["alpha"] * f["A"] / (f["beta"] * f["B"])) ** (1 / (f["alpha"] + f["beta"]))
    n_fit = g * (budget / 6) ** a
    return [Allocation("20 tokens per parameter", n_rule, TOKENS_PER_PARAMETER * n_rule,
                       HOFFMANN + ", Table 3"),
            Allocation("Approach 3 fit, N ∝ C^0.45", n_fit, (budget / 6) ** b / g,
                       HOFFMANN + ", eq. 10 (E = 1.69, A = 406.4, B = 410.7, α = 0.34, β = 0.28)")]


def kaplan_table1(d_model, n_layer, d_attn, d_ff, n_ctx, n_vocab) -> dict:
    """Kaplan et al. (2020) Table 1, row by row: parameters and forward FLOPs per token of
    each operation, and their totals (``N`` and ``C_forward``), as sympy expressions."""
    rows = {
        "embed": (bounds.expand((n_vocab + n_ctx) * d_model), 4 * d_model),
        "attention_qkv": (n_layer * d_model * 3 * d_attn, 2 * n_layer * d_model * 3 * d_attn),
        "attention_mask": (0, 2 * n_layer * n_ctx * d_attn),
        "attention_project": (n_layer * d_attn * d_model, 2 * n_layer * d_attn * d_model),
        "feedforward": (n_layer * 2 * d_model * d_ff, 2 * n_layer * 2 * d_model * d_ff),
        "de_embed": (0, 2 * d_model * n_vocab),
    }
    n = bounds.expand(2 * d_model * n_layer * (2 * d_attn + d_ff))
    return {"rows": rows, "N": n, "C_forward": bounds.expand(2 * n + 2 * n_layer * n_ctx * d_attn)}

