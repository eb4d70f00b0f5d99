"""Build a model file with real Keras and print model.summary(): the baseline of the benchmark.

Run by benchmarks/run.py inside the Keras environment:  python keras_summary.py FILE [NAME=VALUE ...]
"""

import sys

import keras


def main(path, pairs):
    namespace = {"__name__": "__bench__"}
    for pair in pairs:
        name, value = pair.split("=", 1)
        namespace[name] = eval(value, {})  # the benchmark's own literal values, never user input
    with open(path) as fh:
        exec(compile(fh.read(), path, "exec"), namespace)
    model = namespace.get("model") or [v for v in namespace.values() if isinstance(v, keras.Model)][-1]
    model.summary()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
