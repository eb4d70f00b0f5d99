"""Numbers put in place of free sizes give the derivation of the source read with them.

An exam reads its spec once with the drawn sizes free and derives every version by putting
its numbers in place (:mod:`symparams.in_place`). Here every fixture model is read twice:
as written, and with its whole-number arguments turned into free sizes (``Dense(64)``
becomes ``Dense(s_3)``). The second, with the numbers put back in place, must derive
exactly as the first: the same working, formulas, shapes and counts, layer by layer.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from symparams.derivation import derive, derive_reusing
from symparams.errors import SymparamsError
from symparams.in_place import NotInPlace, Numbers, put
from symparams.pytorch.derivation import derive_module
from symparams.readers import read_source
from symparams.summary import summarize

FIXTURES = Path(__file__).parent / "fixtures"
KERAS = sorted((FIXTURES / "models").glob("*.py"))
TORCH = sorted((FIXTURES / "torch_models").glob("*.py"))


def _arguments(tree: ast.AST) -> list:
    """The whole numbers (1 and up) a call takes, bare or inside a tuple or list."""
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            stack = list(node.args) + [k.value for k in node.keywords]
            while stack:
                a = stack.pop()
                if isinstance(a, (ast.Tuple, ast.List)):
                    stack.extend(a.elts)
                elif isinstance(a, ast.Constant) and type(a.value) is int and a.value >= 1:
                    out.append(a)
    return out


def _freed(source: str, chosen: set) -> tuple[str, dict]:
    """The source with the chosen arguments as free sizes, and their numbers."""
    tree = ast.parse(source)
    found = {id(c): i for i, c in enumerate(_arguments(tree))}

    class Free(ast.NodeTransformer):
        def visit_Constant(self, node):
            i = found.get(id(node))
            return ast.copy_location(ast.Name(f"s_{i}", ast.Load()), node) if i in chosen else node

    values = {f"s_{i}": c.value for i, c in enumerate(_arguments(tree)) if i in chosen}
    return ast.unparse(Free().visit(tree)), values


def _free_reading(path: Path):
    """The file read with as many of its arguments free as the reader allows (it refuses a
    condition or a loop on a free size), with their numbers; None if none can be."""
    source = path.read_text()
    n = len(_arguments(ast.parse(source)))
    chosen = set(range(n))
    try:
        text, values = _freed(source, chosen)
        return read_source(text, path.name), values
    except SymparamsError:
        pass
    chosen = set()
    for i in range(n):
        try:
            read_source(_freed(source, chosen | {i})[0], path.name)
            chosen.add(i)
        except SymparamsError:
            pass
    if not chosen:
        return None
    text, values = _freed(source, chosen)
    return read_source(text, path.name), values


def _same_summary(free, numeric, values) -> bool:
    """Whether the free reading at the numbers is the numeric one (a layer may choose a shape
    by whether a size is 1, which a free size never is: the exam checks such draws apart)."""
    a, b = summarize(free), summarize(numeric)
    numbers = Numbers(values)
    return [(r.name, numbers(r.params), put(r.output_shapes, numbers)) for r in a.rows] == \
        [(r.name, r.params, r.output_shapes) for r in b.rows]


@pytest.mark.parametrize("path", KERAS, ids=lambda p: p.stem)
def test_a_keras_model_at_numbers_derives_as_read_with_them(path):
    try:
        numeric = read_source(path.read_text(), path.name).model
    except SymparamsError:
        pytest.skip("the reader needs values for this file's sizes")
    found = _free_reading(path)
    if found is None:
        pytest.skip("no argument of this file can be left free")
    free, values = found[0].model, found[1]
    if not _same_summary(free, numeric, values):
        pytest.skip("a size at 1 changes a shape here")
    rows = summarize(free).rows
    try:
        mine = derive_reusing(free, [None] * len(rows), {}, at=values)
    except NotInPlace:
        pytest.skip("a model inside a layer: the exam reads each version's source")
    assert mine == derive(numeric)
    assert not mine.bindings and mine.closed_total is None


@pytest.mark.parametrize("path", TORCH, ids=lambda p: p.stem)
def test_a_pytorch_module_at_numbers_derives_as_read_with_them(path):
    try:
        numeric = read_source(path.read_text(), path.name)
    except SymparamsError:
        pytest.skip("the reader needs values for this file's sizes")
    found = _free_reading(path)
    if found is None:
        pytest.skip("no argument of this file can be left free")
    free, values = found
    mine = derive_module(free.module, free.trace_of(free.module), shapes=True, at=values)
    assert mine == derive_module(numeric.module, numeric.trace_of(numeric.module), shapes=True)


def test_most_fixtures_are_compared():
    """The skips above must leave most of the fixtures compared, or the tests show little."""
    compared = 0
    for path in KERAS:
        try:
            numeric = read_source(path.read_text(), path.name).model
            found = _free_reading(path)
        except SymparamsError:
            continue
        if found and _same_summary(found[0].model, numeric, found[1]) and found[1]:
            compared += 1
    assert compared >= 40, compared


def test_a_condition_on_a_free_size_is_refused():
    """``n == 2`` of a free ``n`` is neither true nor false: the reader says what it depends
    on, instead of taking Python's False (two different expressions) and the else branch."""
    source = ("import keras\nfrom keras import layers\n"
              "units = 1 if num_classes == 2 else num_classes\n"
              "model = keras.Sequential([keras.Input((8,)), layers.Dense(units)])\n")
    with pytest.raises(SymparamsError, match=r"m\.py:3: this condition depends on the free size\(s\) num_classes"):
        read_source(source, "m.py")
    for classes, units in ((2, 1), (5, 5)):
        written = source.replace("1 if num_classes == 2 else num_classes", str(units))
        assert summarize(read_source(source, "m.py", {"num_classes": classes}).model).total == \
            summarize(read_source(written, "m.py").model).total
