"""The shape of the package: imports run one way, and a layer's knowledge lives with the layer.

See docs/architecture.md. These tests read the source with ``ast``; they run nothing.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "symparams"


def modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


MODULES = modules()


def imported(module: str, path: Path) -> set[str]:
    """The package's modules that ``module`` imports, at any depth of its code (lazy imports too)."""
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level else []
            target = ".".join(base + ([node.module] if node.module else []))
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                # ``from . import bounds`` imports the module bounds, not the package.
                out.add(sub if sub in MODULES else target)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
    return {m for m in out if m in MODULES and m != module}


def test_imports_have_no_cycle():
    graph = {m: imported(m, p) for m, p in MODULES.items()}
    state: dict[str, int] = {}
    cycles = []
    for start in sorted(graph):
        if start in state:
            continue
        stack = [(start, iter(sorted(graph[start])))]
        path = [start]
        state[start] = 1
        while stack:
            node, pending = stack[-1]
            for nxt in pending:
                if state.get(nxt) == 1:
                    cycles.append(path[path.index(nxt):] + [nxt])
                elif nxt not in state:
                    state[nxt] = 1
                    path.append(nxt)
                    stack.append((nxt, iter(sorted(graph[nxt]))))
                    break
            else:
                stack.pop()
                state[path.pop()] = 2
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(c) for c in cycles)


def test_the_cycle_check_sees_lazy_imports():
    # A function-level import counts: keras/model.py imports the summary inside methods.
    assert "symparams.keras.summary" in imported("symparams.keras.model", MODULES["symparams.keras.model"])


def concrete_layer_classes() -> set[str]:
    """Every layer class defined in symparams.layers, but the base class."""
    import importlib
    import inspect

    from symparams.keras.layers.base import Layer

    names = set()
    for module in MODULES:
        if module.startswith("symparams.keras.layers."):
            for name, value in vars(importlib.import_module(module)).items():
                if inspect.isclass(value) and issubclass(value, Layer) and value is not Layer \
                        and value.__module__.startswith("symparams.keras.layers."):
                    names.add(name)
    return names


# The readers' tables of Keras names (Keras 1 spellings, tensor functions), the exam's misconception
# catalogue and the public API may name layers; nothing else outside layers/ does.
ALLOWED = {"symparams", "symparams.readers.keras.legacy", "symparams.readers.keras.tensor_ops",
           "symparams.exam.misconceptions"}


def test_no_module_outside_layers_names_a_concrete_layer():
    concrete = concrete_layer_classes()
    assert {"Dense", "Conv2D", "BaseConv", "InputLayer", "LSTM"} <= concrete
    found = []
    for module, path in sorted(MODULES.items()):
        if module.startswith("symparams.keras.layers") or module in ALLOWED:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        # Names bound to the layers package or one of its modules (``from .. import layers as L``).
        aliases = {a.asname or a.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                   for a in node.names
                   if a.name == "layers" or (node.module or "").endswith("layers")}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and "layers" in (node.module or ""):
                found += [f"{module}: imports {a.name}" for a in node.names if a.name in concrete]
            elif isinstance(node, ast.Attribute) and node.attr in concrete and \
                    isinstance(node.value, ast.Name) and node.value.id in aliases:
                found.append(f"{module}:{node.lineno}: uses .{node.attr}")
            elif isinstance(node, ast.Compare):
                parts = [node.left, *node.comparators]
                names = any(isinstance(p, ast.Attribute) and p.attr == "__name__" for p in parts)
                texts = [p.value for p in parts if isinstance(p, ast.Constant) and isinstance(p.value, str)]
                if names and any(t in concrete for t in texts):
                    found.append(f"{module}:{node.lineno}: compares a class name")
    assert not found, found


def test_every_layer_explains_itself_by_method():
    """Derivation, compute and exam ask the layer; no registry keyed by class remains."""
    for name in ("formulas.py",):
        assert not (PACKAGE / name).exists()
    source = "\n".join(p.read_text(encoding="utf-8") for p in PACKAGE.rglob("*.py"))
    for registry in ("_BUILDERS", "_RULES: dict[type", "PROSE = {", "@builds(", "@rule("):
        assert registry not in source, registry


# The adapters that turn one framework's model into the neutral result model, and each
# framework's own side: only these may ask which framework a model came from.
ADAPTERS = ("symparams.results.keras", "symparams.results.torch", "symparams.exam.views",
            "symparams.exam.torch_reading")
#: the modules above the adapters, which read every model through symparams.results
CONSUMERS = ("symparams.cli", "symparams.html", "symparams.scaling", "symparams.results", "symparams.render",
             "symparams.exam")
FRAMEWORK_CLASSES = {"Module", "Functional", "Sequential", "Model", "TorchSummary", "Summary",
                     "TorchReadResult", "ReadResult", "ConfigReadResult", "KerasResult", "TorchResult"}
FRAMEWORK_METHODS = {"named_parameters", "named_modules", "ordered_graph", "count_params", "listed_calls",
                     "trace_of", "module"}
FRAMEWORK_WORDS = {"keras", "pytorch", "torch", "Keras", "PyTorch", "tensorflow"}


def framework_checks(tree: ast.AST) -> list[tuple[int, str]]:
    """``isinstance(m, Module)``, ``hasattr(m, "named_parameters")``, ``x == "pytorch"``,
    ``name.startswith("weight")``: each a question of which framework a model came from."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and len(node.args) == 2:
            what = node.args[1]
            if node.func.id == "isinstance":
                names = [e for e in (what.elts if isinstance(what, ast.Tuple) else [what])]
                if any((isinstance(n, ast.Name) and n.id in FRAMEWORK_CLASSES) or
                       (isinstance(n, ast.Attribute) and n.attr in FRAMEWORK_CLASSES) for n in names):
                    found.append((node.lineno, "isinstance of a framework's class"))
            elif node.func.id in ("hasattr", "getattr") and isinstance(what, ast.Constant) and \
                    what.value in FRAMEWORK_METHODS:
                found.append((node.lineno, f"{node.func.id}(..., {what.value!r})"))
        elif isinstance(node, ast.Compare):
            texts = [p.value for p in (node.left, *node.comparators)
                     if isinstance(p, ast.Constant) and isinstance(p.value, str)]
            if any(t in FRAMEWORK_WORDS for t in texts):
                found.append((node.lineno, "compares with a framework's name"))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                node.func.attr == "startswith" and node.args and isinstance(node.args[0], ast.Constant) and \
                node.args[0].value in ("weight", "kernel"):
            found.append((node.lineno, "guesses the framework from a weight's name"))
    return found


def test_nothing_above_the_adapters_asks_which_framework():
    found = []
    for module, path in sorted(MODULES.items()):
        if module in ADAPTERS or not any(module == c or module.startswith(c + ".") for c in CONSUMERS):
            continue
        found += [f"{module}:{line}: {what}" for line, what in
                  framework_checks(ast.parse(path.read_text(encoding="utf-8")))]
    assert not found, found


def test_the_framework_check_finds_what_it_looks_for():
    tree = ast.parse("isinstance(m, Module)\nhasattr(model, 'named_parameters')\nif f == 'pytorch': pass\n"
                     "n.startswith('weight')\nisinstance(s, (int, TorchSummary))\n")
    assert [line for line, _ in framework_checks(tree)] == [1, 2, 3, 4, 5]
    assert framework_checks(ast.parse("isinstance(v, tuple)\nx == 'linear'\n")) == []


def module_classes() -> set[str]:
    """Every module class defined in symparams.pytorch, but the base class."""
    import importlib
    import inspect

    from symparams.pytorch.module import Module

    names = set()
    for module in MODULES:
        if module.startswith("symparams.pytorch."):
            for name, value in vars(importlib.import_module(module)).items():
                if inspect.isclass(value) and issubclass(value, Module) and value is not Module:
                    names.add(name)
    return names


# Where a class's name may be written as text: the layers and modules themselves, the readers
# (the names code is written in: their spelling tables), the Keras model classes, the public
# API, and the exam's misconception catalogue.
NAMING = ("symparams.keras.layers", "symparams.pytorch", "symparams.readers")
NAMING_MODULES = {"symparams", "symparams.keras.model", "symparams.exam.misconceptions"}


def test_no_string_outside_the_layers_names_a_layer_class():
    """A layer's name written as a string elsewhere (``type_name == "Embedding"``) is a rule
    kept away from its class; a class attribute says it instead (``input_sizes``)."""
    names = concrete_layer_classes() | module_classes()
    assert {"Dense", "Linear", "Embedding", "Conv2d"} <= names
    found = []
    for module, path in sorted(MODULES.items()):
        if module in NAMING_MODULES or any(module == n or module.startswith(n + ".") for n in NAMING):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        # docstrings and the fixed parts of f-strings (f"{prefix}Attention") are words, not names
        words = {id(n.body[0].value) for n in ast.walk(tree)
                 if isinstance(n, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                 and n.body and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
        words |= {id(v) for n in ast.walk(tree) if isinstance(n, ast.JoinedStr) for v in n.values}
        found += [f"{module}:{n.lineno}: {n.value!r}" for n in ast.walk(tree)
                  if isinstance(n, ast.Constant) and isinstance(n.value, str) and n.value in names
                  and id(n) not in words]
    assert not found, found


def test_start_up_loads_only_what_the_command_needs():
    """``import symparams`` and a Keras summary load neither the page, the diagram, the exam,
    the worked solution's engine, PyTorch's side nor jinja2 (benchmarks/startup.py times it)."""
    import subprocess
    import sys

    probe = ("import sys, io, contextlib\n"
             "import symparams\n"
             "first = set(sys.modules)\n"
             "from symparams.cli import main\n"
             "with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):\n"
             "    assert main(['summary', sys.argv[1]]) == 0\n"
             "print(' '.join(sorted(first)), '|', ' '.join(sorted(sys.modules)))\n")
    example = Path(__file__).resolve().parents[1] / "examples" / "cnn_51264.py"
    done = subprocess.run([sys.executable, "-c", probe, str(example)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    at_import, after_summary = (set(part.split()) for part in done.stdout.split("|"))
    never = ("symparams.html", "symparams.exam", "symparams.keras.derivation", "symparams.pytorch",
             "symparams.configs", "jinja2")
    assert not [m for m in after_summary if m.startswith(never)]
    assert not [m for m in at_import if m.startswith(("symparams.render", "symparams.results", *never))]
