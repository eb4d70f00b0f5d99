"""Nothing from outside runs, every limit ends in one line that says how to raise it.

The fuzz suite (test_fuzz.py) throws generated inputs at the CLI; these tests
pin down the specific promises: no evaluating call on outside text anywhere in
the package, the injection strings inert through every entry point, files that
are not regular refused, and each limit's suggested ``--limit`` working when
typed as printed.
"""

from __future__ import annotations

import ast
import os
import re
import shlex
import textwrap
from pathlib import Path

import pytest
import sympy

from symparams import Input, Sequential, symbols
from symparams.keras import layers
from symparams.cli import main
from symparams.core.errors import SymparamsError
from symparams.core.parse import ValueSyntaxError, as_expr, parse_text

PACKAGE = Path(__file__).resolve().parents[2] / "symparams"
INJECTION = ("1 if [x for x in ().__class__.__base__.__subclasses__() if x.__name__ == "
             "'catch_warnings' and x()._module.__builtins__['__import__']('os')"
             ".system('touch {marker}')] else 2")


def one_error(code, err) -> str:
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err and "internal error" not in err
    return lines[0]


# ---- no evaluating call on outside text ------------------------------------------------------

#: called by any name, these evaluate text; the builtins among them only when called bare
EVALUATING = {"sympify", "parse_expr", "nsimplify", "lambdify", "simplify_logic"}
BARE = {"eval", "exec", "compile", "__import__"}


def test_the_package_never_calls_an_evaluator():
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                func = node.func
                attribute = func.attr if isinstance(func, ast.Attribute) else None
                bare = func.id if isinstance(func, ast.Name) else None
                sympy_s = attribute == "S" and getattr(func.value, "id", None) == "sympy"
                name = attribute or bare
                if name in EVALUATING or bare in BARE or sympy_s:
                    found.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}: {name}()")
    assert not found, found


def test_templates_are_sandboxed(tmp_path):
    """A template cannot reach Python's internals, asked once or again (the sandbox
    remembers its verdicts by type and name: asked again, it must still refuse)."""
    from symparams.render import TemplateError, _environment, render_template
    source = (PACKAGE / "render" / "__init__.py").read_text(encoding="utf-8")
    assert "jinja2.Environment(" not in source
    (tmp_path / "globals.j2").write_text("((( x.__init__.__globals__ )))")
    (tmp_path / "mro.j2").write_text("((( t.mro )))")
    (tmp_path / "ok.j2").write_text("((( x.name )))((( x.name )))")
    env = _environment(tmp_path)
    x = type("Thing", (), {"name": "n"})()
    assert render_template(env, tmp_path, "ok.j2", {"x": x}) == "nn"
    for _ in range(2):
        for name in ("globals.j2", "mro.j2"):
            with pytest.raises(TemplateError, match="reaches for Python internals"):
                render_template(env, tmp_path, name, {"x": x, "t": int})


@pytest.mark.parametrize("command", ["summary", "derive", "scale"])
def test_injection_in_subs_creates_nothing(tmp_path, capsys, command):
    marker = tmp_path / "pwned"
    model = tmp_path / "model.py"
    model.write_text("model = Sequential([Input((4,)), Dense(w)])\n")
    code = main([command, str(model), "--subs", "w=" + INJECTION.format(marker=marker)])
    line = one_error(code, capsys.readouterr()[1])
    assert "--subs w" in line
    assert not marker.exists()


def test_injection_through_the_python_api_creates_nothing(tmp_path):
    marker = tmp_path / "pwned"
    d, w = symbols("d w")
    model = Sequential([Input((d,)), layers.Dense(w)])
    with pytest.raises(SymparamsError, match="the value of w"):
        model.subs(w=INJECTION.format(marker=marker))
    with pytest.raises(SymparamsError):
        as_expr(f"__import__('os').system('touch {marker}')")
    assert not marker.exists()


def test_injection_through_a_template_creates_nothing(tmp_path):
    from symparams import derive
    from symparams.render import TemplateError, render, default_templates
    import shutil

    marker = tmp_path / "pwned"
    templates = tmp_path / "templates"
    shutil.copytree(default_templates(), templates)
    (templates / "text" / "derivation.txt.j2").write_text(
        "(((fmt.n(\"__import__('os').system('touch " + str(marker) + "')\"))))\n")
    model = Sequential([Input((4,)), layers.Dense(3)])
    with pytest.raises(SymparamsError):
        render(derive(model), "text", templates=str(templates))
    (templates / "text" / "derivation.txt.j2").write_text(
        "(((fmt.__init__.__globals__['os'].system('touch " + str(marker) + "'))))\n")
    with pytest.raises(TemplateError, match="Python internals"):
        render(derive(model), "text", templates=str(templates))
    assert not marker.exists()


def test_injection_in_an_exam_spec_is_refused(tmp_path):
    from symparams import exam

    marker = tmp_path / "pwned"
    spec = {"source": "model = Sequential([Input((4,)), Dense(w)])",
            "sizes": {"w": [INJECTION.format(marker=marker)]},
            "questions": [{"kind": "total_params", "choices": 0}]}
    with pytest.raises(SymparamsError):
        exam.draw(exam.Spec.from_dict(spec), 1)
    assert not marker.exists()


# ---- the safe parser --------------------------------------------------------------------------

@pytest.mark.parametrize("text,value", [
    ("64", 64), ("-3", -3), ("0.75", 0.75), ("(224, 224, 3)", (224, 224, 3)), ("224,224,3", (224, 224, 3)),
    ("[1, 2]", (1, 2)), ("2*w", 2 * symbols("w")[0]), ("d_model // 8", sympy.floor(symbols("d_model")[0] / 8)),
    ("0.5*w", symbols("w")[0] / 2), ("floor(w/2) + 1", sympy.floor(symbols("w")[0] / 2) + 1),
    ("2**10", 1024), ("max(w, 3)", sympy.Max(symbols("w")[0], 3)),
])
def test_parse_text_reads_numbers_shapes_and_arithmetic(text, value):
    assert parse_text(text) == value


@pytest.mark.parametrize("text,needle", [
    ("None", "not a size"), ("True", "not a size"), ("'a'", "not a number"), ("1/0", "division by zero"),
    ("10**10**10", "4,096 bits"), ("9" * 5000, "longer than"), ("2**5000", "4,096 bits"),
    ("w.real", "only numbers"), ("(lambda: 1)()", "the only functions"), ("open('x')", "the only functions"),
    ("w**100000", "exponent"), ("(", "cannot read"), ("", "empty"),
])
def test_parse_text_refuses_everything_else(text, needle):
    with pytest.raises(ValueSyntaxError, match=re.escape(needle)):
        parse_text(text)


# ---- files that are not model files ------------------------------------------------------------

@pytest.mark.parametrize("path", ["/dev/zero", "/dev/urandom", "/dev/null"])
def test_devices_are_refused(capsys, path):
    if not os.path.exists(path):
        pytest.skip(f"{path} does not exist here")
    line = one_error(main(["summary", path]), capsys.readouterr()[1])
    assert path in line and "not a regular file" in line


def test_a_fifo_is_refused_without_waiting(tmp_path, capsys):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    line = one_error(main(["summary", str(fifo)]), capsys.readouterr()[1])
    assert "not a regular file" in line


def test_a_file_past_the_size_limit(tmp_path, capsys):
    big = tmp_path / "big.py"
    big.write_text("x = 1\n" * 400_000)
    line = one_error(main(["summary", str(big)]), capsys.readouterr()[1])
    assert "larger than 2,000,000 bytes" in line and "--limit file_bytes=" in line


# ---- each limit names itself, and the fix it prints works ----------------------------------------

LIMITED = {
    "loop_iterations": "x = Input((4,))\nfor i in range(150000):\n    pass\nmodel = Model(x, Dense(2)(x))\n",
    "steps": "x = Input((4,))\nfor i in range(600):\n    for j in range(600):\n        pass\n"
             "model = Model(x, Dense(2)(x))\n",
    "layers": "model = Sequential([Input((4,))])\nfor i in range(2100):\n    model.add(Dense(4))\n",
    "container": "s = [0] * 1500000\nmodel = Sequential([Input((4,)), Dense(len(s) // 500000)])\n",
    "call_depth": "def f(n):\n    return 1 if n == 0 else f(n - 1)\nk = f(150)\n"
                  "model = Sequential([Input((4,)), Dense(k)])\n",
}


@pytest.mark.parametrize("limit", LIMITED)
def test_a_limit_message_suggests_a_fix_that_works(tmp_path, capsys, limit):
    path = tmp_path / "model.py"
    path.write_text(LIMITED[limit])
    line = one_error(main(["summary", str(path)]), capsys.readouterr()[1])
    m = re.search(r"raise it with (--limit \S+?)\)", line)
    assert m and limit in m.group(1), line
    assert main(["summary", str(path), *shlex.split(m.group(1))]) == 0, capsys.readouterr()[1]


def test_an_unknown_limit_names_the_known_ones(tmp_path, capsys):
    path = tmp_path / "model.py"
    path.write_text("model = Sequential([Input((4,)), Dense(3)])\n")
    line = one_error(main(["summary", str(path), "--limit", "speed=3"]), capsys.readouterr()[1])
    assert "no such limit" in line and "seconds" in line and "layers" in line


def test_time_limit(tmp_path, capsys):
    path = tmp_path / "model.py"
    path.write_text("x = 0\nfor i in range(90000):\n    x = x + 1\n"
                    "model = Sequential([Input((4,)), Dense(3)])\n")
    line = one_error(main(["summary", str(path), "--limit", "seconds=0.01"]), capsys.readouterr()[1])
    assert "took too long" in line and "--limit seconds=" in line


# ---- the engine bounds its own work -----------------------------------------------------------

def test_strided_symbolic_convolutions_stop_at_the_nesting_limit(tmp_path, capsys):
    path = tmp_path / "model.py"
    path.write_text(textwrap.dedent("""
        x = inp = Input((h, w, 3))
        for i in range(200):
            x = Conv2D(4, 3, strides=2, padding='same')(x)
        model = Model(inp, x)
        """))
    line = one_error(main(["summary", str(path)]), capsys.readouterr()[1])
    assert "conv2d_" in line and "nests" in line and "--subs" in line


def test_an_expression_that_cannot_be_expanded_is_never_built():
    from symparams.core import bounds

    w = symbols("w")[0]
    e = w
    with pytest.raises(bounds.TooLarge, match="5,000 terms"):
        for _ in range(40):
            bounds.check_product(e, e)
            e = e * e + 1


def test_warnings_are_shown_only_when_the_run_succeeds(tmp_path, capsys):
    path = tmp_path / "model.py"
    path.write_text("model = Sequential()\nmodel.add(Dense(514, bogus_kw=1))\n")
    one_error(main(["summary", str(path)]), capsys.readouterr()[1])
    path.write_text("model = Sequential([Input((4,)), Dense(514, bogus_kw=1)])\n")
    assert main(["summary", str(path)]) == 0
    err = capsys.readouterr()[1]
    assert "warning" in err and "bogus_kw" in err


def test_scale_of_a_non_polynomial_total(tmp_path, capsys):
    path = tmp_path / "model.py"
    path.write_text("model = Sequential([Input((4,)), Dense(w ** k)])\n")
    line = one_error(main(["scale", str(path)]), capsys.readouterr()[1])
    assert "not a polynomial" in line and "--subs" in line


def test_attention_on_an_unknown_feature_axis(tmp_path, capsys):
    # Found by tools/fuzz.py (10,000 inputs): scale crashed on None + 0.
    path = tmp_path / "model.py"
    path.write_text("q = Input(shape=(6, None))\nv = Input(shape=(9, 10))\n"
                    "model = Model([q, v], Attention()([q, v]))\n")
    for command in ("summary", "scale", "derive"):
        line = one_error(main([command, str(path)]), capsys.readouterr()[1])
        assert "model.py:3" in line and "'attention'" in line and "known feature axis" in line


@pytest.mark.parametrize("source,needle", [
    # Found by tools/fuzz.py (10,000 inputs, seed 0): an axis too large for Python's indexing.
    ("model = Sequential([Input((16, 16, 3)), PReLU(shared_axes=[1e308, 2])])\n", "shared_axes"),
    ("model = Sequential([Input((5, 4)), Bidirectional(Dense(3))])\n", "got layer 'dense'"),
    ("x = Input((4,))\nmodel = Model(x, 3)\n", "must be tensors, got 3"),
    ("model = Sequential([Input((4,)), Dense(4)])\nmodel.add(3)\n", "model.py:2"),
])
def test_messages_name_values_in_the_users_words(tmp_path, capsys, source, needle):
    path = tmp_path / "model.py"
    path.write_text(source)
    line = one_error(main(["summary", str(path)]), capsys.readouterr()[1])
    assert needle in line and "<" not in line and "object at" not in line, line
