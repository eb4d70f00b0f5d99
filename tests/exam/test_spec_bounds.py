"""An exam spec's draw is bounded: a number of tries no machine finishes is one line."""

from __future__ import annotations

from pathlib import Path

from symparams.cli import main

ROOT = Path(__file__).resolve().parents[2]


def test_max_tries_past_the_bound_is_one_line(tmp_path, capsys):
    spec = (ROOT / "templates/exam/cnn.toml").read_text()
    if "[constraints]" in spec:
        spec = spec.replace("[constraints]", "[constraints]\nmax_tries = 1000000000", 1)
    else:
        spec += "\n[constraints]\nmax_tries = 1000000000\n"
    path = tmp_path / "tries.toml"
    path.write_text(spec)
    assert main(["exam", str(path), "--format", "json"]) == 2
    err = capsys.readouterr().err
    assert "constraints.max_tries must be between 1 and 100,000, got 1,000,000,000" in err and err.count("\n") == 1


def test_a_bad_grid_value_names_grid(capsys):
    assert main(["scale", str(ROOT / "examples/gpt_decoder.py"), "--grid", "d_model=a", "--grid", "n_layer=2"]) == 2
    assert "--grid 'd_model=a': write SIZE=V1,V2,..., e.g. --grid w=16,32,64" in capsys.readouterr().err
