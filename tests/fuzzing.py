"""The fuzz harness: hostile inputs for symparams, each run in a forked process and judged.

Shared by ``tests/readers/test_fuzz.py`` (a fixed seed and a modest count, in CI) and
``tools/fuzz.py`` (10,000 inputs, its summary in ``docs/reader.md``).

The property every input must keep: the command prints a result (exit 0) or
exactly one line on standard error with exit 2; never a traceback, never
"internal error"; it ends within ``SECONDS`` of processor time and below ``PEAK_MIB`` of
resident memory; and it creates no file. Each input runs in a child forked
from a process that has already imported symparams, so a crash (a signal),
a hang or a memory blow-up is seen from outside and costs only that child.
"""

from __future__ import annotations

import functools
import gc
import io
import os
import re
import resource
import shutil
import signal
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional, Sequence

from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"

#: processor seconds one input may take, measured in the child after import
SECONDS = 2.0
#: peak resident memory of the child (the forked process starts at the parent's size)
PEAK_MIB = 600
#: the child is killed past this, so a hang cannot stall the run
HARD_SECONDS = 15.0
_WARM: list = []


@dataclass
class Outcome:
    argv: list
    source: str
    code: Optional[int]
    signal: Optional[int]
    stdout: str
    stderr: str
    seconds: float
    peak_mib: float
    created: list = field(default_factory=list)
    #: wall-clock seconds (``seconds`` is the child's processor time, which the limit judges)
    wall: float = 0.0

    def problems(self) -> list[str]:
        """What broke the property (empty when the run was fine)."""
        found = []
        if self.signal is not None:
            found.append(f"killed by signal {self.signal}"
                         + (" (hard time limit)" if self.signal == signal.SIGKILL else ""))
        elif self.code not in (0, 2):
            found.append(f"exit status {self.code}")
        if "Traceback" in self.stderr or "internal error" in self.stderr:
            found.append("traceback or internal error")
        if self.code == 2 and len(self.stderr.strip().splitlines()) != 1:
            found.append(f"{len(self.stderr.strip().splitlines())} lines on stderr, not one")
        if self.seconds > SECONDS:
            found.append(f"took {self.seconds:.2f} s")
        if self.peak_mib > PEAK_MIB:
            found.append(f"peak memory {self.peak_mib:.0f} MiB")
        if self.created:
            found.append(f"created {', '.join(self.created)}")
        return found


def warm() -> None:
    """Import every module of symparams, once, before the first fork: each child then times
    its own work, not the import of the commands it happens to be the first to use."""
    import importlib
    import pkgutil
    import symparams
    for module in pkgutil.walk_packages(symparams.__path__, "symparams."):
        if module.name.endswith("__main__"):
            continue
        try:
            importlib.import_module(module.name)
        except ImportError:  # a module that needs an optional extra (matplotlib)
            pass


def run_isolated(argv: Sequence[str], source: str = "", extra_files: Optional[dict] = None) -> Outcome:
    """Run ``symparams ARGV`` in a forked child, in a fresh directory holding ``model.py``."""
    from symparams.cli import main
    if not _WARM:
        warm()
        _WARM.append(True)

    work = tempfile.mkdtemp(prefix="symparams-fuzz-")
    files = {"model.py": source, **(extra_files or {})}
    for name, text in files.items():
        Path(work, name).parent.mkdir(parents=True, exist_ok=True)
        Path(work, name).write_text(text, encoding="utf-8", errors="surrogateescape")
    out_path, err_path = Path(work, ".stdout"), Path(work, ".stderr")
    before = set(os.listdir(work)) | {".stdout", ".stderr"}
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:  # the child: run the command and leave, whatever happens
        # the parent's objects out of the child's collector's reach: a collection would write
        # to every one of them and copy the parent's whole heap, page by page (frozen here, not
        # in the parent, whose garbage must still be collected over a long run)
        gc.freeze()
        code = 70
        # hypothesis traces the test that forked us as it explains a failure: not the child
        sys.settrace(None)
        sys.setprofile(None)
        try:
            os.chdir(work)
            limit = 4 * 1024 ** 3
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
            out = os.open(out_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
            err = os.open(err_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
            os.dup2(out, 1)
            os.dup2(err, 2)
            sys.stdout = io.TextIOWrapper(os.fdopen(1, "wb", closefd=False), write_through=True)
            sys.stderr = io.TextIOWrapper(os.fdopen(2, "wb", closefd=False), write_through=True)
            sys.stdin = io.StringIO(source)
            try:
                code = main(list(argv))
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 2
        except BaseException:  # noqa: BLE001 - reported through the exit status
            import traceback
            traceback.print_exc()
            code = 71
        finally:
            try:
                sys.stdout.flush()
                sys.stderr.flush()
            finally:
                os._exit(code if isinstance(code, int) else 72)
    status, usage = _wait(pid, start)
    wall = time.monotonic() - start
    # judged on the child's processor time: on a shared machine its wall-clock time says as
    # much about the neighbours (the hard limit above still ends a hang by the clock)
    seconds = usage.ru_utime + usage.ru_stime
    created = sorted(set(os.listdir(work)) - before)
    stdout = out_path.read_text(errors="replace") if out_path.exists() else ""
    stderr = err_path.read_text(errors="replace") if err_path.exists() else ""
    shutil.rmtree(work, ignore_errors=True)
    return Outcome(list(argv), source,
                   os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
                   os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
                   stdout, stderr, seconds, usage.ru_maxrss / 1024, created, wall)


def _wait(pid: int, start: float):
    while True:
        done, status, usage = os.wait4(pid, os.WNOHANG)
        if done:
            return status, usage
        if time.monotonic() - start > HARD_SECONDS:
            os.kill(pid, signal.SIGKILL)
            _, status, usage = os.wait4(pid, 0)
            return status, usage
        time.sleep(0.005)


def fixed(count: int):
    """Hypothesis settings for CI: the same inputs on every run (a fixed seed, no example
    database, no deadline)."""
    from hypothesis import HealthCheck, settings
    return settings(max_examples=count, derandomize=True, deadline=None, database=None,
                    print_blob=False, suppress_health_check=list(HealthCheck))


# ---- inputs ----------------------------------------------------------------------------------

# read once: the checkout may change under a long run, and hypothesis needs the same choices
# for the same draws
@functools.lru_cache(maxsize=None)
def seed_sources() -> list[str]:
    """Real model files: every fixture, dialect file, example and seed snippet."""
    paths = sorted((FIXTURES / "models").glob("*.py")) + sorted((FIXTURES / "dialects").glob("*.py"))
    paths += sorted((ROOT / "examples").glob("*.py"))
    shared = ROOT.parent / "shared" / "seed-snippets"
    if shared.is_dir():
        paths += sorted(shared.glob("*.py"))
    return [p.read_text(encoding="utf-8") for p in paths]


#: what a mutation puts in place of a number
ODD_NUMBERS = ["0", "-1", "-3", "10**9", "10**100", "2**4096", "2.5", "1e308", "1e-308", "w", "None",
               "True", "'a'", "()", "[]", "(1, 2)", "float('nan')", "10**10**10", "x[0]", "-w"]

#: whole statements a mutation inserts
HOSTILE_STATEMENTS = [
    "t = ()\nfor i in range(400):\n    for j in range(1000):\n        t = (t,)\nd = {t: 1}",
    "x = sum(range(10**12))",
    "x = all(range(1, 10**12))",
    "import math\nx = math.prod(range(1, 10**12))",
    "x = list(map(abs, range(10**12)))",
    "out = []\nfor i in range(100000):\n    out.append([0]*1000000)",
    "x = [0]*1000\nfor i in range(4):\n    x = [x]*1000\ns = str(x)",
    "x = f'{0:>{10**9}}'",
    "x = '%*d' % (10**9, 1)",
    "x = 'a'.zfill(10**9)",
    "x = (w - w + 2) ** (10**10)",
    "layer = Dense((w + 1) ** 100000)",
    "e = w\nfor i in range(40):\n    e = e*e + 1\nlayer = Dense(e)",
    "m = Sequential()\nm.add(Dense(4, input_shape=(4,)))\nfor i in range(10**12):\n    m.add(Dense(4))",
    "x = len()", "x = round()", "x = abs()", "x = range()",
    "x = 2.0 ** 10000", "x = int(float('inf'))", "x = int(float('nan'))",
    "import math\nx = math.log2(0)", "x = range(0, 10, 0)", "x = 'abc'[::0]",
    "x = sorted([w, 1])", "x = sum(['a', 'b'])", "x = set([[]])", "x = {**1}", "x = 1 @ 2",
    "m = Sequential()\nm.pop()",
    "a = Input((4,)); b = Input((4,))\nm = Model([a, b], Dot(axes=3)([a, b]))",
    "x = inp = Input((h, w, 3))\nfor i in range(200):\n    x = Conv2D(4, 3, strides=2, padding='same')(x)\nm = Model(inp, x)",
    "x = Input((4,))\nfor i in range(3):\n    out.append(Dense(4)(x))",
    "layer = Dense(514, bogus_kw=1)",
    "x = '{0.__class__.__init__.__globals__}'.format(1)",
    "x = ().__class__.__base__.__subclasses__()",
    "__import__('os').system('touch pwned')",
    "open('pwned', 'w').write('x')",
    "exec(\"open('pwned', 'w')\")",
    "eval('1+1')",
    "import os\nos.system('touch pwned')",
    "def f(x):\n    return f(x)\nf(1)",
    "while True:\n    pass",
    "x = 'a' * 10**9", "x = [0] * 10**9", "x = 10 ** 10 ** 10",
    "x = 'a'.replace('', 'b' * 100000) * 100",
    "x = ','.join(['abc'] * 1000000)",
    "x = {}\nfor i in range(10**6):\n    x[i] = [i] * 100",
    "x = [1]\nx.append(x)\ny = [1]\ny.append(y)\nz = x == y",
    "x = 1\nfor i in range(5000):\n    x = x << 100",
    "x = " + "+".join(["1"] * 5000),
    "x = " + "(" * 300 + "1" + ")" * 300,
    "x = [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
    "x = '%s' % (('a',) * 100)",
    "x = 'abc'.format(*range(10**7))",
    "x = '{:{}}'.format(1, 10**8)",
    "x = dict.fromkeys(range(10))",
    "x = int('9' * 100000)",
    "x = float('1' * 100000)",
    "layer = Dense(units=[[[[[[[[[[1]]]]]]]]]])",
    "layer = Conv2D(w, (w, w), strides=(0, 0))",
    "layer = Dense(-5)", "layer = Dense(0)", "layer = Dense(2.5)", "layer = Dense('a')",
    "x = Input(shape=(-1, 3))", "x = Input(shape=10**30)",
    "m = Model()", "m = Sequential(5)", "m = Sequential([5])",
    "x = Input((4,))\ny = x[0]",
    "x = Input((4,))\nfor v in x:\n    pass",
    "import keras\nm = keras.applications.ResNet50()",
    "class Foo:\n    pass\nm = Foo()",
    "raise ValueError('no')",
    "assert False",
    "del model",
    "global q\nq = 1",
    "lambda: (yield)",
    "async def f():\n    await g()",
    "x = [i for i in range(10**7)]",
    "x = {i: i for i in range(10**7)}",
    "x = (i for i in range(10**12))\ny = list(x)",
    "x = b'bytes' * 10",
    "x = 1j ** 2",
    "x = divmod(w, 0)",
    "x = pow(2, 10**6)",
    "x = max()", "x = min([])", "x = zip(*[[1]] * 10**6)",
    "x = enumerate(range(10**12))",
    "x = sorted(range(10**12))",
    "x = reversed(range(10**12))",
    "x = isinstance(w, int)",
    "x = [].pop()", "x = {}.pop('a')", "x = 'a'.split(None, -1) * 10**6",
    # the file's own classes, Lambda and tensor operations
    "class A:\n    def __init__(self):\n        self.a = A()\nA()",
    "import keras\nclass L(keras.layers.Layer):\n    def call(self, x):\n        return self(x)\n"
    "i = keras.Input((4,))\nm = keras.Model(i, L()(i))",
    "import keras\nclass L(keras.layers.Layer):\n    def call(self, x):\n        return 3\n"
    "i = keras.Input((4,))\nm = keras.Model(i, L()(i))",
    "import keras\nclass M(keras.Model):\n    def __init__(self):\n        super().__init__()\n"
    "        self.d = [keras.layers.Dense(4) for _ in range(10**6)]\nm = M()",
    "x = super()", "class B(object):\n    x = super()",
    "class C(C):\n    pass", "class D(1):\n    pass",
    "import keras\ni = keras.Input((4,))\nm = keras.Model(i, keras.layers.Lambda(lambda t: t.nope)(i))",
    "import keras\ni = keras.Input((4,))\nm = keras.Model(i, keras.layers.Lambda(5)(i))",
    "import keras\nfrom keras import ops\ni = keras.Input((4,))\nm = keras.Model(i, ops.reshape(i, (10**9, 3)))",
    "import keras\nfrom keras import ops\ni = keras.Input((4,))\nm = keras.Model(i, i[::0])",
    "import keras\nfrom keras import ops\ni = keras.Input((4,))\nm = keras.Model(i, ops.transpose(i, (5, 'a')))",
    "import keras\nfrom keras import ops\nm = keras.Model(ops.arange(10**30), ops.arange(w))",
    "import keras\nfrom keras import ops\ni = keras.Input((4,))\nm = keras.Model(i, ops.sum(i, axis=2.5))",
    "import keras\nfrom keras import ops\ni = keras.Input((4,))\nm = keras.Model(i, i @ i @ 3)",
    "import keras\ni = keras.Input((4,))\nm = keras.Model(i, keras.layers.RNN([])(i))",
]

INJECTIONS = [
    "1 if [x for x in ().__class__.__base__.__subclasses__() if x.__name__ == 'catch_warnings' "
    "and x()._module.__builtins__['__import__']('os').system('touch pwned')] else 2",
    "__import__('os').system('touch pwned')",
    "exec(\"open('pwned','w')\")",
    "eval('1')",
    "(lambda: 1)()",
    "open('pwned', 'w')",
    "w.__class__",
    "[].__class__.__mro__",
    "Symbol('x')",
    "S('1+1')",
    "sympify('1')",
    "10**10**10",
    "2**100000",
    "9" * 5000,
    "None", "True", "'a'", "1,2", "1/0", "()", "(,)", "[1, [2, 3]]", "{}", "{1: 2}",
    "1e400", "-1e400", "nan", "inf", "0", "-5", "0.5", "1/3", "w", "w**w", "w**1000",
    "floor(w/2)", "min(w, 3)", "max()", "sqrt(-1)", "abs(w)", "x" * 2000, "(" * 300 + "1" + ")" * 300,
    "\x00", "\n", "w\n1", "1; import os", "f'{1}'", "b'1'", "1 if 1 else 2", "[i for i in range(3)]",
    "w.real", "w[0]", "w(1)", "not w", "w and 1", "1 < 2", "...", "*w", "**w",
]

# ---- hypothesis strategies ---------------------------------------------------------------------

_NUMBER = re.compile(r"(?<![\w.])\d+(?![\w.])")


@st.composite
def mutated_sources(draw) -> str:
    """A real model file with a few mutations (see :func:`_mutate`)."""
    return _mutate(draw, draw(st.sampled_from(seed_sources())))


def _mutate(draw, text: str, statements: Sequence[str] = HOSTILE_STATEMENTS) -> str:
    """A few mutations of ``text``: numbers swapped, lines dropped or repeated, a hostile
    statement inserted, the text cut or sprinkled with stray characters."""
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["number", "drop", "repeat", "insert", "cut", "stray", "indent"]))
        lines = text.splitlines()
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        if kind == "number":
            numbers = list(_NUMBER.finditer(text))
            if numbers:
                m = numbers[draw(st.integers(0, len(numbers) - 1))]
                text = text[:m.start()] + draw(st.sampled_from(ODD_NUMBERS)) + text[m.end():]
        elif kind == "drop":
            text = "\n".join(lines[:i] + lines[i + 1:])
        elif kind == "repeat":
            text = "\n".join(lines[:i + 1] + lines[i:i + 1] * draw(st.integers(1, 50)) + lines[i + 1:])
        elif kind == "insert":
            statement = draw(st.sampled_from(list(statements)))
            text = "\n".join(lines[:i] + [statement] + lines[i:])
        elif kind == "cut":
            text = text[:draw(st.integers(0, len(text)))]
        elif kind == "stray":
            at = draw(st.integers(0, len(text)))
            text = text[:at] + draw(st.text(max_size=4)) + text[at:]
        elif kind == "indent":
            lines[i] = " " * draw(st.integers(1, 8)) + lines[i]
            text = "\n".join(lines)
    return text


@st.composite
def hostile_programs(draw) -> str:
    """Short programs built from hostile statements around a small model."""
    parts = draw(st.lists(st.sampled_from(HOSTILE_STATEMENTS), min_size=1, max_size=3))
    model = draw(st.sampled_from([
        "model = Sequential([Input((4,)), Dense(w)])",
        "model = Sequential([Input((h, w, 3)), Conv2D(8, 3), Flatten(), Dense(num_classes)])",
        "",
    ]))
    return "\n".join(parts + [model]) + "\n"


COMMANDS = [["summary", "model.py"], ["summary", "model.py", "--format", "json"],
            ["derive", "model.py", "--format", "text"], ["scale", "model.py"]]


@st.composite
def commands(draw) -> list:
    return list(draw(st.sampled_from(COMMANDS)))


@st.composite
def injected_commands(draw) -> tuple:
    """A command with an injection string as a ``--subs`` value, on a model that uses the name."""
    value = draw(st.sampled_from(INJECTIONS))
    argv = draw(commands()) + ["--subs", f"w={value}"]
    return argv, "model = Sequential([Input((4,)), Dense(w), Dense(3)])\n"
