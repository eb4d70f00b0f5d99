"""Small parts of the standard library, written in the Python the reader reads.

A model file often sizes its model from ``argparse`` defaults (``--hidden 64``), builds a
layer with ``functools.partial(nn.LayerNorm, eps=1e-6)`` or multiplies a shape out with
``functools.reduce``. The reader runs these few functions as it runs the file's own code,
from the sources below, so their values are exact; the rest of those modules stays outside
the model. ``argparse`` gives each option its default, as ``parse_args([])`` would, and a
default is a setting ``--symbolic`` may free (through ``_symparams_setting``).
"""

from __future__ import annotations

ARGPARSE = '''
class Namespace:
    def __init__(self, **kwargs):
        self.__dict__.update(kwargs)


class ArgumentParser:
    def __init__(self, *args, **kwargs):
        self._defaults = {}

    def add_argument(self, *flags, **kwargs):
        dest = kwargs.get("dest")
        if dest is None:
            longs = [f for f in flags if f.startswith("--")]
            dest = (longs[0] if longs else flags[0]).lstrip("-").replace("-", "_")
        if kwargs.get("action") == "store_true":
            default = kwargs.get("default", False)
        elif kwargs.get("action") == "store_false":
            default = kwargs.get("default", True)
        elif "default" not in kwargs and (kwargs.get("required") or not flags[0].startswith("-")) \
                and kwargs.get("nargs") not in ("?", "*"):
            # a required option (python script.py DATA --epochs 3): no default to read, so a
            # free value of its name (a size it gives stays a symbol the output shows)
            self._defaults[dest] = _symparams_free(dest)
            return None
        else:
            default = kwargs.get("default")
            kind = kwargs.get("type")
            if isinstance(default, str) and kind is not None:
                default = kind(default)
        self._defaults[dest] = _symparams_setting(dest, default)
        return None

    def add_argument_group(self, *args, **kwargs):
        return self

    def add_mutually_exclusive_group(self, *args, **kwargs):
        return self

    def set_defaults(self, **kwargs):
        for key, value in kwargs.items():
            self._defaults[key] = _symparams_setting(key, value)

    def parse_args(self, *args, **kwargs):
        return Namespace(**self._defaults)

    def parse_known_args(self, *args, **kwargs):
        return Namespace(**self._defaults), []

    def print_help(self, *args, **kwargs):
        return None
'''

FUNCTOOLS = '''
def reduce(function, iterable, *initial):
    items = list(iterable)
    if initial:
        value = initial[0]
    else:
        value = items[0]
        items = items[1:]
    for item in items:
        value = function(value, item)
    return value


def partial(func, *args, **keywords):
    def called(*more, **extra):
        return func(*args, *more, **{**keywords, **extra})
    return called


def wraps(wrapped, *args, **kwargs):
    def decorate(function):
        return function
    return decorate


def lru_cache(*args, **kwargs):
    if args and callable(args[0]):
        return args[0]
    def decorate(function):
        return function
    return decorate


cache = lru_cache
'''

TYPES = '''
class SimpleNamespace:
    def __init__(self, **kwargs):
        self.__dict__.update(kwargs)
'''

#: the modules the reader has a source for, by name
SOURCES = {"argparse": ARGPARSE, "functools": FUNCTOOLS, "types": TYPES}
