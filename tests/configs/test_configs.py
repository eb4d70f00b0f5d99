"""Transformer config files: every count against real transformers (fixtures recorded by
tools/record_transformers_fixtures.py), symbolic fields, the scaling papers' arithmetic
against the papers' own numbers, and one-line errors."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import sympy

from symparams.cli import main
from symparams.configs import read_config
from symparams.configs.arithmetic import (CHINCHILLA_FIT, CHINCHILLA_TABLE3, chinchilla, embedding_parameters,
                                          expert_parameters, kaplan_table1, study)
from symparams.configs.catalog import FAMILIES
from symparams.configs.fields import ConfigError
from symparams.core.dims import substitute

ROOT = Path(__file__).resolve().parents[2]
RECORDS = sorted((ROOT / "tests" / "fixtures" / "transformers").glob("*.json"))
CASES = [(path.stem, arch) for path in RECORDS for arch in json.loads(path.read_text())["models"]]


def record(stem: str) -> dict:
    return json.loads((ROOT / "tests" / "fixtures" / "transformers" / f"{stem}.json").read_text())


def built(stem: str, arch: str, **kw):
    return read_config(str(ROOT / record(stem)["config"]), architecture=arch, **kw)


def test_every_family_is_recorded():
    assert {record(p.stem)["model_type"] for p in RECORDS} == set(FAMILIES)
    assert len(CASES) >= 30


def builds(stem: str, arch: str) -> bool:
    return arch in FAMILIES[record(stem)["model_type"]].architectures


BUILT = [c for c in CASES if builds(*c)]


def test_every_recorded_class_is_built():
    # every class the recorder made (the file's, the bare model, every head transformers
    # defines for the small variants) is one symparams builds, so each is checked below
    assert [c for c in CASES if not builds(*c)] == []


@pytest.mark.parametrize("stem,arch", BUILT)
def test_count_names_and_shapes_equal_transformers(stem, arch):
    real = record(stem)["models"][arch]
    config = built(stem, arch)
    assert config.model.count() == real["num_parameters"]
    ours = [(n, [int(s) for s in p.shape]) for n, p in config.model.named_parameters()]
    assert sorted(ours) == sorted((n, s) for n, s in real["parameters"])


@pytest.mark.parametrize("stem,arch", BUILT)
def test_embeddings_are_what_transformers_leaves_out(stem, arch):
    real = record(stem)["models"][arch]
    embed, _ = embedding_parameters(built(stem, arch).model)
    left_out = real["num_parameters"] - real["num_parameters_exclude_embeddings"]
    # transformers leaves out an nn.Embedding's weight by its name; XLM-RoBERTa's masked LM
    # names its tied word embedding lm_head.decoder.weight first, so transformers keeps it in
    shapes = dict((n, s) for n, s in real["parameters"])
    if "lm_head.decoder.weight" in shapes and not any(n.endswith("word_embeddings.weight") for n in shapes):
        rows, cols = shapes["lm_head.decoder.weight"]
        left_out += rows * cols
    assert embed == left_out


# The issue's table: each figure is the recorded num_parameters() of real transformers.
ISSUE_TABLE = [("gpt2", "GPT2LMHeadModel", 124_439_808), ("bert-base-uncased", "BertModel", 109_482_240),
               ("llama-2-7b", "LlamaForCausalLM", 6_738_415_616), ("mistral-7b", "MistralForCausalLM", 7_241_732_096),
               ("mixtral-8x7b", "MixtralForCausalLM", 46_702_792_704),
               ("tinyllama-1.1b", "LlamaForCausalLM", 1_100_048_384), ("qwen2-0.5b", "Qwen2ForCausalLM", 494_032_768)]


@pytest.mark.parametrize("stem,arch,figure", ISSUE_TABLE)
def test_the_published_figures(stem, arch, figure):
    assert record(stem)["models"][arch]["num_parameters"] == figure
    assert built(stem, arch).model.count() == figure


def test_mixtral_active_parameters():
    real = record("mixtral-8x7b")["models"]["MixtralForCausalLM"]
    config = built("mixtral-8x7b", "MixtralForCausalLM")
    assert expert_parameters(config.model) == real["experts"]
    # a token uses 2 of the 8 experts: 6/8 of the experts' weights are idle for it
    expected = real["num_parameters"] - real["experts"] * 6 // 8
    assert study(config).result("active").value == expected == 12_879_925_248


# a projection exists only where two widths differ (OPT's word_embed_proj_dim, ELECTRA's
# embedding_size): a free width leaves that undecided, so it is refused, never guessed
WIDTH_DECIDES_A_MODULE = {"opt-125m", "opt-350m", "electra-base-generator"}


@pytest.mark.parametrize("stem,arch", [c for c in BUILT if record(c[0])["config"].startswith("examples/")])
def test_symbolic_width_and_depth_give_the_count_back(stem, arch):
    family = FAMILIES[record(stem)["model_type"]]
    width, depth = family.width_field(), family.depth_field
    if stem in WIDTH_DECIDES_A_MODULE:
        with pytest.raises(ConfigError, match=f"--symbolic {width}: whether .* cannot stay free in this file"):
            built(stem, arch, symbolic=[width, depth])
        return
    config = built(stem, arch, symbolic=[width, depth])
    total = config.model.count()
    # ALBERT shares its layers: the depth changes no count
    assert {s.name for s in total.free_symbols} == ({width} if stem.startswith("albert") else {width, depth})
    plain = built(stem, arch).values
    values = {width: plain[width], depth: plain[depth]}
    assert substitute(total, values) == record(stem)["models"][arch]["num_parameters"]


def test_llama_is_a_polynomial_in_width_and_depth():
    total = read_config(str(ROOT / "examples/configs/llama-2-7b.json"),
                        symbolic=["hidden_size", "num_hidden_layers"]).model.count()
    d, L = sorted(total.free_symbols, key=lambda s: s.name)
    assert sympy.expand(total - (4 * d**2 * L + 3 * 11008 * d * L + 2 * d * L + 64000 * d + d)) == 0


def test_left_out_fields_take_the_family_defaults():
    config = read_config(str(ROOT / "tests/fixtures/configs/llama_defaults.json"))
    used = dict(config.defaults_used)
    assert used["hidden_size"] == "4096" and used["num_key_value_heads"] == "= num_attention_heads"
    assert config.model.count() == record("llama_defaults")["models"]["LlamaForCausalLM"]["num_parameters"]


def test_flan_t5_says_why_its_count_differs_from_the_model_card():
    config = built("flan-t5-small", "T5ForConditionalGeneration")
    assert any("transformers 5 ties lm_head" in n for n in config.notes)


# ---- the papers' arithmetic -------------------------------------------------------------------------
def test_kaplan_table1_rows_add_up_to_its_totals():
    d, L, a, f, c, v = sympy.symbols("d_model n_layer d_attn d_ff n_ctx n_vocab", positive=True)
    t = kaplan_table1(d, L, a, f, c, v)
    params = sum(p for k, (p, _) in t["rows"].items() if k != "embed")     # N leaves out the embedding
    assert sympy.expand(params - t["N"]) == 0
    flops = sum(fl for k, (_, fl) in t["rows"].items() if k not in ("embed", "de_embed"))
    assert sympy.expand(flops - t["C_forward"]) == 0
    # with d_attn = d_model and d_ff = 4·d_model, N = 12·n_layer·d_model² (section 2.1)
    assert sympy.expand(t["N"].subs({a: d, f: 4 * d}) - 12 * L * d**2) == 0


def test_gpt2_forward_flops_follow_kaplan():
    st = study(built("gpt2", "GPT2LMHeadModel"))
    n = st.result("non_embedding").value
    assert n == 124_439_808 - 50257 * 768 - 1024 * 768 == 85_056_000
    assert st.result("forward_flops").value == 2 * n + 2 * 12 * 1024 * 768
    # Kaplan's approximation counts the weight matrices only: the rest is biases and norms
    approx = st.result("kaplan_n").value
    assert approx == 12 * 12 * 768**2
    assert n - approx == 12 * (4 * 768 + 3 * 768 + 768 + 3072 + 768) + 2 * 768


@pytest.mark.parametrize("params,flops,tokens", CHINCHILLA_TABLE3)
def test_chinchilla_table3_is_six_n_d(params, flops, tokens):
    # the table gives D to two or three figures (67B: 1.5 trillion tokens), hence 5%
    assert math.isclose(6 * params * tokens, flops, rel_tol=0.05)
    rule = chinchilla(flops)[0]
    # the rule of thumb (20 tokens per parameter) is within the table's own spread
    assert math.isclose(rule.params, params, rel_tol=0.06)
    assert math.isclose(6 * rule.params * rule.tokens, flops, rel_tol=1e-9)


def test_chinchilla_fit_exponents_are_the_papers():
    f = CHINCHILLA_FIT
    a = f["beta"] / (f["alpha"] + f["beta"])
    assert abs(a - 0.46) < 0.01 and abs((1 - a) - 0.54) < 0.01        # Table 2, Approach 3
    fit = chinchilla(1e21)[1]
    assert math.isclose(6 * fit.params * fit.tokens, 1e21, rel_tol=1e-9)


def test_grouped_query_attention_shrinks_the_cache_by_the_group_size():
    mistral = study(built("mistral-7b", "MistralForCausalLM"))
    llama = study(built("llama-2-7b", "LlamaForCausalLM"))
    assert mistral.result("kv_per_token").value == 2 * 32 * 8 * 128 * 2
    assert llama.result("kv_per_token").value == 4 * mistral.result("kv_per_token").value
    assert mistral.result("kv_mha_ratio").value == 4


def test_korthikanti_activations():
    st = study(built("gpt2", "GPT2LMHeadModel"), seq_len=2048, batch=8)
    s, b, h, a = 2048, 8, 768, 12
    assert st.result("activations").value == s * b * h * (34 + 5 * a * s // h)
    assert st.result("activations_selective").value == 34 * s * b * h
    assert st.result("activations_full").value == 2 * s * b * h


# ---- the command line -------------------------------------------------------------------------------------
def run(args, capsys):
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_summary_names_the_defaults(capsys):
    code, out, _ = run(["summary", "examples/configs/mistral-7b.json"], capsys)
    assert code == 0 and "Total params: 7,241,732,096" in out and "Defaults used" in out


def test_derive_with_free_depth(capsys):
    code, out, _ = run(["derive", "examples/configs/gpt2.json", "--symbolic", "n_embd,n_layer", "--format", "text"],
                       capsys)
    assert code == 0 and "12·n_embd²·n_layer" in out


def test_llm_json(capsys):
    code, out, _ = run(["llm", "examples/configs/mixtral-8x7b.json", "--format", "json", "--budget", "1e21"], capsys)
    data = json.loads(out)
    values = {r["key"]: r["value"] for r in data["results"]}
    assert code == 0 and values["active"] == 12_879_925_248 and len(data["compute_optimal"]) == 2


def test_scale_solves_a_width_the_heads_divide(capsys):
    code, out, _ = run(["scale", "examples/configs/llama-2-7b.json", "--symbolic", "hidden_size",
                        "--budget", "7e9", "--solve", "hidden_size"], capsys)
    assert code == 0 and "hidden_size = 4,192 (a multiple of 32)" in out
    total = read_config(str(ROOT / "examples/configs/llama-2-7b.json"), subs={"hidden_size": 4192}).model.count()
    bigger = read_config(str(ROOT / "examples/configs/llama-2-7b.json"), subs={"hidden_size": 4224}).model.count()
    assert total <= 7e9 < bigger


def test_scale_grid(capsys):
    code, out, _ = run(["scale", "examples/configs/llama-2-7b.json", "--symbolic", "hidden_size,num_hidden_layers",
                        "--grid", "num_hidden_layers=16,32", "--grid", "hidden_size=2048,4096"], capsys)
    assert code == 0 and "6,738,415,616" in out


def test_compare_names_each_field(capsys):
    code, out, _ = run(["compare", "examples/configs/llama-2-7b.json", "examples/configs/mistral-7b.json"], capsys)
    assert code == 0 and len(out.splitlines()) <= 30 and "PyTorch" not in out and "convention" not in out
    for line in ("intermediate_size        11008             14336", "num_key_value_heads      32                8",
                 "0–31 (LlamaDecoderLayer / MistralDecoderLayer) × 32  6,476,267,520  6,979,584,000  +503,316,480",
                 "Total: A 6,738,415,616, B 7,241,732,096 (difference +503,316,480)."):
        assert line in out


BAD = [
    ('{"model_type": "reformer"}', "is not a family symparams builds; it builds gpt2, bert, t5"),
    ('{"hidden_size": 8}', "has no 'model_type' field"),
    ('{"model_type": "llama", "hidden_size": "4096"}', "field 'hidden_size' must be a whole number, got \"4096\""),
    ('{"model_type": "llama", "hidden_size": 4000, "num_attention_heads": 48}',
     "num_attention_heads = 48 does not divide hidden_size = 4000"),
    ('{"model_type": "llama", "num_attention_heads": 32, "num_key_value_heads": 5}',
     "num_key_value_heads = 5 does not divide num_attention_heads = 32"),
    ('{"model_type": "llama", "architectures": ["LlamaForMaskedLM"]}', "names no class"),
    ('{"model_type": "llama",', "not valid JSON"),
    ('{"model_type": "mixtral", "num_experts_per_tok": 9}', "num_experts_per_tok = 9 is more than"),
    ('{"model_type": "gpt2", "n_layer": ' + "[" * 100_000 + "]" * 100_000 + "}",
     "nests arrays or objects far more deeply than a config file does"),
]


@pytest.mark.parametrize("text,message", BAD)
def test_bad_configs_get_one_line(text, message, tmp_path, capsys):
    path = tmp_path / "config.json"
    path.write_text(text)
    code, out, err = run(["summary", str(path)], capsys)
    assert code == 2 and message in err and err.count("\n") == 1 and "Traceback" not in err


def test_bad_symbolic_names_the_sizes(capsys):
    code, _, err = run(["summary", "examples/configs/gpt2.json", "--symbolic", "hidden_size"], capsys)
    assert code == 2 and "its sizes are vocab_size, n_positions, n_embd" in err


def test_a_free_field_is_free_in_the_fields_that_default_to_it():
    # T5's num_decoder_layers defaults to num_layers: left free, both stacks follow it
    path = str(ROOT / "examples/configs/t5-small.json")
    free = read_config(path, symbolic=["num_layers"]).model.count()
    for n in (1, 3):
        assert substitute(free, {"num_layers": sympy.Integer(n)}) == \
            read_config(path, subs={"num_layers": n}).model.count()


def test_chinchillas_tokens_and_compute_count_every_parameter():
    # Chinchilla's N is the whole count, embeddings included (Pearce & Song 2024); for GPT-2
    # Kaplan's non-embedding N would give 32% fewer tokens
    real = record("gpt2")["models"]["GPT2LMHeadModel"]
    st = study(built("gpt2", "GPT2LMHeadModel"))
    c = st.result("training_flops")
    assert c.value == 6 * real["num_parameters"] * 20 * real["num_parameters"]
    assert "Pearce & Song (2024)" in c.source
    # a mixture of experts trains its active parameters
    mix = study(built("mixtral-8x7b", "MixtralForCausalLM"))
    active = mix.result("active").value
    assert mix.result("training_flops").value == 6 * active * 20 * active


def test_activation_memory_of_the_whole_model():
    st = study(built("gpt2", "GPT2LMHeadModel"), seq_len=1024, batch=2)
    s, b, h, a, L, v = 1024, 2, 768, 12, 12, 50257
    assert st.result("activations_model").value == L * s * b * h * (34 + 5 * a * s // h) + 4 * s * b * v


def test_llm_json_formulas_read_back_as_sympy_and_latex(capsys):
    code, out, _ = run(["llm", "examples/configs/llama-2-7b.json", "--format", "json"], capsys)
    data = json.loads(out)
    assert code == 0
    for r in data["results"]:
        expr = sympy.parse_expr(r["formula"], {n: sympy.Symbol(n) for n in r["symbols"]})
        assert "Num(" not in r["formula"] and "Name(" not in r["formula"] and r["latex"]
        if r["key"] == "training_flops":
            assert expr == 6 * sympy.Symbol("P") * sympy.Symbol("D")


def test_llm_text_reads_large_numbers(capsys):
    code, out, _ = run(["llm", "examples/configs/llama-2-7b.json", "--budget", "5.03e21"], capsys)
    assert code == 0 and "C = 5.03 × 10²¹ FLOPs" in out and "GiB" in out and "10^" not in out


def test_causal_half_counts_half_the_attention_products(capsys):
    full = study(built("gpt2", "GPT2LMHeadModel")).result("forward_flops").value
    half = study(built("gpt2", "GPT2LMHeadModel"), causal="half").result("forward_flops").value
    assert full - half == 12 * 1024 * 768
    code, out, _ = run(["llm", "examples/configs/gpt2.json", "--causal", "half"], capsys)
    assert code == 0 and "--causal half: a causal mask keeps about half" in out


def test_a_configs_summary_folds_its_repeated_layers(capsys):
    code, out, _ = run(["summary", "examples/configs/llama-2-7b.json"], capsys)
    assert code == 0 and len(out.splitlines()) <= 40
    assert "0–31 (LlamaDecoderLayer) × 32  6,476,267,520" in out
    # DeepSeek-V3's three dense layers and 58 sparse ones are two runs
    code, out, _ = run(["summary", "examples/configs/deepseek-v3.json"], capsys)
    assert "0–2 (DeepseekV3DecoderLayer) × 3" in out and "3–60 (DeepseekV3DecoderLayer) × 58" in out


def test_depth_unfolds_a_configs_summary(capsys):
    code, out, _ = run(["summary", "examples/configs/llama-2-7b.json", "--depth", "4"], capsys)
    assert code == 0 and "× 32" not in out and "31 (LlamaDecoderLayer)" in out and "self_attn (LlamaAttention)" in out
    assert "q_proj" not in out
    code, out, _ = run(["summary", "examples/configs/gpt2.json", "--depth", "0"], capsys)
    assert "c_attn (Conv1D)" in out


def test_a_model_without_attention_gets_only_the_arithmetic_that_applies():
    real = record("mamba-130m")["models"]["MambaForCausalLM"]
    st = study(built("mamba-130m", "MambaForCausalLM"))
    keys = {r.key for r in st.results}
    assert not keys & {"d_attn", "kaplan_n", "kv_per_token", "activations", "activations_model"}
    n = st.result("non_embedding").value
    assert n == real["num_parameters_exclude_embeddings"] and st.result("forward_flops").value == 2 * n
    assert any("has no attention" in note for note in st.notes)


def test_latent_attention_says_its_cache_is_not_worked_out():
    st = study(built("deepseek-v2-lite", "DeepseekV2ForCausalLM"))
    assert "kv_per_token" not in {r.key for r in st.results}
    assert any("latent attention caches a compressed latent" in n for n in st.notes)
