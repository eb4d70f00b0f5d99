"""Scaling: symbolic depth, algebra on totals, compute, memory, and the worked studies."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import pytest
import sympy

from keras_api import load_fixture, model_source
from symparams import Input, Model, Repeat, Sequential, ShapeError, summarize, symbols
from symparams.keras import layers
from symparams.scaling import algebra as scaling
from symparams.cli import main
from symparams.keras.compute import compute
from symparams.scaling.memory import training_memory
from symparams.readers import read_file, read_source

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
GPT2_SMALL = {"vocab": 50257, "n_ctx": 1024, "d_model": 768, "n_heads": 12}


def gpt(bindings=None):
    return read_file(str(EXAMPLES / "gpt_decoder.py"), bindings).model


# ---- symbolic depth -------------------------------------------------------------------


def test_repeat_counts_n_times_its_block():
    d, n = symbols("d n")
    inner = Input((16, d))
    block = Model(inner, layers.Add()([inner, layers.Dense(d)(layers.Dense(4 * d)(inner))]))
    x = Input((16, d))
    model = Model(x, Repeat(block, n)(x))
    block_total = summarize(block).total
    assert sympy.expand(model.total_params - n * block_total) == 0
    weights = model.layers[1].weights
    assert all(w.shape[0] == n for w in weights)
    assert [w.name for w in weights] == [f"{l.name}/{w.name}" for l in block.unique_layers() for w in l.weights]


def test_repeat_of_a_shape_changing_block_is_refused():
    with pytest.raises(ShapeError, match="must keep its input shape"):
        Repeat(layers.Dense(3), symbols("n")[0])(Input((4,)))


def test_free_depth_loop_becomes_a_repeat_and_matches_keras():
    run = load_fixture("gpt_decoder")["runs"][0]
    model = gpt(GPT2_SMALL)
    s = summarize(model)
    assert s.symbols == ["n_layer"]
    assert [r.type for r in s.rows].count("Repeat") == 1
    assert s.subs(n_layer=run["bindings"]["n_layer"]).total == run["total"] == 124_439_808


# ---- the worked studies -----------------------------------------------------------------


def test_gpt2_small_count_and_kaplan_leading_term():
    run = load_fixture("gpt_decoder")["runs"][0]
    s = summarize(gpt())
    assert set(s.symbols) == {"vocab", "n_ctx", "d_model", "n_layer", "n_heads"}
    assert s.subs(**run["bindings"]).total == run["total"] == 124_439_808
    embeddings = sum(r.params for r in s.rows if r.type == "Embedding")
    non_embedding = sympy.expand(s.total - embeddings)
    d_model, n_layer = sympy.Symbol("d_model", positive=True, integer=True), \
        sympy.Symbol("n_layer", positive=True, integer=True)
    assert scaling.leading_term(non_embedding, "d_model") == 12 * n_layer * d_model ** 2


def test_gpt_forward_flops_per_token_match_kaplan_at_leading_order():
    s = summarize(gpt())
    c = compute(gpt())
    names = {x.name: x for x in c.flops.free_symbols | s.total.free_symbols}
    n_ctx, n_layer, d_model = names["n_ctx"], names["n_layer"], names["d_model"]
    per_token = sympy.expand(c.flops / n_ctx)
    kaplan_n = 12 * n_layer * d_model ** 2                 # Kaplan et al. (2020), Table 1
    kaplan = 2 * kaplan_n + 2 * n_layer * n_ctx * d_model
    for size in ("d_model", "n_ctx"):
        assert scaling.leading_term(per_token, size) == scaling.leading_term(sympy.expand(kaplan), size)
    gap = sympy.expand(scaling.smooth(per_token) - kaplan)
    assert scaling.degree(gap, "d_model") < 2 and scaling.degree(gap, "n_ctx") < 1


def test_mobilenet_width_multiplier_reproduces_keras_applications():
    apps = load_fixture("applications")
    s = summarize(read_file(str(EXAMPLES / "mobilenet_v1.py")).model)
    assert s.symbols == ["alpha"]
    for alpha in ("1.0", "0.75", "0.5", "0.25"):
        assert s.subs(alpha=alpha).total == apps[f"mobilenet_v1_alpha_{alpha}"]
    assert apps["mobilenet_v1_alpha_1.0"] == 4_253_864


def test_mobilenet_mult_adds_match_the_paper():
    """Howard et al. (2017), Table 6: 569, 325, 149 and 41 million Mult-Adds."""
    c = compute(read_file(str(EXAMPLES / "mobilenet_v1.py")).model)
    published = {"1.0": 569, "0.75": 325, "0.5": 149, "0.25": 41}
    for alpha, millions in published.items():
        assert round(c.subs({"alpha": alpha}).macs / 10 ** 6) == millions


def test_depthwise_separable_saving_is_one_over_n_plus_one_over_dk_squared():
    result = read_file(str(EXAMPLES / "depthwise_separable.py"))
    standard, separable = result.pick("standard"), result.pick("separable")
    ratio = scaling.ratio(compute(separable).macs, compute(standard).macs)
    N, D_K = (next(s for s in ratio.free_symbols if s.name == n) for n in ("N", "D_K"))
    assert sympy.simplify(ratio - (1 / N + 1 / D_K ** 2)) == 0
    assert sympy.simplify(scaling.ratio(summarize(separable).total, summarize(standard).total)
                          - (1 / N + 1 / D_K ** 2)) == 0


def test_resolution_cancels_from_parameters_but_not_from_flops():
    result = read_file(str(EXAMPLES / "depthwise_separable.py"))
    model = result.pick("standard")
    assert "D_F" not in {s.name for s in summarize(model).total.free_symbols}
    assert "D_F" in {s.name for s in compute(model).flops.free_symbols}


# ---- algebra ------------------------------------------------------------------------------


def mlp_summary():
    return summarize(read_source(model_source("mlp_symbolic"), "m.py").model)


def test_forms_are_the_same_total():
    s = mlp_summary()
    assert sympy.expand(scaling.factored(s.total) - s.total) == 0
    for name in s.symbols:
        assert sympy.expand(scaling.collected(s.total, name) - s.total) == 0
        lead = scaling.leading_term(s.total, name)
        sym = next(x for x in s.total.free_symbols if x.name == name)
        assert sympy.limit(s.total / lead, sym, sympy.oo) == 1
        assert sympy.degree(lead, sym) == scaling.degree(s.total, name)


def test_shares_sum_to_one_and_their_limits():
    s = mlp_summary()
    shares = scaling.shares(s.rows, s.total)
    assert sympy.simplify(sum(v for _, v in shares) - 1) == 0
    limits = dict(scaling.limit_shares(s.rows, s.total, "w"))
    assert sum(limits.values()) == 1
    # the w×w layer dominates as the width grows
    assert limits[max(limits, key=limits.get)] == 1


def test_budget_solution_is_the_largest_within_budget():
    s = mlp_summary().subs(d=784, k=10)
    w = scaling.solve_budget(s.total, "w", 10 ** 6)
    assert s.subs(w=w).total <= 10 ** 6 < s.subs(w=w + 1).total


def test_crossover_is_where_the_sign_changes_for_good():
    a = Sequential([Input((10,)), layers.Dense("w"), layers.Dense("w")]).summarize()
    b = Sequential([Input((10,)), layers.Dense(50), layers.Dense("w")]).summarize()
    x = scaling.crossover(a.total, b.total, "w")
    assert x.leader == "first"
    assert a.subs(w=x.value).total > b.subs(w=x.value).total
    assert a.subs(w=x.value - 1).total <= b.subs(w=x.value - 1).total
    for v in range(x.value, x.value + 50):
        assert a.subs(w=v).total > b.subs(w=v).total


def test_sweep_rows_equal_substitution():
    s = mlp_summary().subs(d=784, k=10)
    rows = scaling.sweep(s.total, "w", [16, 32, 64])
    assert [r["total"] for r in rows] == [s.subs(w=v).total for v in (16, 32, 64)]


# ---- compute, checked against Keras's recorded weights and shapes ------------------------


def _kernel(layer: dict, name="kernel"):
    return next(math.prod(w["shape"]) for w in layer["weights"] if w["name"].endswith(name))


@pytest.mark.parametrize("stem", ["seed_cnn_004", "conv2d_variants", "dense_nd", "conv1d_variants", "conv3d"])
def test_macs_of_dense_and_conv_are_kernel_size_times_positions(stem):
    """A kernel entry is used once per output position (Dense: per input position)."""
    run = load_fixture(stem)["runs"][0]
    c = compute(read_source(model_source(stem), "m.py", run["bindings"]).model)
    macs = {r.name: r.macs for r in c.rows}
    checked = 0
    for layer in run["layers"]:
        if layer["type"] in ("Conv1D", "Conv2D", "Conv3D"):
            positions = math.prod(layer["output_shapes"][0][1:-1])
            assert macs[layer["name"]] == _kernel(layer) * positions
            checked += 1
        elif layer["type"] == "Dense":
            positions = math.prod(layer["output_shapes"][0][1:-1])
            assert macs[layer["name"]] == _kernel(layer) * positions
            checked += 1
    assert checked


def test_attention_macs_are_projections_plus_two_products():
    run = load_fixture("transformer_block")["runs"][0]
    b = run["bindings"]
    c = compute(read_source(model_source("transformer_block"), "m.py", b).model)
    mha = next(l for l in run["layers"] if l["type"] == "MultiHeadAttention")
    kernels = sum(math.prod(w["shape"]) for w in mha["weights"] if w["name"].endswith("kernel"))
    key_dim = b["d_model"] // b["heads"]
    products = 2 * b["heads"] * b["seq"] * b["seq"] * key_dim
    assert next(r.macs for r in c.rows if r.type == "MultiHeadAttention") == kernels * b["seq"] + products


def test_causal_attention_counts_the_lower_triangle():
    x = Input((10, 8))
    full = Model(x, layers.MultiHeadAttention(2, 4)(x, x))
    x2 = Input((10, 8))
    causal = Model(x2, layers.MultiHeadAttention(2, 4)(x2, x2, use_causal_mask=True))
    gap = compute(full).macs - compute(causal).macs
    assert gap == 2 * 2 * 4 * (10 * 10 - 10 * 11 // 2)


def test_shared_layer_computes_at_every_call():
    run = load_fixture("shared_layer")["runs"][0]
    c = compute(read_source(model_source("shared_layer"), "m.py").model)
    dense = next(l for l in run["layers"] if l["name"] == "dense")
    assert next(r.macs for r in c.rows if r.name == "dense") == 2 * _kernel(dense)


# ---- memory ---------------------------------------------------------------------------------


def test_training_memory_accounting():
    t, nt = sympy.Symbol("t", positive=True), sympy.Symbol("u", positive=True)
    adam = training_memory(t, nt, "adam", "fp32")
    assert sympy.expand(adam.total - (16 * t + 4 * nt)) == 0
    mixed = training_memory(t, nt, "adamw", "mixed-bf16")
    assert mixed.master_weights == 4 * t and sympy.expand(mixed.total - (16 * t + 2 * nt)) == 0
    assert sympy.expand(training_memory(t, 0, "sgd").total - 8 * t) == 0
    assert sympy.expand(training_memory(t, 0, "momentum").total - 12 * t) == 0


# ---- the command -----------------------------------------------------------------------------


def scale(capsys, *args):
    code = main(["scale", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_scale_json(capsys):
    code, out, err = scale(capsys, str(EXAMPLES / "mlp_symbolic.py"), "--subs", "n_in=784",
                           "--subs", "num_classes=10", "--budget", "1e6", "--solve", "width",
                           "--sweep", "width=16,32", "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    total = sympy.sympify(data["total"])
    assert sympy.expand(sympy.sympify(data["expanded"]) - total) == 0
    assert sympy.expand(sympy.sympify(data["factored"]) - total) == 0
    assert set(data["leading"]) == {"width"}
    w = data["solution"]["width"]
    assert total.subs("width", w) <= 10 ** 6 < total.subs("width", w + 1)
    assert data["sweep"] == [{"width": v, "total": int(total.subs("width", v))} for v in (16, 32)]


def test_scale_csv_and_markdown_sweeps(capsys):
    args = [str(EXAMPLES / "mlp_symbolic.py"), "--subs", "n_in=784", "--subs", "num_classes=10",
            "--sweep", "width=16,32", "--flops"]
    code, out, err = scale(capsys, *args, "--format", "csv")
    assert out.splitlines()[0] == "width,total,flops" and len(out.splitlines()) == 3
    code, out, err = scale(capsys, *args, "--format", "markdown")
    assert out.startswith("| width | total | flops |")


def test_plot(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    for suffix, magic in ((".png", b"\x89PNG"), (".svg", b"<?xml")):
        target = tmp_path / f"plot{suffix}"
        code, out, err = scale(capsys, str(EXAMPLES / "mlp_symbolic.py"), "--subs", "n_in=784",
                               "--subs", "num_classes=10", "--sweep", "width=16,64,256,1024",
                               "--flops", "--plot", str(target))
        assert code == 0, err
        assert target.read_bytes().startswith(magic)
    # The figure says which sizes it holds fixed while the swept one varies.
    svg = (tmp_path / "plot.svg").read_text()
    assert "width varies; held: n_in = 784, num_classes = 10" in svg


def one_error(code, err):
    assert code == 2 and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    return err.strip()


def test_plot_without_matplotlib(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    code, out, err = scale(capsys, str(EXAMPLES / "mlp_symbolic.py"), "--subs", "n_in=784",
                           "--subs", "num_classes=10", "--sweep", "width=16,64",
                           "--plot", str(tmp_path / "p.png"))
    assert "pip install 'symparams[plot]'" in one_error(code, err)


@pytest.mark.parametrize("args,needle", [
    (["--subs", "n_in=784", "--subs", "num_classes=10", "--budget", "1e6", "--solve", "depth"],
     "does not depend on 'depth'"),
    (["--subs", "n_in=784", "--subs", "num_classes=10", "--budget", "10", "--solve", "width"],
     "below the smallest model"),
    (["--subs", "n_in=784", "--budget", "1e6", "--solve", "width"], "also depends on num_classes"),
    (["--sweep", "width=16,0,32"], "must be positive"),
    (["--sweep", "width=-4"], "must be positive"),
    (["--budget", "1e6"], "go together"),
    (["--format", "csv"], "prints the --sweep table"),
    (["--budget", "lots", "--solve", "width"], "positive number"),
])
def test_scale_bad_input(capsys, args, needle):
    code, out, err = scale(capsys, str(EXAMPLES / "mlp_symbolic.py"), *args)
    assert needle in one_error(code, err)


# ---- any model: PyTorch files and config files ---------------------------------------


def test_scale_reads_pytorch_code_and_its_compute_is_torchs(capsys):
    """A PyTorch file scales as a Keras one does: its total and MACs are what PyTorch and
    torch.utils.flop_counter recorded (FLOPs = 2·MACs), each layer of an unlike Sequential
    a share of its own."""
    from torch_api import SOURCES, load_torch_fixture
    run = load_torch_fixture("alexnet")["runs"][0]
    size = ",".join(str(n) for n in run["input_size"])
    code = main(["scale", str(SOURCES / "alexnet.py"), "--flops", "--input-size", size, "--format", "json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    report = json.loads(out)
    assert report["total"] == run["total"] and report["flops"] == run["flop_counter"]["total"]
    convs = {k: v for k, v in run["flop_counter"]["modules"].items() if k.count(".") == 1}
    assert set(report["shares"]) == set(convs)
    assert "batch included" in report["convention"]


def test_scale_reads_a_config_file(capsys):
    record = json.loads((Path(__file__).resolve().parents[1] / "fixtures" / "transformers" / "gpt2.json").read_text())
    code = main(["scale", str(Path(__file__).resolve().parents[2] / record["config"]), "--format", "json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    report = json.loads(out)
    assert report["total"] == record["models"]["GPT2LMHeadModel"]["num_parameters"]
    # the 12 decoder layers are one part: alike blocks are one share
    assert "transformer.h.*" in report["shares"] and not any(".h.0" in k for k in report["shares"])


def test_pytorch_compute_needs_a_forward_pass(capsys):
    from torch_api import SOURCES
    code = main(["scale", str(SOURCES / "alexnet.py"), "--flops"])
    _, err = capsys.readouterr()
    assert code == 2 and err.count("\n") == 1 and "--input-size" in err
