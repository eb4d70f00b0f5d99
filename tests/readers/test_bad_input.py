"""Bad input: one line on standard error, exit status 2, never a traceback."""

from __future__ import annotations

import textwrap

import pytest

from symparams.cli import main


def run(tmp_path, capsys, source: str, *args: str, name: str = "model.py"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(source))
    code = main(["summary", str(path), *args])
    out, err = capsys.readouterr()
    return code, out, err


def one_error(code, err) -> str:
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


SHAPES = {
    "kernel larger than its input": ("""
        model = Sequential([Input((2, 2, 1)), Conv2D(4, 3)])
        """, ["model.py:2", "conv2d", "(None, 2, 2, 1)", "kernel does not fit"]),
    "pool window larger than its input": ("""
        model = Sequential([Input((5, 1)), MaxPooling1D(6)])
        """, ["max_pooling1d", "(None, 5, 1)"]),
    "cropped to zero": ("""
        model = Sequential([Input((4, 4, 3)), Cropping2D(((2, 2), (0, 0)))])
        """, ["cropping2d", "(None, 4, 4, 3)", "would become 0"]),
    "concatenate on mismatched axes": ("""
        a = Input((4, 5)); b = Input((3, 5))
        model = Model([a, b], Concatenate()([a, b]))
        """, ["concatenate", "(None, 4, 5)", "(None, 3, 5)"]),
    "add on different shapes": ("""
        a = Input((4,)); b = Input((5,))
        model = Model([a, b], Add()([a, b]))
        """, ["'add'", "(None, 4)", "(None, 5)"]),
    "reshape whose sizes do not match": ("""
        model = Sequential([Input((6, 4)), Reshape((5, 5))])
        """, ["reshape", "(None, 6, 4)", "24 values", "25 values"]),
    "groups that do not divide the channels": ("""
        model = Sequential([Input((8, 8, 6)), Conv2D(8, 3, groups=4)])
        """, ["conv2d", "groups=4", "6 input channels"]),
    "a size that rounds down to zero": ("""
        d_model = 3
        x = Input((10, d_model))
        model = Model(x, MultiHeadAttention(num_heads=8, key_dim=d_model // 8)(x, x))
        """, ["model.py:4", "MultiHeadAttention", "key_dim must be a positive whole number, got 0"]),
    "a shared layer on another input size": ("""
        a = Input((4,)); b = Input((5,))
        d = Dense(3)
        model = Model([a, b], [d(a), d(b)])
        """, ["dense", "called again", "(None, 5)"]),
}


@pytest.mark.parametrize("case", SHAPES, ids=list(SHAPES))
def test_impossible_shapes(tmp_path, capsys, case):
    source, needles = SHAPES[case]
    code, out, err = run(tmp_path, capsys, source)
    line = one_error(code, err)
    for needle in needles:
        assert needle in line, line


def test_validity_that_depends_on_a_symbol_stays_symbolic(tmp_path, capsys):
    code, out, err = run(tmp_path, capsys, """
        model = Sequential([Input((h, w, 3)), Conv2D(8, 5), Cropping2D(2), Reshape((-1, 8))])
        """, "--format", "json")
    assert code == 0 and err == ""
    assert '"symbols": [' in out and '"h"' in out and '"w"' in out


def test_unknown_keyword_warns_with_file_and_line(tmp_path, capsys):
    code, out, err = run(tmp_path, capsys, """
        model = Sequential()
        model.add(Dense(5, input_shape=(784,), padding='same'))
        """)
    assert code == 0
    assert err.strip() == f"{tmp_path / 'model.py'}:3: warning: Dense does not take 'padding' (ignored)"
    assert "3,925" in out


def test_strict_makes_unknown_keywords_errors(tmp_path, capsys):
    code, out, err = run(tmp_path, capsys, """
        model = Sequential()
        model.add(Dense(5, input_shape=(784,), padding='same'))
        """, "--strict")
    assert "model.py:3: Dense does not take 'padding'" in one_error(code, err)


def test_unknown_layer_names_closest(tmp_path, capsys):
    code, out, err = run(tmp_path, capsys, """
        from keras import layers
        model = keras.Sequential([keras.Input((4,)), layers.Dence(3)])
        """)
    line = one_error(code, err)
    assert "model.py:3" in line and "'Dence'" in line and "closest supported: Dense" in line


def test_unknown_bare_layer_in_add_names_closest(tmp_path, capsys):
    code, out, err = run(tmp_path, capsys, """
        model = Sequential()
        model.add(Conv2d(4, 3, input_shape=(8, 8, 1)))
        """)
    line = one_error(code, err)
    assert "model.py:3" in line and "Conv2D" in line


def test_syntax_error_shows_line_and_column(tmp_path, capsys):
    code, out, err = run(tmp_path, capsys, """
        model = Sequential()
        model.add(Dense(10,, 3))
        """)
    line = one_error(code, err)
    assert "model.py:3:" in line and "syntax error" in line and "model.add(Dense(10,, 3))" in line


@pytest.mark.parametrize("source,needle", [
    ("while True:\n    pass\n", "loop ran more than"),
    ("for i in range(90000):\n    for j in range(90000):\n        pass\n", "work limit"),
    ("for i in range(10 ** 7):\n    pass\n", "loop ran more than"),
    ("def f(x):\n    return f(x)\nf(1)\n", "nest deeper"),
    ("x = [0] * 10 ** 9\n", "longer than"),
    ("x = 10 ** 10 ** 10\n", "too large"),
    ("x = 'a' * 10 ** 9\n", "longer than"),
    ("x = list(range(10 ** 9))\n", "longer than"),
], ids=["endless-while", "many-steps", "long-loop", "recursion", "big-list", "big-number", "big-string", "big-range-list"])
def test_work_is_bounded(tmp_path, capsys, source, needle):
    code, out, err = run(tmp_path, capsys, source)
    assert needle in one_error(code, err)


def test_deeply_nested_expression(tmp_path, capsys):
    code, out, err = run(tmp_path, capsys, "x = " + "(" * 5000 + "1" + ")" * 5000 + "\n")
    assert "model.py" in one_error(code, err)


def test_free_name_for_a_whole_shape_says_name_and_rank(tmp_path, capsys):
    code, out, err = run(tmp_path, capsys, """
        model = Sequential([Conv2D(32, (3, 3), input_shape=input_shape), Dense(num_classes)])
        """)
    line = one_error(code, err)
    assert "'input_shape'" in line and "rank 3" in line and "--subs input_shape=(d1, d2, d3)" in line


def test_condition_on_a_free_size_names_it(tmp_path, capsys):
    code, out, err = run(tmp_path, capsys, """
        if width > 64:
            pass
        """)
    line = one_error(code, err)
    assert "model.py:2" in line and "width" in line and "--subs" in line


def test_loop_over_a_free_count_that_changes_the_shape(tmp_path, capsys):
    code, out, err = run(tmp_path, capsys, """
        x = inputs = Input((8,))
        for _ in range(n_layers):
            x = Dense(16)(x)
        model = Model(inputs, x)
        """)
    line = one_error(code, err)
    assert "model.py:3" in line and "must keep its input shape" in line and "(None, 16)" in line


def test_loop_over_a_free_count_without_one_tensor_names_it(tmp_path, capsys):
    code, out, err = run(tmp_path, capsys, """
        sizes = []
        for i in range(n_layers):
            sizes.append(i)
        """)
    line = one_error(code, err)
    assert "n_layers" in line and "--subs n_layers=" in line


def test_no_model(tmp_path, capsys):
    code, out, err = run(tmp_path, capsys, "x = 3\n")
    assert "no Keras model" in one_error(code, err)


def test_sequential_without_input_shape(tmp_path, capsys):
    code, out, err = run(tmp_path, capsys, "model = Sequential([Conv2D(4, 3), Flatten()])\n")
    line = one_error(code, err)
    assert "no input shape" in line and "rank 3" in line


def test_user_layer_without_call(tmp_path, capsys):
    code, out, err = run(tmp_path, capsys, """
        class Block(keras.layers.Layer):
            def __init__(self):
                super().__init__()
                self.dense = Dense(4)
        x = Input(shape=(8,))
        model = Model(x, Block()(x))
        """)
    line = one_error(code, err)
    assert "Block defines no call() method" in line


def test_subclass_of_a_keras_layer(tmp_path, capsys):
    code, out, err = run(tmp_path, capsys, """
        class MyDense(Dense):
            pass
        model = Sequential([MyDense(4, input_shape=(8,))])
        """)
    assert "extends the Keras layer Dense" in one_error(code, err)


def test_lambda_the_reader_cannot_follow_names_output_shape(tmp_path, capsys):
    code, out, err = run(tmp_path, capsys, """
        import keras
        def f(t):
            return some_library.transform(t)
        x = Input(shape=(8,))
        model = Model(x, keras.layers.Lambda(f)(x))
        """)
    line = one_error(code, err)
    assert "Lambda" in line and "output_shape=" in line


def test_missing_file(capsys):
    code = main(["summary", "/nonexistent/model.py"])
    assert "/nonexistent/model.py: no such file" in one_error(code, capsys.readouterr()[1])


@pytest.mark.parametrize("subs,needle", [
    ("nonsense", "write NAME=VALUE"),
    ("=3", "write NAME=VALUE"),
    ("k=", "write NAME=VALUE"),
    ("k=(1,2", "cannot read"),
    ("other=3", "never uses"),
])
def test_bad_subs(tmp_path, capsys, subs, needle):
    code, out, err = run(tmp_path, capsys, "model = Sequential([Input((4,)), Dense(k)])\n", "--subs", subs)
    assert needle in one_error(code, err)


def test_unknown_model_name(tmp_path, capsys):
    code, out, err = run(tmp_path, capsys, "model = Sequential([Input((4,)), Dense(3)])\n",
                         "--model", "nope")
    line = one_error(code, err)
    assert "no model named 'nope'" in line and "model" in line


def test_bad_option_is_one_line(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["summary", "x.py", "--format", "pdf"])
    assert exit_.value.code == 2
    one_error(2, capsys.readouterr()[1])


@pytest.mark.parametrize("source", [
    "model = Sequential([Input((4,)), Dense(3)])\nx = model.__class__.__init__.__globals__\n",
    "x = ().__class__.__bases__\n",
    "model = Sequential([Input((4,)), Dense(3)])\nmodel.layers[0].__dict__\n",
])
def test_no_path_to_python_internals(tmp_path, capsys, source):
    code, out, err = run(tmp_path, capsys, source)
    assert "does not know the attribute" in one_error(code, err)


def test_nothing_in_the_file_is_executed(tmp_path, capsys):
    marker = tmp_path / "executed"
    code, out, err = run(tmp_path, capsys, f"""
        import os
        __import__('os').system('touch {marker}')
        os.system('touch {marker}')
        open('{marker}', 'w').write('x')
        exec("open('{marker}', 'w')")
        model = Sequential([Input((4,)), Dense(3)])
        """)
    assert code == 0
    assert not marker.exists()
