"""Python's builtins, ``math`` and the bits of ``numpy`` model code uses, on the reader's values.

Each function takes ``(host, args, kwargs, node)``: the host gives sizes for
free names (``host.as_operand``), describes values for messages, and holds the
interpreter, whose budgets every builtin charges before it builds anything.
A builtin declares how many arguments it takes; wrong arguments of any kind
end in one line that names the builtin and the line, never in a traceback.
"""

from __future__ import annotations

import ast
import math
import string
from typing import Callable, Optional

import sympy

from ...core.errors import SymparamsError
from .interpreter import python_message
from .values import Builtin, Namespace, Opaque, SymbolicRange

BUILTINS: dict[str, Builtin] = {}
#: builtins that read every item of their argument: of data the reader does not have, unknown
_OF_DATA = frozenset({"sorted", "list", "tuple", "set", "frozenset", "len", "sum", "max", "min", "enumerate",
                      "zip", "reversed", "any", "all", "map", "filter", "dict", "iter", "next"})


def checked(name: str, fn: Callable, least: int = 0, most: Optional[int] = None,
            keywords: Optional[frozenset] = frozenset()) -> Builtin:
    """A builtin whose argument count is checked and whose Python errors become one line."""
    def run(host, args, kwargs, node):
        if len(args) < least or (most is not None and len(args) > most):
            wanted = (f"{least}" if least == most else
                      f"at least {least}" if most is None else f"{least} to {most}")
            raise host.error(f"{name}() takes {wanted} argument{'s' if wanted != '1' else ''}, "
                             f"got {len(args)}", node)
        unknown = [] if keywords is None else sorted(set(kwargs) - keywords)
        if unknown:
            raise host.error(f"{name}() does not take the keyword argument {unknown[0]!r}", node)
        if name in _OF_DATA and any(type(a) is Opaque for a in args):
            # sorted(n for n in models.__dict__), len(train_dataset): of data the reader does not
            # have, an unknown value too (used as a size, a symbol the output shows)
            opaque = next(a for a in args if type(a) is Opaque)
            return Opaque(f"{name}({opaque.path})")
        try:
            return fn(host, args, kwargs, node)
        except SymparamsError:
            raise
        except (TypeError, ValueError, OverflowError, ZeroDivisionError, IndexError, KeyError,
                AttributeError) as exc:
            raise host.error(f"{name}(): {python_message(exc)}", node) from None
    return Builtin(name, run)


def builtin(name: str, least: int = 0, most: Optional[int] = None, keywords=()):
    """Register ``fn`` as the builtin ``name``; ``keywords=None`` takes any keyword."""
    def register(fn):
        BUILTINS[name] = checked(name, fn, least, most,
                                 None if keywords is None else frozenset(keywords))
        return fn
    return register


def number(host, value, node, what):
    value = host.as_operand(value, node)
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, float, sympy.Basic)):
        return value
    raise host.error(f"{what}() needs a number, got {host.describe(value)}", node)


def _finite(host, value: float, node, what: str) -> float:
    if value != value or value in (math.inf, -math.inf):
        raise host.error(f"{what}(): {value} is not a finite number", node)
    return value


def _from_text(host, convert, args, node):
    """``int('32')``, ``float('0.5')``: the text is sized first (Python's parse is quadratic)."""
    host.interp.allot(len(args[0]), node)
    return convert(*args)


@builtin("int", 0, 2)
def _int(host, args, kwargs, node):
    if not args:
        return 0
    if isinstance(args[0], str):
        return _from_text(host, int, args, node)
    value = number(host, args[0], node, "int")
    if isinstance(value, float):
        return int(_finite(host, value, node, "int"))
    if isinstance(value, sympy.Basic):
        host.record_real(value)
        if value.is_Integer:
            return int(value)
        if value.is_number:
            if not value.is_finite:
                raise host.error(f"int(): {value} is not a finite number", node)
            return int(sympy.floor(value)) if value >= 0 else int(sympy.ceiling(value))
        return sympy.floor(value)
    return int(value)


@builtin("float", 0, 1)
def _float(host, args, kwargs, node):
    if not args:
        return 0.0
    if isinstance(args[0], str):
        return _from_text(host, float, args, node)
    value = number(host, args[0], node, "float")
    if isinstance(value, sympy.Basic):
        return float(value) if value.is_number else value
    return float(value)


@builtin("round", 1, 2, keywords=("ndigits",))
def _round(host, args, kwargs, node):
    value = number(host, args[0], node, "round")
    digits = args[1] if len(args) > 1 else kwargs.get("ndigits")
    if isinstance(value, sympy.Basic) and not value.is_number:
        host.record_real(value)
        if digits is not None:
            raise host.error("round() to digits of a free size is not supported", node)
        return sympy.floor(value + sympy.Rational(1, 2))
    if isinstance(value, sympy.Basic):
        value = float(value) if not value.is_Integer else int(value)
    if isinstance(value, float):
        _finite(host, value, node, "round")
    return round(value, digits) if digits is not None else round(value)


def _extreme(kind):
    def fn(host, args, kwargs, node):
        items = host.interp.items(args[0], node) if len(args) == 1 else list(args)
        if not items:
            if "default" in kwargs:
                return kwargs["default"]
            raise host.error(f"{kind}() of an empty sequence", node)
        for item in items:
            host.interp.guard(item, node)
        values = [host.as_operand(v, node) if isinstance(v, Opaque) else v for v in items]
        if all(isinstance(v, (int, float, sympy.Basic)) and not isinstance(v, bool) for v in values):
            if any(isinstance(v, sympy.Basic) and not v.is_number for v in values):
                return (sympy.Max if kind == "max" else sympy.Min)(*values)
        return (max if kind == "max" else min)(values)
    return fn


BUILTINS["max"] = checked("max", _extreme("max"), 1, keywords=frozenset({"default"}))
BUILTINS["min"] = checked("min", _extreme("min"), 1, keywords=frozenset({"default"}))


@builtin("len", 1, 1)
def _len(host, args, kwargs, node):
    value = args[0]
    if isinstance(value, (list, tuple, str, dict, range, set, frozenset)):
        return len(value)
    shape = host.shape_of(value)
    if shape is not None:
        return len(shape)
    raise host.error(f"len() of {host.describe(value)}", node)


def _range(host, args, kwargs, node):
    values = []
    for a in args:
        v = host.as_operand(a, node)
        if isinstance(v, sympy.Basic):
            if not v.is_Integer:
                names = ", ".join(sorted(str(s) for s in v.free_symbols)) or str(v)
                if len(args) == 1 and v.free_symbols:
                    # ``for _ in range(n_layer)`` may repeat a block n_layer times.
                    return SymbolicRange(v, names)
                raise host.error(f"range() over the free size {names}: give it a value with --subs "
                                 f"{names}=...", node)
            v = int(v)
        if not isinstance(v, int) or isinstance(v, bool):
            raise host.error(f"range() needs whole numbers, got {host.describe(a)}", node)
        values.append(v)
    if len(values) == 3 and values[2] == 0:
        raise host.error("range() step must not be zero", node)
    return range(*values)


BUILTINS["range"] = checked("range", _range, 1, 3)
BUILTINS["xrange"] = checked("xrange", _range, 1, 3)   # Python 2 snippets


@builtin("print", keywords=("sep", "end", "file", "flush"))
def _print(host, args, kwargs, node):
    return None


@builtin("str", 0, 1)
def _str(host, args, kwargs, node):
    if not args:
        return ""
    return host.interp.format_value(args[0], "", node)


@builtin("repr", 1, 1)
def _repr(host, args, kwargs, node):
    value = args[0]
    if isinstance(value, (str, int, float, bool)) or value is None:
        text = repr(value)
        host.interp.allot(len(text), node)
        return text
    return host.interp.format_value(value, "", node)


@builtin("abs", 1, 1)
def _abs(host, args, kwargs, node):
    return abs(number(host, args[0], node, "abs"))


@builtin("sum", 1, 2, keywords=("start",))
def _sum(host, args, kwargs, node):
    total = args[1] if len(args) > 1 else kwargs.get("start", 0)
    for v in host.interp.items(args[0], node):
        total = host.interp.binop(ast.Add(), total, v, node)
    return total


def _container(kind, name):
    def fn(host, args, kwargs, node):
        if not args:
            return kind()
        items = host.interp.items(args[0], node)
        host.interp.allot(len(items), node)
        if kind in (set, frozenset):
            return kind(host.interp.make_set(items, node))
        return kind(items)
    BUILTINS[name] = checked(name, fn, 0, 1)


for _kind in (list, tuple, set, frozenset):
    _container(_kind, _kind.__name__)


@builtin("sorted", 1, 1, keywords=("reverse", "key"))
def _sorted(host, args, kwargs, node):
    items = host.interp.items(args[0], node)
    for item in items:
        host.interp.guard(item, node)
    key = kwargs.get("key")
    keys = items if key is None else [host.interp.call(key, [v], {}, node) for v in items]
    if any(isinstance(k, sympy.Basic) and not k.is_number for k in keys):
        raise host.error("sorted() cannot order free sizes; give them values with --subs", node)
    # about n·log2(n) comparisons, beyond the one reading of the items charged above
    host.interp.walk(len(items) * max(len(items).bit_length() - 1, 0), node, "sorted()")
    order = sorted(range(len(items)), key=lambda i: keys[i], reverse=bool(kwargs.get("reverse")))
    return [items[i] for i in order]


@builtin("reversed", 1, 1)
def _reversed(host, args, kwargs, node):
    return list(reversed(host.interp.items(args[0], node)))


@builtin("any", 1, 1)
def _any(host, args, kwargs, node):
    return any(host.interp.truth(v, node) for v in host.interp.items(args[0], node))


@builtin("all", 1, 1)
def _all(host, args, kwargs, node):
    return all(host.interp.truth(v, node) for v in host.interp.items(args[0], node))


@builtin("bool", 0, 1)
def _bool(host, args, kwargs, node):
    return host.interp.truth(args[0], node) if args else False


@builtin("dict", 0, 1, keywords=None)
def _dict(host, args, kwargs, node):
    out = {}
    if args:
        source = args[0]
        pairs = list(source.items()) if isinstance(source, dict) else host.interp.items(source, node)
        for pair in pairs:
            if not isinstance(pair, (tuple, list)) or len(pair) != 2:
                raise host.error("dict() needs pairs of key and value", node)
            out[host.interp.hashable(pair[0], node)] = pair[1]
    out.update(kwargs)
    host.interp.allot(len(out), node)
    return out


@builtin("zip", keywords=("strict",))
def _zip(host, args, kwargs, node):
    columns = [host.interp.items(a, node) for a in args]
    return list(zip(*columns))


@builtin("enumerate", 1, 2, keywords=("start",))
def _enumerate(host, args, kwargs, node):
    start = args[1] if len(args) > 1 else kwargs.get("start", 0)
    start = int(start) if isinstance(start, sympy.Basic) and start.is_Integer else start
    if not isinstance(start, int):
        raise host.error("enumerate() start must be a whole number", node)
    return list(enumerate(host.interp.items(args[0], node), start))


@builtin("map", 2)
def _map(host, args, kwargs, node):
    fn = args[0]
    columns = [host.interp.items(a, node) for a in args[1:]]
    return [host.interp.call(fn, list(items), {}, node) for items in zip(*columns)]


@builtin("filter", 2, 2)
def _filter(host, args, kwargs, node):
    fn = args[0]
    items = host.interp.items(args[1], node)
    if fn is None:
        return [v for v in items if host.interp.truth(v, node)]
    return [v for v in items if host.interp.truth(host.interp.call(fn, [v], {}, node), node)]


@builtin("isinstance", 2, 2)
def _isinstance(host, args, kwargs, node):
    value, kinds = args[0], args[1]
    kinds = kinds if isinstance(kinds, tuple) else (kinds,)
    types_ = {"int": int, "float": float, "str": str, "list": list, "tuple": tuple, "dict": dict,
              "bool": bool, "set": set}
    wanted = tuple(types_[k.name] for k in kinds if isinstance(k, Builtin) and k.name in types_)
    if isinstance(value, sympy.Basic) and int in wanted:
        return bool(value.is_integer)
    return isinstance(value, wanted) if wanted else False


@builtin("pow", 2, 2)
def _pow(host, args, kwargs, node):
    return host.interp.binop(ast.Pow(), args[0], args[1], node)


@builtin("divmod", 2, 2)
def _divmod(host, args, kwargs, node):
    return (host.interp.binop(ast.FloorDiv(), args[0], args[1], node),
            host.interp.binop(ast.Mod(), args[0], args[1], node))


def _math(fn_number, fn_symbolic, name):
    def fn(host, args, kwargs, node):
        value = number(host, args[0], node, name)
        if isinstance(value, sympy.Basic) and not value.is_number:
            host.record_real(value)
            return fn_symbolic(value)
        value = float(value) if isinstance(value, sympy.Basic) else value
        if isinstance(value, float):
            _finite(host, value, node, name)
        return fn_number(value)
    return checked(name, fn, 1, 1)


def _prod(host, args, kwargs, node):
    total = 1
    for v in host.interp.items(args[0], node):
        total = host.interp.binop(ast.Mult(), total, v, node)
    return total


def _positive_log(value, log):
    if value <= 0:
        raise ValueError("the logarithm of a number that is not positive")
    return log(value)


def _log2(value):
    if value <= 0:
        raise ValueError("log2() of a number that is not positive")
    return math.log2(value)


MATH_FUNCTIONS = {
    "floor": _math(math.floor, sympy.floor, "floor"),
    "ceil": _math(math.ceil, sympy.ceiling, "ceil"),
    "sqrt": _math(math.sqrt, sympy.sqrt, "sqrt"),
    "log2": _math(_log2, lambda v: sympy.log(v, 2), "log2"),
    # the numbers a forward pass scales by (math.log(10000.0) of sinusoidal positions)
    "log": _math(lambda v: _positive_log(v, math.log), sympy.log, "log"),
    "log10": _math(lambda v: _positive_log(v, math.log10), lambda v: sympy.log(v, 10), "log10"),
    "exp": _math(lambda v: math.exp(min(v, 700.0)), sympy.exp, "exp"),
    "sin": _math(math.sin, sympy.sin, "sin"),
    "cos": _math(math.cos, sympy.cos, "cos"),
    "e": math.e,
    "prod": checked("prod", _prod, 1, 1),
    "pi": math.pi,
}
NUMPY_FUNCTIONS = {"prod": MATH_FUNCTIONS["prod"], "floor": MATH_FUNCTIONS["floor"],
                   "ceil": MATH_FUNCTIONS["ceil"], "sqrt": MATH_FUNCTIONS["sqrt"],
                   "product": checked("product", _prod, 1, 1),
                   # np.arange over sizes loops like range (for i in np.arange(n_blocks))
                   "arange": checked("arange", _range, 1, 3)}
MATH = Namespace("math", keras=False)


# ---- methods of lists, dicts and strings ----------------------------------------------

SAFE_METHODS = {
    list: {"append", "extend", "insert", "pop", "index", "count", "reverse", "copy", "remove"},
    dict: {"get", "items", "keys", "values", "update", "setdefault", "pop", "copy"},
    str: {"format", "join", "upper", "lower", "replace", "split", "startswith", "endswith",
          "strip", "rstrip", "lstrip", "title", "capitalize", "zfill", "ljust", "rjust", "center"},
    tuple: {"index", "count"},
}
_WIDTH_METHODS = {"zfill", "ljust", "rjust", "center"}
#: the methods of lists, dicts and tuples that read every item (insert and pop move them)
_WALKING_METHODS = {"index", "count", "remove", "copy", "reverse", "insert", "pop", "items", "keys",
                    "values", "update"}


def call_method(host, owner, name: str, args: list, kwargs: dict, node):
    """A whitelisted method of a list, dict, tuple or string, with its result sized first."""
    interp = host.interp
    if name in ("index", "count", "remove"):  # these compare their argument with every item
        for value in args:
            interp.guard(value, node)
    if name in _WALKING_METHODS or isinstance(owner, str):
        # the method reads the whole value (a string's methods all do): its length is its cost
        interp.walk(len(owner) + sum(len(a) for a in args if isinstance(a, str)), node, f"{name}()")
    if isinstance(owner, str):
        _check_string_result(interp, owner, name, args, node)
        if name == "format":
            return _format(host, owner, args, kwargs, node)
    if isinstance(owner, list) and name in ("append", "insert"):
        interp.allot(1, node, len(owner) + 1)
    if isinstance(owner, list) and name == "extend" and args:
        added = interp.items(args[0], node)
        interp.allot(len(added), node, len(owner) + len(added))
        args = [added]
    if isinstance(owner, dict) and name in ("update",) and args and isinstance(args[0], dict):
        interp.allot(len(args[0]), node, len(owner) + len(args[0]))
    if isinstance(owner, dict) and name in ("get", "setdefault", "pop") and args:
        interp.hashable(args[0], node)
    try:
        result = getattr(owner, name)(*args, **kwargs)
    except (TypeError, ValueError, KeyError, IndexError, AttributeError, OverflowError) as exc:
        if isinstance(owner, list) and name == "pop" and not owner:
            raise host.error("pop() from an empty list", node) from None
        raise host.error(f"{name}(): {python_message(exc)}", node) from None
    if isinstance(result, str):
        interp.allot(len(result), node)
    return list(result) if name in ("items", "keys", "values") else result


def _check_string_result(interp, text: str, name: str, args: list, node) -> None:
    if name in _WIDTH_METHODS and args:
        width = args[0]
        width = int(width) if isinstance(width, sympy.Basic) and width.is_Integer else width
        if isinstance(width, int) and width > interp.limits.container:
            raise interp.over("container", f"{name}({width:,}) asks for a string that long", node)
    if name == "replace" and len(args) >= 2 and all(isinstance(a, str) for a in args[:2]):
        old, new = args[0], args[1]
        count = text.count(old) if old else len(text) + 1
        interp.allot(len(text) + count * max(len(new) - len(old), 0), node)
    if name == "join" and args:
        parts = interp.items(args[0], node)
        interp.allot(sum(len(p) for p in parts if isinstance(p, str)) + len(text) * len(parts), node)


class _Formatter(string.Formatter):
    """``str.format`` on the reader's values: fields by position or name only, sizes checked."""

    def __init__(self, host, node):
        self.host, self.node = host, node

    def get_field(self, field_name, args, kwargs):
        # Attribute and item paths ("{0.__class__}") would reach Python internals.
        if not field_name.isidentifier() and not field_name.isdigit():
            raise self.host.error(f"the format field {{{field_name}}} is not supported; "
                                  "use plain positions or names", self.node)
        return self.get_value(int(field_name) if field_name.isdigit() else field_name,
                              args, kwargs), field_name

    def format_field(self, value, format_spec):
        return self.host.interp.format_value(value, format_spec, self.node)

    def convert_field(self, value, conversion):
        return value


def _format(host, template: str, args, kwargs, node) -> str:
    try:
        text = _Formatter(host, node).vformat(template, args, kwargs)
    except SymparamsError:
        raise
    except (ValueError, IndexError, KeyError, TypeError) as exc:
        raise host.error(f"format(): {python_message(exc)}", node) from None
    host.interp.allot(len(text), node)
    return text


@builtin("getattr", 2, 3)
def _getattr(host, args, kwargs, node):
    """``getattr(nn, rnn_type)`` with a name the file knows is ``nn.LSTM``: the attribute,
    looked up as ``obj.name`` is (pytorch/examples' word language model builds its RNN so)."""
    obj, name = args[0], args[1]
    if not isinstance(name, str):
        raise host.error(f"getattr() needs the attribute's name as text; got {host.describe(name)}", node)
    if len(args) == 3:
        try:
            return host.interp.attribute(obj, name, node)
        except SymparamsError:
            return args[2]
    return host.interp.attribute(obj, name, node)


@builtin("hasattr", 2, 2)
def _hasattr(host, args, kwargs, node):
    """``hasattr(obj, name)`` as the reader's own attribute lookup answers it: a feature check
    on the framework (``hasattr(F, "scaled_dot_product_attention")``, nanoGPT's) reads the
    newest release, which has what such checks ask for."""
    obj, name = args
    if not isinstance(name, str):
        raise host.error(f"hasattr() needs the attribute's name as text; got {host.describe(name)}", node)
    if isinstance(obj, Opaque):
        return Opaque(f"hasattr({obj.path}, {name!r})")
    try:
        host.interp.attribute(obj, name, node)
    except SymparamsError:
        return False
    return True


@builtin("_symparams_setting", 2, 2)
def _setting(host, args, kwargs, node):
    """A default of the reader's own ``argparse`` (readers/python/shims.py): a setting the file
    declares, which ``--symbolic`` may free."""
    name, value = args
    return value if value is None or not isinstance(name, str) else host.declared(name, value, node)


@builtin("callable", 1, 1)
def _callable(host, args, kwargs, node):
    from .values import BoundFunction, UserClass, UserFunction
    value = args[0]
    return isinstance(value, (Builtin, UserFunction, UserClass, BoundFunction, Opaque))


@builtin("setattr", 3, 3)
def _setattr(host, args, kwargs, node):
    """``setattr(self, f"layer{i}", block)``: as ``self.layer0 = block`` is (a module registers it)."""
    obj, name, value = args
    if not isinstance(name, str) or not name.isidentifier():
        raise host.error(f"setattr() needs an attribute name as text; got {host.describe(name)}", node)
    host.set_attribute(obj, name, value, node)
    return None


@builtin("open", 1, 3, keywords=None)
def _open(host, args, kwargs, node):
    """``open(path)``: a file the reader does not read; what comes of it is data, unknown."""
    return Opaque(f"open({args[0]!r:.40})" if isinstance(args[0], str) else "open()")


@builtin("_symparams_free", 1, 1)
def _free(host, args, kwargs, node):
    """A required option of the reader's own ``argparse``: a free name (see shims.py)."""
    from .values import FreeName
    name = args[0]
    if not isinstance(name, str) or not name.isidentifier():
        return Opaque("a required option")
    host.free_names.add(name)
    return FreeName(name)
