"""What the Keras and the PyTorch hosts do the same way, as one base class.

:class:`HostBase` holds a host's state (the file, its ``--subs`` values, the free names it
reads, its warnings), runs the file, and answers what does not depend on the framework:
``--subs`` values and free names, imports from outside the framework, sizes made from
outside values, and the file's plain classes. Each host fills in the class attributes and
the ``framework_*`` methods, and overrides a method where it behaves differently; every
such override says why.
"""

from __future__ import annotations

import ast
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Optional

import sympy

from ...core.dims import symbol
from ...core.errors import ReadError, SymparamsError
from .builtins import BUILTINS, MATH, MATH_FUNCTIONS, NUMPY_FUNCTIONS
from .hostkit import guarded_instance, sized
from .interpreter import Interpreter, Scope
from .limits import Limits
from . import project, shims
from .environment import Environment
from .project import ProjectModule
from .values import Array, Builtin, FreeName, Instance, Namespace, Opaque, SymbolicRange, UserClass


class HostBase:
    """The part of a :class:`~symparams.readers.host.Host` every framework shares."""

    #: the first part of an import the framework owns (``keras``, ``torch``)
    roots: tuple = ()
    #: values that never stand for a number: ``Dense + 1`` is an error, not a size
    not_numbers: tuple = ()
    #: the framework's own names (``torch.nn.Linear``), whose attributes name more of them
    framework_names: tuple = ()
    #: values that have a shape (``len(x.shape)``)
    tensor_types: tuple = ()
    #: values the file assigns at the top level that a ``--subs`` of the same name leaves alone
    kept_from_subs: tuple = ()
    #: what the objects counted against ``limits.layers`` are called in the message
    made_word = "layers"
    #: free names that must be real symbols, not integers (see :meth:`record_real`); a
    #: host that never reads a file twice has none
    real_names: frozenset = frozenset()

    def __init__(self, filename: str, bindings: dict, limits: Limits, deadline: Optional[float] = None):
        self.filename = filename
        #: the file the read began with (imports of its project are searched from its folder)
        self.main_file = filename
        #: the project's modules read so far, by file
        self.project_modules: dict = {}
        self.bindings = bindings
        self.limits = limits
        self.interp = Interpreter(self, filename, limits, deadline)
        self.warnings: list[str] = []
        self.used_bindings: set[str] = set()
        self.free_names: set[str] = set()
        self.root = Scope()
        #: layers (or modules) made so far, against ``limits.layers``
        self.objects_made = 0
        #: the machine the file is read as running on (``--assume`` changes it)
        self.machine = Environment()
        #: ``os.environ`` as the file sees it: empty (or what --assume env.NAME=... gives), and
        #: what the file sets (a script sets KERAS_BACKEND before importing keras)
        self.environ: dict = {}
        #: what the reader assumed that the file asked of the machine it would run on
        self.assumed: list = []
        #: ``--symbolic``: settings the file declares (module constants, dataclass fields,
        #: keyword defaults) to read as free sizes, and those freed so far with their values
        self.symbolic: frozenset = frozenset()
        self.freed: dict = {}
        self.declared_names: set = set()
        #: the file's ``assert`` statements on free sizes, as the counts assume them
        self.assertions: list = []
        #: what the read assumed of the environment, in sentences
        self.said: list = []
        #: the lines of loops over data the reader does not have, which it did not run
        self.skipped_loops: list = []
        self.conditions: list = []

    def run(self, tree: ast.Module) -> None:
        try:
            self.interp.run(tree, self.root)
            self.finish()
        except ReadError:
            raise
        except SymparamsError as exc:
            raise self.error(str(exc)) from None
        except RecursionError:
            raise self.error(self.too_deep_message()) from None

    def repeated(self, value) -> bool:
        return False

    def assume_environment(self, machine: Environment) -> None:
        """Read the file as running on ``machine`` (``--assume``)."""
        self.machine = machine
        self.environ.update(machine.variables)

    def _absent_file(self, host, args, kwargs, node) -> bool:
        """``os.path.isfile("checkpoints/best.pth")``: no file exists where the file is read
        (a checkpoint or a dataset changes no count), said once in a note; --assume files=true."""
        said = (f"took os.path checks as {self.machine.files}: " +
                ("the read's environment has no files (a checkpoint or a dataset does not change the "
                 "counts; --assume files=true to read them as there)" if not self.machine.files
                 else "--assume files=true"))
        if said not in self.said:
            self.said.append(said)
        return self.machine.files

    def declared(self, name: str, value, node):
        """A setting the file declares (``n_layer = 12`` at the top, a dataclass field, a
        keyword's default): a free size of that name if ``--symbolic`` names it."""
        self.declared_names.add(name)
        if name not in self.symbolic:
            return value
        if isinstance(value, bool) or not isinstance(value, (int, sympy.Integer)) or value <= 0:
            raise self.error(f"--symbolic {name}: the file sets {name} to {self.describe(value)}, and only "
                             "a positive whole number can become a free size", node)
        self.freed.setdefault(name, int(value))
        if name in self.bindings:
            # --symbolic n_layer,n_embd --subs n_layer=12: the --subs value binds the freed size
            self.used_bindings.add(name)
            return self.bindings[name]
        return symbol(name)

    def data_loop(self, node, parts: list, scope: Scope, over) -> None:
        """``for x, y in train_loader:``, ``for step in itertools.count():``: a loop over data the
        reader does not have runs no times here, as the model never depends on the data; but a
        loop whose body makes a layer or a module (by a class the reader can name) would count
        it an unknown number of times, and is refused in one line."""
        for part in parts:
            for call in (n for n in ast.walk(part) if isinstance(n, ast.Call)):
                maker = self._callee(call.func, scope)
                if maker is not None and self.makes_model(maker):
                    raise self.error(f"this loop runs over {over.path}, data the reader does not have, and "
                                     f"makes {ast.unparse(call.func)}(...) each time, so the count depends "
                                     "on the data; build the model outside the loop", node)
        self.skipped_loops.append(node.lineno)
        if isinstance(node, (ast.For, ast.AsyncFor)):
            self._unknown_after(node, scope, over)

    def _unknown_after(self, node, scope: Scope, over) -> None:
        """What the loop not run would have changed is unknown after it, never its value before:
        ``n_classes += 1`` per folder, ``max_len = max(max_len, len(line))``, ``chars.append(c)``.
        A size made from one is then a free size of its name, shown in the output, and a note
        says why; a model or a tensor the body uses is left as it is (training changes no count)."""
        changed: set = set()
        for stmt in node.body:
            for n in ast.walk(stmt):
                if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store):
                    changed.add(n.id)
                elif isinstance(n, ast.Subscript) and isinstance(n.ctx, ast.Store) and isinstance(n.value, ast.Name):
                    changed.add(n.value.id)
                elif isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) \
                        and isinstance(n.func.value, ast.Name):
                    changed.add(n.func.value.id)
        plain = (int, float, str, list, dict, set, tuple, sympy.Basic)
        for name in sorted(changed):
            found, value = scope.lookup(name)
            if found and isinstance(value, plain) and not isinstance(value, bool):
                scope.assign(name, FreeName(name))
                said = (f"{name} is changed by the loop over {over.path} at line {node.lineno}, which runs over "
                        f"data the reader does not have: it is a free size after it (give it with --subs "
                        f"{name}=... where a count depends on it)")
                if said not in self.said:
                    self.said.append(said)

    def _callee(self, func, scope):
        """What a call's function names, where naming it runs nothing (a name, a.b.c of modules)."""
        if isinstance(func, ast.Name):
            found, value = scope.lookup(func.id)
            return value if found else None
        if isinstance(func, ast.Attribute):
            owner = self._callee(func.value, scope)
            if isinstance(owner, (Namespace, UserClass, *self.framework_names)):
                try:
                    return self.interp.attribute(owner, func.attr, func)
                except SymparamsError:
                    return None
        return None

    def makes_model(self, value) -> bool:
        """Whether calling ``value`` makes a layer or a module: the file's own such classes here;
        each host adds its framework's."""
        return isinstance(value, UserClass) and value.kind != "plain"

    def assumes(self, text: str, condition, node) -> None:
        """An ``assert`` on free sizes: said once, as what the counts assume."""
        where = f"line {node.lineno}"
        if self.filename != self.main_file:
            import os
            where = f"{os.path.relpath(self.filename, os.path.dirname(os.path.abspath(self.main_file)))}:{node.lineno}"
        said = f"{text} ({where})"
        if said not in self.assertions:
            self.assertions.append(said)
            self.conditions.append(condition)

    def check_symbolic(self) -> None:
        """Every ``--symbolic`` name freed something: a name the file never declares is a typo."""
        unknown = sorted(self.symbolic - set(self.freed))
        if unknown:
            import difflib
            close = difflib.get_close_matches(unknown[0], sorted(self.declared_names), n=1)
            raise ReadError(f"--symbolic {unknown[0]}: the file declares no setting of that name (a "
                            "module-level constant, a dataclass field or a keyword default)"
                            + (f"; did you mean {close[0]}?" if close else ""), self.filename)

    def read_notes(self) -> list:
        """The notes that say which of the project's files were read, which of the file's
        settings ``--symbolic`` freed, and what the file asserts of its free sizes."""
        notes = list(self.said)
        if self.skipped_loops:
            lines = sorted(set(self.skipped_loops))
            notes.append(f"did not run the loop{'s' if len(lines) > 1 else ''} over data at line"
                         f"{'s' if len(lines) > 1 else ''} {', '.join(map(str, lines))} (training or "
                         "evaluation: the reader has no data, and the model does not depend on it)")
        files = [m.path for m in self.project_modules.values() if not m.path.startswith("<")]
        if files:
            import os
            notes.append("read with the project's " + ", ".join(
                os.path.relpath(f, os.path.dirname(os.path.abspath(self.main_file))) for f in files))
        if self.freed:
            notes.append("free sizes from --symbolic: " + ", ".join(f"{name} (the file sets {value:,})"
                                                                    for name, value in self.freed.items()))
        if self.assertions:
            notes.append("assumed, as the file asserts: " + "; ".join(self.assertions))
        return notes

    def repeat_items(self, node: ast.ListComp, scope: Scope, count: SymbolicRange):
        raise self.error(f"the comprehension runs {count.text} times, a free size; give it a value "
                         f"with --subs {count.text}=...", node)

    @staticmethod
    def _undefined(module: ProjectModule, name: str) -> str:
        return f"{module.path} defines no {name!r}" + ("" if module.done else
                                                       " yet (the two files import each other)")

    def standard_attribute(self, obj, attr: str, node=None):
        """What a name of the standard library's ``os`` means, or None: ``os.environ`` is the
        read's own mapping, ``os.getenv`` reads it. A module of the file's project gives its names."""
        if isinstance(obj, ProjectModule):
            if attr in obj.names():
                return obj.names()[attr]
            sub = self.project_module(f"{obj.name}.{attr}", 0, node)
            if sub is None:
                raise self.error(self._undefined(obj, attr), node)
            return sub
        if isinstance(obj, Namespace) and obj.path == "os":
            if attr == "environ":
                return self.environ
            if attr == "getenv":
                return Builtin("getenv", _getenv)
        if isinstance(obj, Namespace) and obj.path == "os.path" and attr in _FILE_CHECKS:
            return Builtin(attr, self._absent_file)
        if isinstance(obj, Namespace) and obj.path == "numpy" and attr in NUMPY_FUNCTIONS:
            # np.prod(img_shape) of a shape the file gives: the number (PyTorch-GAN's generators)
            return NUMPY_FUNCTIONS[attr]
        if isinstance(obj, Namespace) and attr in _ARRAY_MAKERS.get(obj.path, ()):
            return Builtin(attr, _ARRAY_MAKERS[obj.path][attr])
        if isinstance(obj, Array):
            if attr in ("shape", "ndim", "size"):
                return {"shape": obj.shape, "ndim": len(obj.shape), "size": obj.size}[attr]
            if attr in ("reshape", "astype", "copy"):
                return Builtin(attr, lambda host, a, k, n: _reshaped(host, obj, attr, a, n))
            return Opaque(f"an array of shape {obj.shape}.{attr}")
        return None

    def finish(self) -> None:
        """Called once the file has run, inside :meth:`run`'s error handling."""

    def too_deep_message(self) -> str:
        return ("the file's calls and expressions nest too deeply for the reader "
                f"(calls nest at most {self.limits.call_depth} deep, code "
                f"{self.limits.nesting} levels)")

    def count_made(self, n: int, node) -> None:
        """``n`` more layers (or modules) made: within the reader's limit, or a one-line error."""
        self.objects_made += n
        if self.objects_made > self.limits.layers:
            raise self.interp.over("layers", f"the file creates more than {self.limits.layers:,} "
                                             f"{self.made_word}", node)

    # ---- reporting -------------------------------------------------------------------
    def error(self, message: str, node=None) -> ReadError:
        return self.interp.error(message, node)

    def shape_of(self, value) -> Optional[tuple]:
        """The shape of a tensor or a NumPy array the file made (``len(x.shape)``, ``len(x)``), else None."""
        return value.shape if isinstance(value, (*self.tensor_types, Array)) else None

    # ---- names -----------------------------------------------------------------------
    def global_name(self, name: str, node):
        if name in self.bindings:
            self.used_bindings.add(name)
            return self.bindings[name]
        if name in BUILTINS:
            return BUILTINS[name]
        if name == "math":
            return MATH
        if name == "__name__":
            # the file is read as the program it is: its main block runs, where many
            # scripts and notebooks exported to .py build and summarise their model
            return "__main__" if self.machine.main else "__symparams_import__"
        value = self.framework_global(name)
        if value is not None:
            return value
        self.free_names.add(name)
        return FreeName(name)

    def framework_global(self, name: str) -> Any:
        """What an unbound name that is no builtin means to the framework, or None (a free name)."""
        return None

    def import_module(self, dotted: str, level: int = 0, node=None):
        if dotted.split(".")[0] in self.roots and not level:
            return self.framework_module(dotted)
        own = self.project_module(dotted, level, node)
        if own is not None:
            return own
        return MATH if dotted == "math" else Namespace(dotted, keras=False)

    def project_module(self, dotted: str, level: int = 0, node=None) -> Optional[ProjectModule]:
        """The module ``dotted`` of the file's own project, read once, or None (see project.py);
        or the reader's own source of a standard module it follows (see shims.py)."""
        from .source import parse, read_text
        if not level and dotted in shims.SOURCES:
            key = name = f"<{dotted}>"
            if key in self.project_modules:
                return self.project_modules[key]
            source = shims.SOURCES[dotted]
        else:
            path = project.find(dotted, level, self.filename, self.main_file)
            if path is None:
                return None
            key = str(path.resolve())
            if key in self.project_modules:
                return self.project_modules[key]
            if len(self.project_modules) >= project.MAX_FILES:
                raise self.error(f"the file imports more than {project.MAX_FILES} files of its project", node)
            source, _ = read_text(str(path), self.limits)
            name = str(path)
        tree = parse(source, name, self.limits)
        scope = Scope()
        scope.vars["__name__"] = dotted or Path(name).parent.name
        module = ProjectModule(scope.vars["__name__"], name, scope)
        self.project_modules[key] = module
        with self.reading(name):
            self.interp.exec_block(tree.body, scope)
        module.done = True
        return module

    @contextmanager
    def reading(self, filename: str):
        """Errors and the lines they name are those of ``filename`` while it is read."""
        saved = self.filename, self.interp.filename
        self.filename = self.interp.filename = filename
        try:
            yield
        finally:
            self.filename, self.interp.filename = saved

    def framework_module(self, dotted: str) -> Any:
        """``import <dotted>`` of one of the framework's modules."""
        raise NotImplementedError

    def import_name(self, module: str, name: str, level: int = 0, node=None):
        if (module or "").split(".")[0] in self.roots and not level:
            return self.framework_import(module, name)
        own = self.project_module(module, level, node)
        if own is not None:
            if name in own.names():
                return own.names()[name]
            sub = self.project_module(f"{module}.{name}" if module else name, level, node)
            if sub is not None:
                return sub
            raise self.error(self._undefined(own, name), node)
        if level:
            raise self.error(f"the relative import of {'.' * level}{module} finds no file beside this one", node)
        if module == "math" and name in MATH_FUNCTIONS:
            return MATH_FUNCTIONS[name]
        value = self.library_name(module, name)
        if value is not None:
            return value
        return Namespace(f"{module}.{name}", keras=False)

    def framework_import(self, module: str, name: str) -> Any:
        """``from <module> import <name>`` of one of the framework's modules."""
        raise NotImplementedError

    def library_name(self, module: str, name: str) -> Any:
        """``from <module> import <name>`` of another library the host knows, or None."""
        return None

    def note_assignment(self, name: str, value, scope: Scope) -> None:
        if scope is not self.root:
            return
        if name in self.bindings and not isinstance(value, self.kept_from_subs):
            # --subs overrides a module-level size the file sets itself.
            self.used_bindings.add(name)
            scope.vars[name] = self.bindings[name]
            return
        self.note_variable(name, value)

    def note_variable(self, name: str, value) -> None:
        """Told of each top-level variable the file assigns (the models it holds)."""

    def note_class(self, name: str, line: int) -> None:
        """Told of every class the file defines."""

    # ---- values as sizes -------------------------------------------------------------
    def size_symbol(self, value: Opaque):
        name = value.symbol_name()
        if name in self.bindings:
            # A size named after the outside value it comes from (--subs X_train_shape_1=784).
            self.used_bindings.add(name)
            return self.bindings[name]
        if not isinstance(value, FreeName):
            # a free name was recorded when global_name made it
            self.free_names.add(name)
        return symbol(name, integer=name not in self.real_names)

    def as_operand(self, value, node):
        if isinstance(value, Opaque):
            return self.size_symbol(value)
        if isinstance(value, self.not_numbers):
            raise self.error(f"{self.describe(value)} is not a number", node)
        return value

    def as_argument(self, value):
        """Turn free names into symbols inside a layer's arguments (tuples included)."""
        return sized(self, value)

    def record_real(self, value) -> None:
        """Told of a size used inside ``int()``; only a host that reads the file twice uses it."""

    # ---- the file's own classes ------------------------------------------------------
    def user_class_of(self, obj) -> Optional[UserClass]:
        if isinstance(obj, Instance):
            return obj.user_class
        return self.framework_class_of(obj)

    def framework_class_of(self, obj) -> Optional[UserClass]:
        """The file's class of a framework object made from one, else None."""
        return None

    def instance_attributes(self, obj) -> Optional[dict]:
        if isinstance(obj, Instance):
            return obj.attributes
        return self.framework_attributes(obj)

    def framework_attributes(self, obj) -> Optional[dict]:
        """The attributes the file's code reads on a framework object of its own class, else None."""
        return None

    def instantiate(self, cls: UserClass, args, kwargs, node):
        instance = guarded_instance(self, cls, args, kwargs, node)
        if instance is not None:
            return instance
        self.count_made(1, node)
        return self.framework_instance(cls, args, kwargs, node)

    def framework_instance(self, cls: UserClass, args, kwargs, node):
        """A new object of the file's class that extends a framework class (a layer, a module)."""
        raise NotImplementedError


#: what os.path says of a file: the read's environment has none (a checkpoint, a dataset)
_FILE_CHECKS = ("exists", "isfile", "isdir", "lexists", "islink")


def _array_shape(host, value, node) -> tuple:
    """A shape as NumPy takes it: a size or a tuple of sizes, each a whole number or a free size."""
    dims = tuple(value) if isinstance(value, (list, tuple)) else (value,)
    out = []
    for d in dims:
        d = host.as_operand(d, node)
        if isinstance(d, bool) or not (isinstance(d, int) or (isinstance(d, sympy.Basic) and d.is_integer)):
            raise host.error(f"an array's shape must be whole numbers, got {host.describe(d)}", node)
        out.append(d)
    return tuple(out)


def _array_maker(position: Optional[int], keyword: str = "shape", varargs: bool = False):
    """np.zeros(shape), np.full(shape, v), np.random.rand(*dims), np.random.randint(lo, hi, size)."""
    def make(host, args, kwargs, node):
        if varargs:
            return Array(_array_shape(host, tuple(args), node))
        value = kwargs.get(keyword, args[position] if position is not None and len(args) > position else None)
        if value is None:
            return Opaque(f"numpy.{keyword}")     # a single number, not an array of known shape
        return Array(_array_shape(host, value, node))
    return make


_ARRAY_MAKERS = {
    "numpy": {"zeros": _array_maker(0), "ones": _array_maker(0), "empty": _array_maker(0),
              "full": _array_maker(0)},
    "numpy.random": {"rand": _array_maker(None, varargs=True), "randn": _array_maker(None, varargs=True),
                     "random": _array_maker(0, "size"), "random_sample": _array_maker(0, "size"),
                     "uniform": _array_maker(2, "size"), "normal": _array_maker(2, "size"),
                     "randint": _array_maker(2, "size")},
}


def _reshaped(host, array: Array, method: str, args, node):
    if method != "reshape":
        return array
    shape = _array_shape(host, args[0] if len(args) == 1 else tuple(args), node)
    if any(d == -1 for d in shape):
        known = 1
        for d in shape:
            known = known * d if d != -1 else known
        shape = tuple(sympy.simplify(array.size / known) if d == -1 else d for d in shape)
    return Array(shape)


def _getenv(host, args, kwargs, node):
    """``os.getenv(key, default=None)`` on the read's own environment."""
    key = args[0] if args else kwargs.get("key")
    default = args[1] if len(args) > 1 else kwargs.get("default")
    return host.environ.get(key, default)
