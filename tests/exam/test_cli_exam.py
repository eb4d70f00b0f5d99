"""The exam command as a new user meets it: the shipped specs by name from any directory,
the list of them, the LaTeX key never silently missing, file names no other command writes,
and paper sheets with room for the work a question asks for."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from symparams import exam
from symparams.cli import main

ROOT = Path(__file__).resolve().parents[2]
needs_toml = pytest.mark.skipif(sys.version_info < (3, 11), reason="tomllib is Python 3.11+")


def run(capsys, *args):
    code = main(["exam", *args])
    return (code, *capsys.readouterr())


@needs_toml
def test_a_shipped_spec_by_name_from_another_directory(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "cnn", "--variants", "2")
    assert code == 0 and "## Version 2" in out and err == ""
    code, out, err = run(capsys, "cnn.toml", "--variants", "1")
    assert code == 0 and "## Version 1" in out


@needs_toml
def test_the_repositorys_path_elsewhere_names_the_command_that_works(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "templates/exam/rnn.toml")
    assert code == 2 and len(err.strip().splitlines()) == 1
    suggested = err.split("no such file; rnn is a spec shipped with symparams: symparams exam ")[1].split()[0]
    assert suggested == "rnn"
    assert run(capsys, suggested)[0] == 0
    code, out, err = run(capsys, "nosuch")
    assert code == 2 and "cnn" in err and "torch_rnn" in err and "Traceback" not in err


@needs_toml
def test_list_names_every_shipped_spec(capsys):
    code, out, err = run(capsys, "--list")
    assert code == 0
    names = [line.split()[0] for line in out.splitlines()[:-1]]
    shipped = sorted(p.stem for p in (ROOT / "templates" / "exam").glob("*.toml"))
    assert names == shipped
    assert "Parameters of a small CNN (total_params, layer_params, flatten_size)" in out
    for name in names:
        assert run(capsys, name)[0] == 0, name


@needs_toml
def test_latex_without_output_says_how_to_get_the_key(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "cnn", "--format", "latex")
    assert code == 0 and "\\begin{document}" in out and "\\printanswers" not in out
    assert "answer key is a second document: add --key" in err
    code, out, err = run(capsys, "cnn", "--format", "latex", "--key")
    assert code == 0 and "\\printanswers" in out and err == ""
    code, out, err = run(capsys, "cnn", "--format", "latex", "-o", "cnn")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cnn-exam.tex", "cnn-key.tex"]
    assert err.splitlines() == ["wrote cnn-exam.tex", "wrote cnn-key.tex"]


@needs_toml
def test_exam_and_derive_write_different_files(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["derive", str(ROOT / "examples" / "mlp_symbolic.py"), "-o", "cnn.tex"]) == 0
    derived = (tmp_path / "cnn.tex").read_text()
    assert run(capsys, "cnn", "--format", "latex", "-o", "cnn")[0] == 0
    assert (tmp_path / "cnn.tex").read_text() == derived


@needs_toml
def test_paper_sheets_leave_room_for_numeric_answers_only():
    spec = exam.Spec.from_toml(ROOT / "templates" / "exam" / "batchnorm.toml")
    variants, _ = exam.draw(spec, 1, seed=1)
    md = exam.write(spec, variants, "markdown")
    tex = exam.write(spec, variants, "latex")
    numeric = sum(1 for q in variants[0].questions if not q.choices and not q.blanks)
    assert numeric == 2
    assert md.count("Show your work. Answer: ____") == numeric
    assert tex.count("Show your work.") == numeric and tex.count("\\makeemptybox") == numeric
    assert tex.count("\\fillin[") == numeric
    cnn = exam.Spec.from_toml(ROOT / "templates" / "exam" / "cnn.toml")       # multiple choice only
    v, _ = exam.draw(cnn, 1, seed=1)
    for text in (exam.write(cnn, v, "markdown"), exam.write(cnn, v, "latex"), exam.write(cnn, v, "moodle")):
        assert "Show your work" not in text
