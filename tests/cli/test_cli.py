"""The summary command as users run it, and the JSON contract other tools rely on."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import sympy

from keras_api import load_fixture
from symparams.cli import main

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
ROOT = Path(__file__).resolve().parents[2]


def summary(capsys, *args):
    code = main(["summary", *args])
    out, err = capsys.readouterr()
    return code, out, err


def write(tmp_path, source, name="model.py"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(source))
    return str(path)


def check_contract_value(value):
    """A number is a JSON integer when it is a number, else a string sympify reads back."""
    if isinstance(value, int):
        return
    assert isinstance(value, str)
    assert not sympy.sympify(value).is_Integer


def test_json_contract(capsys):
    run = load_fixture("seed_conv_chain")["runs"][0]
    code, out, err = summary(capsys, str(FIXTURES / "models" / "seed_conv_chain.py"),
                             "--subs", "input_shape=(224, 224, 3)", "--format", "json")
    assert code == 0 and err == ""
    data = json.loads(out)
    assert set(data) == {"name", "symbols", "layers", "total", "trainable", "non_trainable"}
    assert data["symbols"] == ["num_classes"]
    for layer in data["layers"]:
        assert set(layer) == {"name", "type", "output_shapes", "params", "trainable",
                              "non_trainable", "weights", "inbound"}
        assert layer["output_shapes"][0][0] is None
        for key in ("params", "trainable", "non_trainable"):
            check_contract_value(layer[key])
        for w in layer["weights"]:
            assert set(w) == {"name", "shape", "trainable"}
    check_contract_value(data["total"])
    assert [l["name"] for l in data["layers"]] == [l["name"] for l in run["layers"]]
    assert data["layers"][0]["inbound"] == ["input_layer"]
    assert data["layers"][-1]["output_shapes"] == [[None, 218, 218, "num_classes"]]
    total = sympy.sympify(data["total"])
    assert total.subs("num_classes", run["bindings"]["num_classes"]) == run["total"]


def test_text_table_is_keras_like(capsys):
    code, out, err = summary(capsys, str(FIXTURES / "models" / "seed_dense784.py"))
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == 'Model: "sequential"'
    assert "Layer (type)" in lines[2] and "Output Shape" in lines[2] and "Param #" in lines[2]
    run = load_fixture("seed_dense784")["runs"][0]
    for layer in run["layers"]:
        assert any(f"{layer['name']} (Dense)" in l and f"{layer['params']:,}" in l for l in lines)
    assert f" Total params: {run['total']:,} (31.22 KiB)" in lines
    assert " Non-trainable params: 0 (0.00 B)" in lines


def test_functional_table_has_connections(capsys):
    code, out, err = summary(capsys, str(FIXTURES / "models" / "shared_layer.py"))
    assert "Connected to" in out and "input_layer[0][0]" in out and "dense[1][0]" in out


def test_markdown(capsys):
    code, out, err = summary(capsys, str(FIXTURES / "models" / "seed_flatten_mnist.py"), "--format", "markdown")
    assert code == 0
    assert "| Layer (type) | Output Shape | Param # |" in out
    assert "`img_cols*img_rows*nb_classes + nb_classes`" in out


def test_stdin(capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO((FIXTURES / "dialects" / "keras2_list_sequential.py").read_text()))
    code, out, err = summary(capsys, "-", "--format", "json")
    assert code == 0 and json.loads(out)["total"] == load_fixture("seed_dense784")["runs"][0]["total"]


def total_of(capsys, path, *subs):
    args = [a for s in subs for a in ("--subs", s)]
    code, out, err = summary(capsys, path, *args, "--format", "json")
    assert code == 0, err
    return json.loads(out)["total"]


def test_subs_expression_and_decimal(tmp_path, capsys):
    symbolic = write(tmp_path, """
        model = Sequential([Input((d,)), Dense(int(w * alpha)), Dense(k)])
        """)
    literal = write(tmp_path, """
        model = Sequential([Input((784,)), Dense(int(64 * 0.75)), Dense(10)])
        """, "literal.py")
    assert total_of(capsys, symbolic, "d=784", "w=64", "k=10", "alpha=0.75") == total_of(capsys, literal)
    # d bound to an expression in w: the count stays exact in the free w and k
    code, out, err = summary(capsys, symbolic, "--subs", "d=2*w", "--subs", "alpha=0.5", "--format", "json")
    data = json.loads(out)
    assert data["symbols"] == ["k", "w"]
    halved = write(tmp_path, """
        model = Sequential([Input((2 * 64,)), Dense(int(64 * 0.5)), Dense(10)])
        """, "halved.py")
    assert sympy.sympify(data["total"]).subs({"w": 64, "k": 10}) == total_of(capsys, halved)


def test_subs_overrides_a_size_the_file_sets(tmp_path, capsys):
    path = write(tmp_path, """
        num_classes = 10
        model = Sequential([Input((4,)), Dense(num_classes)])
        """)
    literal = write(tmp_path, "model = Sequential([Input((4,)), Dense(3)])\n", "literal.py")
    assert total_of(capsys, path, "num_classes=3") == total_of(capsys, literal)


def test_model_selection(tmp_path, capsys):
    path = write(tmp_path, """
        encoder = Sequential([Input((8,)), Dense(4)], name="enc")
        decoder = Sequential([Input((4,)), Dense(8)], name="dec")
        """)
    code, out, err = summary(capsys, path, "--format", "json")
    assert json.loads(out)["name"] == "dec"          # the last model built
    code, out, err = summary(capsys, path, "--model", "encoder", "--format", "json")
    assert json.loads(out)["name"] == "enc"          # by variable
    code, out, err = summary(capsys, path, "--model", "enc", "--format", "json")
    assert json.loads(out)["name"] == "enc"          # by model name
    code, out, err = summary(capsys, path, "--all", "--format", "json")
    assert [m["name"] for m in json.loads(out)] == ["enc", "dec"]
    path = write(tmp_path, """
        other = Sequential([Input((8,)), Dense(4)])
        model = Sequential([Input((4,)), Dense(8)])
        spare = Sequential([Input((2,)), Dense(1)])
        """, "prefer.py")
    code, out, err = summary(capsys, path, "--format", "json")
    assert json.loads(out)["layers"][0]["output_shapes"] == [[None, 8]]   # the variable `model` wins


@pytest.mark.slow
def test_installed_command_runs(tmp_path):
    """Every command of the installed console script, run from outside the repository."""
    exe = Path(sys.executable).parent / "symparams"
    if not exe.exists():
        pytest.skip("symparams is not installed in this environment")
    repo = Path(__file__).resolve().parents[2]
    runs = [
        (["summary", str(FIXTURES / "dialects" / "keras1_conv1d.py")],
         f"{load_fixture('seed_conv1d')['runs'][0]['total']:,}"),
        (["derive", str(FIXTURES / "dialects" / "keras1_cnn_004.py"), "--format", "text"], "801·64 = 51,264"),
        (["scale", str(repo / "examples" / "mlp_symbolic.py"), "--flops"], "Leading terms"),
    ]
    if sys.version_info >= (3, 11):  # exam specs are TOML, read with tomllib
        runs.append((["exam", str(repo / "templates" / "exam" / "rnn.toml"), "--variants", "2",
                      "--format", "markdown"], "Version 2"))
    for args, expected in runs:
        result = subprocess.run([str(exe), *args], capture_output=True, text=True, timeout=300, cwd=tmp_path)
        assert result.returncode == 0, (args, result.stderr)
        assert expected in result.stdout, args


@pytest.mark.parametrize("args,said", [
    (["examples/mlp_symbolic.py", "--subs", "widht=3"], "did you mean width?"),
    (["examples/mlp_symbolic.py", "--subs", "zzz=3"], "its free sizes are n_in, num_classes, width"),
    (["tests/fixtures/torch_models/vit_tiny.py", "--subs", "dimm=3"], "every size in it has a value"),
])
def test_unknown_subs_name_suggests(capsys, monkeypatch, args, said):
    monkeypatch.chdir(ROOT)
    assert main(["summary", *args]) == 2
    err = capsys.readouterr().err
    assert said in err and len(err.strip().splitlines()) == 1


def test_did_you_mean_works_as_printed(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    main(["summary", "examples/mlp_symbolic.py", "--subs", "widht=3"])
    guess = capsys.readouterr().err.rsplit("did you mean ", 1)[1].rstrip("?\n")
    assert main(["summary", "examples/mlp_symbolic.py", "--subs", f"{guess}=3"]) == 0


@pytest.mark.parametrize("args,names", [
    (["derive", "examples/cnn_51264.py", "-o", "{tmp}/d.tex"], ["d.tex"]),
    (["html", "examples/cnn_51264.py", "--format", "dot", "-o", "{tmp}/p.dot"], ["p.dot"]),
    (["exam", "templates/exam/cnn.toml", "--format", "markdown", "-o", "{tmp}/e.md"], ["e.md"]),
    (["exam", "templates/exam/cnn.toml", "--format", "qti", "-o", "{tmp}/q.zip"], ["q.zip"]),
    (["scale", "examples/mlp_symbolic.py", "--sweep", "width=8,16", "--plot", "{tmp}/s.svg", "--subs", "n_in=64",
      "--subs", "num_classes=64"], ["s.svg"]),
])
def test_every_file_written_is_said(capsys, monkeypatch, tmp_path, args, names):
    """A command never writes a file unannounced: each one is `wrote PATH` on stderr."""
    if "--plot" in args:
        pytest.importorskip("matplotlib")
    monkeypatch.chdir(ROOT)
    assert main([a.replace("{tmp}", str(tmp_path)) for a in args]) == 0
    err = capsys.readouterr().err
    for name in names:
        assert (tmp_path / name).is_file() and f"wrote {tmp_path / name}" in err.splitlines()


def test_a_plot_of_a_total_still_in_other_sizes_says_which(capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(ROOT)
    command = ["scale", "examples/mlp_symbolic.py", "--sweep", "width=8,16", "--plot", str(tmp_path / "s.svg")]
    assert main(command) == 2
    err = capsys.readouterr().err
    assert "n_in, num_classes" in err and len(err.splitlines()) == 1 and not (tmp_path / "s.svg").exists()
    pytest.importorskip("matplotlib")
    fix = err.split("e.g. ")[1].split()
    assert main(command + fix) == 0      # the suggestion works as printed
