"""What every framework host does the same way with plain Python values (the Keras and the
PyTorch readers both use these)."""

from __future__ import annotations

import sympy

from .values import Instance, Opaque


def sized(host, value):
    """A call's argument with every outside value (a free name, ``X.shape[1]``) turned into
    the size symbol the host names it by, inside tuples and lists too."""
    if isinstance(value, Opaque):
        return host.size_symbol(value)
    if isinstance(value, tuple):
        return tuple(sized(host, v) for v in value)
    if isinstance(value, list):
        return [sized(host, v) for v in value]
    return value


def python_item(host, container, key, node):
    """``container[key]`` for a list, tuple, string or dict, with one-line errors."""
    if isinstance(key, sympy.Basic) and key.is_Integer:
        key = int(key)
    if isinstance(container, dict):
        host.interp.hashable(key, node)
    if isinstance(key, slice) and isinstance(container, (list, tuple, str)):
        try:
            n = len(range(*key.indices(len(container))))
        except (TypeError, ValueError):
            n = 0  # not a slice Python takes: the error below says so
        # a slice reads and copies its items: charged to both budgets before it is made
        host.interp.walk(n, node, "a slice")
        host.interp.allot(n, node)
    try:
        return container[key]
    except (IndexError, KeyError):
        raise host.error(f"index {host.describe(key)} is out of range for "
                         f"{host.describe(container)}", node) from None
    except (TypeError, ValueError):
        if isinstance(key, slice) and key.step == 0:
            raise host.error("a slice step cannot be zero", node) from None
        raise host.error(f"cannot index {host.describe(container)} with "
                         f"{host.describe(key)}", node) from None


def guarded_instance(host, cls, args, kwargs, node):
    """The arguments of a new object checked; for a plain class of the file, the object
    made and its ``__init__`` run (None for a framework class, which the host makes)."""
    for value in (*args, *kwargs.values()):
        host.interp.guard(value, node)
    if cls.kind != "plain":
        return None
    instance = Instance(cls)
    if host.interp.run_init(cls, instance, list(args), dict(kwargs), node):
        return instance
    if any(c.dataclass for c in cls.mro()):
        _dataclass_init(host, cls, instance, args, kwargs, node)
    elif args or kwargs:
        raise host.error(f"{cls.name}() takes no arguments", node)
    return instance


def _dataclass_init(host, cls, instance, args, kwargs, node) -> None:
    """The ``__init__`` that ``@dataclass`` writes: each field from its argument, else its
    default (a class attribute the instance already sees); then ``__post_init__``."""
    fields = next(c.fields for c in cls.mro() if c.dataclass)
    if len(args) > len(fields):
        raise host.error(f"{cls.name}() takes {len(fields)} fields, got {len(args)} arguments", node)
    given = dict(zip(fields, args))
    for name, value in kwargs.items():
        if name not in fields:
            raise host.error(f"{cls.name}() has no field {name!r}; its fields are {', '.join(fields)}", node)
        if name in given:
            raise host.error(f"{cls.name}() got two values for the field {name!r}", node)
        given[name] = value
    for name in fields:
        if name in given:
            instance.attributes[name] = given[name]
        elif not cls.lookup(name)[0]:
            raise host.error(f"{cls.name}() needs a value for its field {name!r}", node)
    found, post = cls.lookup("__post_init__")
    if found:
        host.interp.call(post, [instance], {}, node)
