#!/usr/bin/env python3
"""Record ground truth from real Keras 3 for every fixture model.

    python tools/record_keras_fixtures.py            # all models
    python tools/record_keras_fixtures.py vgg16 mlp  # some, by file stem
    python tools/record_keras_fixtures.py --exam variants.json 12   # a sample of exam variants

Each model is a Keras source file in ``tests/fixtures/models/``, or an example in
``examples/`` that has a ``# bindings:`` line (the worked studies). A comment line

    # bindings: [{"w": 16}, {"w": 64}]

lists values for the names the file leaves free; the model is built once per
binding. For every build the script writes what ``model.summary()`` shows and
more (per layer: type, output shapes, weights with names, shapes and trainable
flags, inbound layers; totals) to ``tests/fixtures/keras/<stem>.json``.

Keras is not a dependency of symparams: on first use the script makes its own
virtual environment (``.cache/keras-venv``) with Keras and the JAX CPU
backend, and re-runs itself there. The tests read only the JSON.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from keras_env import ROOT, keras_environ, keras_python  # noqa: E402

MODELS = ROOT / "tests" / "fixtures" / "models"
EXAMPLES = ROOT / "examples"
OUT = ROOT / "tests" / "fixtures" / "keras"


def ensure_keras() -> None:
    try:
        import keras  # noqa: F401
        return
    except ImportError:
        pass
    python = keras_python()
    sys.exit(subprocess.call([str(python), __file__, *sys.argv[1:]], env=keras_environ()))


def read_bindings(source: str) -> list[dict]:
    for line in source.splitlines():
        if line.startswith("# bindings:"):
            return json.loads(line.split(":", 1)[1])
    return [{}]


def weight_path(layer, variable) -> str:
    path = variable.path
    prefix = layer.name + "/"
    return path[len(prefix):] if path.startswith(prefix) else path


def record_layer(layer, relevant_nodes) -> dict:
    import math

    # Operators on tensors (``x + y``) are Keras operations, not layers: no weights.
    trainable_weights = getattr(layer, "trainable_weights", [])
    non_trainable_weights = getattr(layer, "non_trainable_weights", [])
    trainable_ids = {id(v) for v in trainable_weights}
    weights = [{"name": weight_path(layer, v), "shape": list(v.shape),
                "trainable": id(v) in trainable_ids} for v in getattr(layer, "weights", [])]
    inbound = []
    for node in layer._inbound_nodes:
        if relevant_nodes is not None and node not in relevant_nodes:
            continue
        for kt in node.input_tensors:
            inbound.append(kt._keras_history.operation.name)
    shapes = []
    if layer._inbound_nodes:
        outs = layer._inbound_nodes[-1].output_tensors
        import keras
        shapes = [list(t.shape) for t in keras.tree.flatten(outs)]
    elif getattr(layer, "_build_shapes_dict", None):
        # A subclassed model's layers have no graph nodes: the summary asks Keras's own
        # helper, which computes the output from the shapes the layer was built with.
        # It prints "?" for a user's own layer there: that shape is not recorded (None).
        import ast as _ast
        import re as _re
        from keras.src.utils.summary_utils import format_layer_shape
        text = _re.sub(r"\[/?[^\]]*\]", "", format_layer_shape(layer))
        if text.strip() == "?":
            shapes = None
        else:
            value = _ast.literal_eval(text)
            shapes = [list(v) for v in value] if value and isinstance(value[0], tuple) else [list(value)]
    params = layer.count_params() if getattr(layer, "built", False) and hasattr(layer, "count_params") else 0
    return {
        "name": layer.name,
        "type": type(layer).__name__,
        "output_shapes": shapes,
        "params": int(params),
        "trainable": int(sum(math.prod(v.shape) for v in trainable_weights)),
        "non_trainable": int(sum(math.prod(v.shape) for v in non_trainable_weights)),
        "weights": weights,
        "inbound": inbound,
    }


def find_model(namespace: dict):
    import keras

    if isinstance(namespace.get("model"), keras.Model):
        return namespace["model"]
    models = [v for v in namespace.values() if isinstance(v, keras.Model)]
    if not models:
        raise RuntimeError("no model in file")
    return models[-1]


def record_model(model) -> dict:
    import math

    import keras

    graph = getattr(model, "_functional", None) or model
    relevant = set()
    for nodes in getattr(graph, "_nodes_by_depth", {}).values():
        relevant.update(nodes)
    if isinstance(model, keras.Sequential) or not hasattr(graph, "_nodes_by_depth"):
        layers = model.layers  # a Sequential, or a subclassed model: its tracked layers
    else:
        layers = model._operations
    return {
        "name": model.name,
        "class": type(model).__name__,
        "layers": [record_layer(l, relevant) for l in layers],
        "total": int(sum(math.prod(v.shape) for v in model.weights)),
        "trainable": int(sum(math.prod(v.shape) for v in model.trainable_weights)),
        "non_trainable": int(sum(math.prod(v.shape) for v in model.non_trainable_weights)),
    }


def recorded_source(path: Path) -> str:
    """The code real Keras runs for a fixture: the file, or the Keras 3 translation it names.

    A Keras 1 or 2 file that Keras 3 cannot run has a line
    ``# recorded from: other.py`` naming a faithful Keras 3 translation
    (in tests/fixtures/translations/), which states the old rule it stands for.
    """
    source = path.read_text()
    for line in source.splitlines():
        if line.startswith("# recorded from:"):
            return (ROOT / "tests" / "fixtures" / "translations" / line.split(":", 1)[1].strip()).read_text()
    return source


def record_file(path: Path) -> dict:
    import keras

    source = recorded_source(path)
    runs = []
    for bindings in read_bindings(source):
        keras.backend.clear_session()
        namespace = {k: tuple(v) if isinstance(v, list) else v for k, v in bindings.items()}
        namespace["__name__"] = "__fixture__"
        exec(compile(source, str(path), "exec"), namespace)
        run = record_model(find_model(namespace))
        run["bindings"] = bindings
        runs.append(run)
    return {"source": str(path.relative_to(ROOT)), "keras_version": keras.__version__,
            "backend": keras.backend.backend(), "runs": runs}


def model_files() -> list[Path]:
    studies = [p for p in EXAMPLES.glob("*.py") if "# bindings:" in p.read_text()]
    return sorted([*MODELS.glob("*.py"), *studies], key=lambda p: p.stem)


def record_applications() -> dict:
    """Counts of keras.applications models, to show the fixture sources equal them."""
    import keras

    apps = {}
    for name, build in [
        ("vgg16", lambda: keras.applications.VGG16(weights=None)),
        ("resnet50", lambda: keras.applications.ResNet50(weights=None)),
        *[(f"mobilenet_v1_alpha_{a}", lambda a=a: keras.applications.MobileNet(weights=None, alpha=a))
          for a in (1.0, 0.75, 0.5, 0.25)],
    ]:
        keras.backend.clear_session()
        apps[name] = int(build().count_params())
    return apps


def record_exam(path: Path, sample: int) -> Path:
    """Run a sample of an exam's variants (its JSON, written by symparams) in real Keras."""
    import keras

    data = json.loads(path.read_text())
    variants = data["variants"]
    step = max(1, len(variants) // sample)
    records = []
    for v in variants[::step][:sample]:
        keras.backend.clear_session()
        namespace = {"__name__": "__exam__"}
        exec(compile(v["source"], f"variant {v['number']}", "exec"), namespace)
        run = record_model(find_model(namespace))
        run.update({"number": v["number"], "sizes": v["sizes"]})
        # a growth question's model with its size grown: its total too
        for q in v["questions"]:
            if "grown_source" in q:
                keras.backend.clear_session()
                grown = {"__name__": "__exam__"}
                exec(compile(q["grown_source"], f"variant {v['number']} grown", "exec"), grown)
                run.setdefault("grown", {})[str(q["index"])] = int(find_model(grown).count_params())
        records.append(run)
    stem = Path(data["spec"]).stem
    out = OUT / f"exam_{stem}.json"
    out.write_text(json.dumps({"spec": data["spec"], "title": data["title"], "seed": data.get("seed"),
                               "variants": len(variants),
                               "keras_version": keras.__version__, "sample": records}, indent=1) + "\n")
    print(f"wrote {out}", file=sys.stderr)
    return out


def record_layer_classes() -> dict:
    """Every layer class keras.layers exports, by name (the catalogue symparams must cover)."""
    import inspect

    import keras

    names = sorted(n for n in dir(keras.layers) if inspect.isclass(getattr(keras.layers, n))
                   and issubclass(getattr(keras.layers, n), keras.layers.Layer))
    return {"keras_version": keras.__version__, "classes": names}


def main(argv: list[str]) -> int:
    ensure_keras()
    if argv[:1] == ["--exam"]:
        # python tools/record_keras_fixtures.py --exam variants.json [SAMPLE]
        out = record_exam(Path(argv[1]), int(argv[2]) if len(argv) > 2 else 12)
        print(f"ok   {out.relative_to(ROOT)}")
        return 0
    OUT.mkdir(parents=True, exist_ok=True)
    stems = set(argv)
    failed = 0
    for path in model_files():
        if stems and path.stem not in stems:
            continue
        try:
            data = record_file(path)
        except Exception as exc:  # report every model, then fail
            failed += 1
            print(f"FAIL {path.name}: {type(exc).__name__}: {exc}", file=sys.stderr)
            continue
        (OUT / f"{path.stem}.json").write_text(json.dumps(data, indent=1) + "\n")
        print(f"wrote {OUT / f'{path.stem}.json'}", file=sys.stderr)
        totals = ", ".join(f"{r['total']:,}" for r in data["runs"])
        print(f"ok   {path.name}: {totals}")
    if not stems or "layer_classes" in stems:
        classes = record_layer_classes()
        (OUT / "layer_classes.json").write_text(json.dumps(classes, indent=1) + "\n")
        print(f"wrote {OUT / 'layer_classes.json'}", file=sys.stderr)
        print(f"ok   keras.layers: {len(classes['classes'])} layer classes")
    if not stems or "applications" in stems:
        apps = record_applications()
        (OUT / "applications.json").write_text(json.dumps(apps, indent=1) + "\n")
        print(f"wrote {OUT / 'applications.json'}", file=sys.stderr)
        print("ok   keras.applications:", apps)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
