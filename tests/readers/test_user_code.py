"""The code people really write: their own classes, Lambda, Keras 1 and 2, outside data.

Counts that real Keras gives are in the recorded fixtures (text_transformer,
custom_weights, siamese_lambda, mini_xception, keras1_crnn, keras2_recurrent,
functional_ops); these tests check the reader's behaviour around them: what
it says, and that every fix a message suggests works when typed as printed.
"""

from __future__ import annotations

import shlex
import textwrap

from symparams.cli import main
from symparams.readers import read_source
from symparams.keras.summary import json_size


def summary_cli(tmp_path, capsys, source: str, *args: str):
    path = tmp_path / "model.py"
    path.write_text(textwrap.dedent(source))
    code = main(["summary", str(path), "--format", "json", *args])
    out, err = capsys.readouterr()
    return code, out, err


def total(source: str, **kw) -> int:
    return json_size(read_source(textwrap.dedent(source), "model.py", **kw).model.summarize().total)


SUBCLASSED = """
    import keras
    from keras import layers

    class MLP(keras.Model):
        def __init__(self, hidden=64, num_classes=10, **kwargs):
            super(MLP, self).__init__(**kwargs)
            self.hidden = [layers.Dense(hidden, activation="relu") for _ in range(2)]
            self.out = layers.Dense(num_classes)

        def call(self, x):
            for layer in self.hidden:
                x = layer(x)
            return self.out(x)

    model = MLP(name="mlp")
    """


def test_a_subclassed_model_never_called_gets_named_input_sizes_and_says_so(tmp_path, capsys):
    import json

    code, out, err = summary_cli(tmp_path, capsys, SUBCLASSED)
    assert code == 0
    data = json.loads(out)
    assert data["name"] == "mlp" and data["symbols"] == ["input_dim"]
    assert data["total"] == "64*input_dim + 4874"
    assert "never called on an input" in err and "--input-shape" in err
    # The option the warning names, typed as a user would:
    code, out, err = summary_cli(tmp_path, capsys, SUBCLASSED, "--input-shape", "784")
    assert code == 0 and json.loads(out)["total"] == 784 * 64 + 64 + 4160 + 650 and err == ""


def test_build_and_call_give_the_same_counts():
    built = total(SUBCLASSED + "model.build((None, 784))\n")
    called = total(SUBCLASSED + "model(keras.Input(shape=(784,)))\n")
    assert built == called == 55_050


def test_plain_classes_hold_sizes_and_methods():
    source = """
        import keras
        from keras import layers

        class Config:
            d_model = 32
            layers = 2

            def __init__(self, vocab):
                self.vocab = vocab

            @property
            def ff(self):
                return 4 * self.d_model

            @staticmethod
            def double(n):
                return 2 * n

        cfg = Config(vocab=100)
        x = keras.Input(shape=(cfg.double(5),))
        h = layers.Embedding(cfg.vocab, Config.d_model)(x)
        for _ in range(cfg.layers):
            h = layers.Dense(cfg.ff)(h)
        model = keras.Model(x, h)
        """
    assert total(source) == 100 * 32 + (32 * 128 + 128) + (128 * 128 + 128)


def test_lambda_output_shape_function_and_arguments():
    source = """
        import keras
        from keras import layers, backend as K

        def scale(x, factor):
            return x * factor

        x = keras.Input(shape=(8,))
        a = layers.Lambda(scale, arguments={"factor": 2.0})(x)
        b = layers.Lambda(lambda t: K.l2_normalize(t, axis=1), output_shape=lambda s: (s[0], 8))(a)
        model = keras.Model(x, layers.Dense(3)(b))
        """
    assert total(source) == 27


def test_a_layer_name_with_a_slash_is_refused(tmp_path, capsys):
    code, out, err = summary_cli(tmp_path, capsys, """
        import keras
        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, name="block/dense")])
        """)
    assert code == 2 and "contains '/'" in err and len(err.strip().splitlines()) == 1


def test_outside_data_shape_becomes_named_sizes_and_both_fixes_work(tmp_path, capsys):
    import json

    source = """
        from keras.models import Sequential
        from keras.layers import Dense
        model = Sequential()
        model.add(Dense(64, input_shape=X_train.shape[1:]))
        model.add(Dense(10))
        """
    code, out, _ = summary_cli(tmp_path, capsys, source)
    assert code == 0 and json.loads(out)["symbols"] == ["X_train_shape_1"]
    for fix in ("--subs 'X_train=(60000, 784)'", "--subs X_train_shape_1=784"):
        code, out, err = summary_cli(tmp_path, capsys, source, *shlex.split(fix))
        assert code == 0, err
        assert json.loads(out)["total"] == 784 * 64 + 64 + 650


def test_python_2_ranges_numpy_ranges_and_backend_checks():
    source = """
        import six
        import numpy as np
        import keras
        from keras import backend as K
        from keras.layers import Dense
        if K.backend() != 'tensorflow':
            raise RuntimeError('this model needs TensorFlow')
        if not keras.__version__.startswith('3'):
            raise RuntimeError('Keras 3 only')
        model = keras.Sequential([keras.Input((4,))])
        for i in six.moves.range(2):
            model.add(Dense(4))
        for i in np.arange(3):
            model.add(Dense(2))
        """
    assert total(source) == 2 * 20 + 10 + 2 * 6


KERAS1_GRU = """
    from keras.models import Sequential
    from keras.layers import GRU, Dense
    model = Sequential()
    model.add(GRU(32, input_dim=128))
    """


def test_keras1_gru_counts_as_keras1_did_and_the_summary_says_so(tmp_path, capsys):
    import json

    code, out, err = summary_cli(tmp_path, capsys, KERAS1_GRU + "model.add(Dense(1, init='uniform'))\n")
    assert code == 0 and json.loads(out)["layers"][0]["params"] == 15_456
    assert "read as Keras 1 code (init=)" in err
    code, out, err = summary_cli(tmp_path, capsys, KERAS1_GRU, "--keras", "3")
    assert json.loads(out)["layers"][0]["params"] == 15_552


def test_keras2_files_read_positional_kernels_and_the_keras3_message_fix_works(tmp_path, capsys):
    import json

    source = """
        import keras
        from keras.layers import Conv2D
        model = keras.Sequential([keras.Input((28, 28, 1)), Conv2D(32, 3, 3, strides=(2, 2))])
        """
    code, out, err = summary_cli(tmp_path, capsys, source)
    assert code == 2 and "give --keras 2" in err and len(err.strip().splitlines()) == 1
    code, out, err = summary_cli(tmp_path, capsys, source, *shlex.split("--keras 2"))
    layer = json.loads(out)["layers"][0]
    assert code == 0 and layer["output_shapes"] == [[None, 13, 13, 32]] and layer["params"] == 320


def test_foreign_wrappers_get_one_line(tmp_path, capsys):
    for name in ("TorchModuleWrapper", "JaxLayer", "FlaxLayer", "TFSMLayer"):
        code, out, err = summary_cli(tmp_path, capsys, f"""
            import keras
            x = keras.Input((4,))
            model = keras.Model(x, keras.layers.{name}(thing)(x))
            """)
        assert code == 2 and name in err and len(err.strip().splitlines()) == 1


def test_add_weight_keras2_signature_and_a_frozen_weight():
    source = """
        import keras
        from keras import backend as K

        class Scale(keras.layers.Layer):
            def __init__(self, **kwargs):
                super(Scale, self).__init__(**kwargs)

            def build(self, input_shape):
                self.gamma = self.add_weight('gamma', (input_shape[-1],), initializer='ones')
                self.moving = self.add_weight(name='moving', shape=(input_shape[-1],), trainable=False)
                super(Scale, self).build(input_shape)

            def call(self, x):
                return x * self.gamma + self.moving

        x = keras.Input((6,))
        model = keras.Model(x, Scale(name='scale')(x))
        """
    summary = read_source(textwrap.dedent(source), "model.py").model.summarize()
    row = summary.row("scale")
    assert (json_size(row.trainable), json_size(row.non_trainable)) == (6, 6)
    assert row.type == "Scale"


def test_tensorflow_tutorial_attention_written_with_tf_ops():
    """The TensorFlow transformer tutorial's MultiHeadAttention, split_heads and all."""
    source = """
        import tensorflow as tf

        class MultiHeadAttention(tf.keras.layers.Layer):
            def __init__(self, d_model, num_heads):
                super(MultiHeadAttention, self).__init__()
                self.num_heads = num_heads
                self.d_model = d_model
                assert d_model % self.num_heads == 0
                self.depth = d_model // self.num_heads
                self.wq = tf.keras.layers.Dense(d_model)
                self.wk = tf.keras.layers.Dense(d_model)
                self.wv = tf.keras.layers.Dense(d_model)
                self.dense = tf.keras.layers.Dense(d_model)

            def split_heads(self, x, batch_size):
                x = tf.reshape(x, (batch_size, -1, self.num_heads, self.depth))
                return tf.transpose(x, perm=[0, 2, 1, 3])

            def call(self, v, k, q, mask=None):
                batch_size = tf.shape(q)[0]
                q = self.split_heads(self.wq(q), batch_size)
                k = self.split_heads(self.wk(k), batch_size)
                v = self.split_heads(self.wv(v), batch_size)
                scores = tf.matmul(q, k, transpose_b=True)
                scores = scores / tf.math.sqrt(tf.cast(self.depth, tf.float32))
                weights = tf.nn.softmax(scores, axis=-1)
                out = tf.matmul(weights, v)
                out = tf.transpose(out, perm=[0, 2, 1, 3])
                out = tf.reshape(out, (batch_size, -1, self.d_model))
                return self.dense(out)

        x = tf.keras.Input(shape=(60, d_model))
        model = tf.keras.Model(x, MultiHeadAttention(d_model, 8)(x, x, x))
        """
    summary = read_source(textwrap.dedent(source), "model.py", {"d_model": 512}).model.summarize()
    row = summary.row("multi_head_attention")
    assert json_size(row.params) == 4 * (512 * 512 + 512)
    assert [json_size(s) for s in row.output_shapes[0]] == [None, 60, 512]


def test_a_scripts_main_block_runs_as_the_program_would():
    """``if __name__ == "__main__":`` is true for the file being read, in Keras files as in
    PyTorch ones: a script that builds its model there is counted as at the top level."""
    body = ("def build(num_classes):\n"
            "    return keras.Sequential([keras.Input((28, 28, 1)), layers.Flatten(), layers.Dense(num_classes)])\n")
    head = "from tensorflow import keras\nfrom tensorflow.keras import layers\n"
    main_block = read_source(head + body + 'if __name__ == "__main__":\n    model = build(10)\n', "m.py").model
    top_level = read_source(head + body + "model = build(10)\n", "m.py").model
    assert main_block.summarize().total == top_level.summarize().total != 0


def test_the_environment_a_script_sets_is_its_own():
    """``os.environ[...] = ...`` before importing keras (keras-io's first line) and reads of
    the environment are the read's own empty mapping: the model is counted as without them."""
    model = "import keras\nfrom keras import layers\nmodel = keras.Sequential([keras.Input((8,)), layers.Dense(4)])\n"
    setup = ('import os\nos.environ["KERAS_BACKEND"] = "jax"\n'
             'assert os.environ["KERAS_BACKEND"] == os.getenv("KERAS_BACKEND") == "jax"\n'
             'assert os.getenv("HOME") is None and os.environ.get("HOME", "x") == "x"\n')
    assert read_source(setup + model, "m.py").model.summarize().total == \
        read_source(model, "m.py").model.summarize().total


def test_a_script_that_picks_its_device_is_counted_on_the_cpu():
    """``torch.device("cuda" if torch.cuda.is_available() else "cpu")``, in most tutorials, is
    read with no GPU, and a note says so; the counts do not depend on the device."""
    model = "import torch\nimport torch.nn as nn\nmodel = nn.Sequential(nn.Linear(8, 4))\n"
    device = ('device = torch.device("cuda" if torch.cuda.is_available() else "cpu")\n'
              'model = model.to(device)\n')
    read = read_source(model + device, "m.py")
    assert read.module.count() == read_source(model, "m.py").module.count()
    assert any("torch.cuda.is_available() as False" in n for n in read.notes)
