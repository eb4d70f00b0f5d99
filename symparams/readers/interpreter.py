"""A small, safe interpreter for the Python that model files are written in.

Nothing from the file is compiled, evaluated or imported: the ``ast`` is
walked and every operation is one this module implements on plain data,
sympy sizes and symparams objects. Attribute access is whitelisted, so no
path leads from the file to Python internals. Work is bounded in time and
memory, not only in steps (:class:`~symparams.readers.limits.Limits`): a
wall-clock budget, a budget for everything the file builds, and a check of
every size before the value is made, so no single step can hang the reader
or exhaust memory.
"""

from __future__ import annotations

import ast
import operator
import re
import time
from typing import Any, Callable, Optional

import sympy

from .. import bounds
from ..errors import ReadError, SymparamsError
from .host import Host
from .limits import Limits
from .values import BoundFunction, Instance, Opaque, Super, SymbolicRange, UserClass, UserFunction

_CONTAINERS = (list, tuple, dict, set, frozenset)


class _Return(Exception):
    def __init__(self, value):
        self.value = value


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


class Scope:
    __slots__ = ("vars", "parent", "globals_")

    def __init__(self, parent: Optional["Scope"] = None):
        self.vars: dict[str, Any] = {}
        self.parent = parent
        self.globals_: set[str] = set()

    def lookup(self, name: str):
        scope = self
        while scope is not None:
            if name in scope.vars:
                return True, scope.vars[name]
            scope = scope.parent
        return False, None

    def root(self) -> "Scope":
        scope = self
        while scope.parent is not None:
            scope = scope.parent
        return scope

    def assign(self, name: str, value) -> None:
        if name in self.globals_:
            self.root().vars[name] = value
        else:
            self.vars[name] = value


_BINOPS: dict[type, Callable] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
    ast.Div: operator.truediv, ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod,
    ast.Pow: operator.pow, ast.BitAnd: operator.and_, ast.BitOr: operator.or_,
    ast.BitXor: operator.xor, ast.LShift: operator.lshift, ast.RShift: operator.rshift,
    ast.MatMult: operator.matmul,
}
_CMPOPS: dict[type, Callable] = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
    ast.Gt: operator.gt, ast.GtE: operator.ge,
    ast.Is: lambda a, b: a is b, ast.IsNot: lambda a, b: a is not b,
    ast.In: lambda a, b: a in b, ast.NotIn: lambda a, b: a not in b,
}



def _free(a, b) -> bool:
    """Whether two numbers compared hold a free size (a size is never equal to a string or None)."""
    def number(v):
        return (isinstance(v, (int, float)) and not isinstance(v, bool)) or \
            (isinstance(v, sympy.Expr) and v.is_commutative)
    return number(a) and number(b) and any(isinstance(v, sympy.Basic) and v.free_symbols for v in (a, b))


class Interpreter:
    """Walks a module's ``ast``. The host (:class:`~symparams.readers.host.Host`) supplies names and calls."""

    def __init__(self, host: Host, filename: str, limits: Limits = Limits(),
                 deadline: Optional[float] = None):
        self.host = host
        self.filename = filename
        self.limits = limits
        self.steps = 0
        self.depth = 0
        self.built_items = 0
        self.line: Optional[int] = None
        self.deadline = deadline if deadline is not None else time.monotonic() + limits.seconds

    # ---- errors and budgets --------------------------------------------------
    def error(self, message: str, node: Optional[ast.AST] = None) -> ReadError:
        line = getattr(node, "lineno", None) or self.line
        return ReadError(message, self.filename, line)

    def over(self, limit: str, what: str, node=None) -> ReadError:
        """The error for a run past one of the limits: which, and how to raise it."""
        return self.error(f"{what} ({self.limits.describe(limit)})", node)

    def tick(self, node: Optional[ast.AST], count: int = 1) -> None:
        self.steps += count
        if self.steps > self.limits.steps:
            raise self.over("steps", f"stopped after {self.limits.steps:,} steps; is there an "
                                     "endless loop?", node)
        if self.steps & 1023 < count:
            self.check_time(node)

    def check_time(self, node=None) -> None:
        if time.monotonic() > self.deadline:
            raise self.over("seconds", "stopped: reading the file took too long", node)

    def allot(self, n: int, node, size: Optional[int] = None) -> None:
        """Account for ``n`` new list items or characters, before they are made.

        ``size`` is the length of the value they go into (``n`` for a new
        value; more when a list grows).
        """
        if (n if size is None else size) > self.limits.container:
            raise self.over("container", f"a list or string longer than "
                                         f"{self.limits.container:,} items", node)
        self.built_items += n
        if self.built_items > self.limits.items:
            raise self.over("items", f"the file builds more than {self.limits.items:,} list "
                                     "items and characters in all", node)

    def guard(self, value, node) -> None:
        """Refuse a value too large or too deeply nested to hash, compare or print safely.

        Hashing a tuple and comparing or printing containers recurse inside
        Python itself, where no limit applies: a tuple nested 400,000 deep
        crashes the process when hashed. The walk here is iterative, counts
        shared items each time they are reached (as printing would), and
        stops at the limits.
        """
        if not isinstance(value, _CONTAINERS):
            return
        budget = self.limits.container
        stack = [(value, 1)]
        while stack:
            item, depth = stack.pop()
            if depth > self.limits.nesting:
                raise self.over("nesting", f"a value nested more than {self.limits.nesting} "
                                           "levels deep", node)
            budget -= len(item)
            if budget < 0:
                raise self.over("container", "a value with too many items to compare, hash "
                                             "or print", node)
            children = [*item.keys(), *item.values()] if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children if isinstance(child, _CONTAINERS))

    def items(self, value, node) -> list:
        """The items of an iterable value as a list, sized and charged before they are made."""
        if isinstance(value, range):
            n = len(value)
            self.allot(n, node)
            self.tick(node, n)
            return list(value)
        items = list(self.iterate(value, node))
        self.tick(node, len(items))
        return items

    def check_number(self, value, node) -> None:
        bits = bounds.int_bits(value)
        if bits is not None and bits > self.limits.int_bits:
            raise self.over("int_bits", "a number too large for the reader", node)
        if isinstance(value, sympy.Basic) and not value.is_Atom:
            try:
                bounds.check(value, "this size")
            except bounds.TooLarge as exc:
                raise self.error(str(exc), node) from None

    # ---- statements ----------------------------------------------------------
    def run(self, module: ast.Module, scope: Scope) -> None:
        self.exec_block(module.body, scope)

    def exec_block(self, body: list[ast.stmt], scope: Scope) -> None:
        for stmt in body:
            self.exec_stmt(stmt, scope)

    def exec_stmt(self, node: ast.stmt, scope: Scope) -> None:
        self.tick(node)
        self.line = node.lineno
        method = getattr(self, "stmt_" + type(node).__name__, None)
        if method is None:
            raise self.error(f"the reader does not handle Python's {type(node).__name__} statement", node)
        method(node, scope)

    def stmt_Expr(self, node, scope):
        self.eval(node.value, scope)

    def stmt_Pass(self, node, scope):
        pass

    def stmt_Assert(self, node, scope):
        pass  # checks of the user's data, not of the model

    def stmt_Delete(self, node, scope):
        for target in node.targets:
            if isinstance(target, ast.Name):
                scope.vars.pop(target.id, None)

    def stmt_Global(self, node, scope):
        scope.globals_.update(node.names)

    stmt_Nonlocal = stmt_Global

    def stmt_Assign(self, node, scope):
        value = self.eval(node.value, scope)
        for target in node.targets:
            self.assign(target, value, scope)

    def stmt_AnnAssign(self, node, scope):
        if node.value is not None:
            self.assign(node.target, self.eval(node.value, scope), scope)

    def stmt_AugAssign(self, node, scope):
        if isinstance(node.target, ast.Name):
            current = self.load_name(node.target.id, scope, node.target)
        else:
            current = self.eval(node.target, scope)
        value = self.eval(node.value, scope)
        if isinstance(current, list) and isinstance(node.op, ast.Add):
            added = self.items(value, node)
            self.allot(len(added), node, len(current) + len(added))
            current.extend(added)
            result = current
        else:
            result = self.binop(node.op, current, value, node)
        self.assign(node.target, result, scope)

    def stmt_If(self, node, scope):
        if self.truth(self.eval(node.test, scope), node.test):
            self.exec_block(node.body, scope)
        else:
            self.exec_block(node.orelse, scope)

    def stmt_For(self, node, scope):
        value = self.eval(node.iter, scope)
        if isinstance(value, SymbolicRange):
            # A loop over a free count: the host turns its body into a Repeat.
            self.host.repeat_loop(node, scope, value)
            return
        iterable = self.iterate(value, node.iter)
        count = 0
        broke = False
        for item in iterable:
            count += 1
            if count > self.limits.loop_iterations:
                raise self.over("loop_iterations", f"a loop ran more than "
                                                   f"{self.limits.loop_iterations:,} times", node)
            self.assign(node.target, item, scope)
            try:
                self.exec_block(node.body, scope)
            except _Break:
                broke = True
                break
            except _Continue:
                continue
        if not broke:
            self.exec_block(node.orelse, scope)

    def stmt_While(self, node, scope):
        count = 0
        while self.truth(self.eval(node.test, scope), node.test):
            count += 1
            if count > self.limits.loop_iterations:
                raise self.over("loop_iterations", f"a loop ran more than "
                                                   f"{self.limits.loop_iterations:,} times", node)
            try:
                self.exec_block(node.body, scope)
            except _Break:
                return
            except _Continue:
                continue
        self.exec_block(node.orelse, scope)

    def stmt_Break(self, node, scope):
        raise _Break()

    def stmt_Continue(self, node, scope):
        raise _Continue()

    def stmt_Return(self, node, scope):
        raise _Return(None if node.value is None else self.eval(node.value, scope))

    def stmt_FunctionDef(self, node, scope):
        fn = self.make_function(node.name, node, scope)
        for deco in node.decorator_list:
            # Evaluated for errors; only the ones that change how a method binds are applied.
            if isinstance(deco, ast.Name) and deco.id in ("staticmethod", "classmethod", "property"):
                fn.kind = deco.id
            else:
                self.eval(deco, scope)
        scope.assign(node.name, fn)

    stmt_AsyncFunctionDef = stmt_FunctionDef

    def stmt_ClassDef(self, node, scope):
        # The body runs once, as Python runs it, binding the class's attributes
        # and methods; the host decides what an instance is (a Keras layer or
        # model, or a plain object).
        bases = tuple(self.eval(b, scope) for b in node.bases)
        for value in [*node.decorator_list, *(k.value for k in node.keywords)]:
            self.eval(value, scope)
        body = Scope(scope)
        self.exec_block(node.body, body)
        cls = UserClass(node.name, bases, dict(body.vars), node.lineno)
        for value in cls.attributes.values():
            if isinstance(value, UserFunction) and value.scope is body:
                # Methods see the module's names, not the class body's (Python's rule).
                value.scope = scope
                value.owner = cls
        scope.assign(node.name, self.host.define_class(cls, node))
        self.host.note_class(node.name, node.lineno)

    def stmt_With(self, node, scope):
        for item in node.items:
            value = self.eval(item.context_expr, scope)
            if item.optional_vars is not None:
                self.assign(item.optional_vars, value, scope)
        self.exec_block(node.body, scope)

    def stmt_Try(self, node, scope):
        self.exec_block(node.body, scope)
        self.exec_block(node.orelse, scope)
        self.exec_block(node.finalbody, scope)

    stmt_TryStar = stmt_Try

    def stmt_Raise(self, node, scope):
        raise self.error("the file raises an exception here", node)

    def stmt_Import(self, node, scope):
        for alias in node.names:
            if alias.asname:
                scope.assign(alias.asname, self.host.import_module(alias.name))
            else:
                top = alias.name.split(".")[0]
                scope.assign(top, self.host.import_module(top))

    def stmt_ImportFrom(self, node, scope):
        module = node.module or ""
        for alias in node.names:
            if alias.name == "*":
                self.host.import_star(module, scope)
                continue
            scope.assign(alias.asname or alias.name, self.host.import_name(module, alias.name))

    # ---- assignment -----------------------------------------------------------
    def assign(self, target: ast.expr, value, scope: Scope) -> None:
        if isinstance(target, ast.Name):
            scope.assign(target.id, value)
            self.host.note_assignment(target.id, value, scope)
        elif isinstance(target, (ast.Tuple, ast.List)):
            if isinstance(value, Opaque) and not any(isinstance(t, ast.Starred) for t in target.elts):
                # ``train_ds, val_ds = load(...)``: outside data, known by where it came from.
                items = [Opaque(f"{value.path}[{i}]") for i in range(len(target.elts))]
            else:
                items = self.items(value, target)
            starred = [i for i, t in enumerate(target.elts) if isinstance(t, ast.Starred)]
            if starred:
                i = starred[0]
                after = len(target.elts) - i - 1
                if len(items) < len(target.elts) - 1:
                    raise self.error(f"cannot unpack {len(items)} values into {len(target.elts)} names", target)
                parts = items[:i] + [items[i:len(items) - after]] + items[len(items) - after:]
                for t, v in zip(target.elts, parts):
                    self.assign(t.value if isinstance(t, ast.Starred) else t, v, scope)
                return
            if len(items) != len(target.elts):
                raise self.error(f"cannot unpack {len(items)} values into {len(target.elts)} names", target)
            for t, v in zip(target.elts, items):
                self.assign(t, v, scope)
        elif isinstance(target, ast.Attribute):
            self.host.set_attribute(self.eval(target.value, scope), target.attr, value, target)
        elif isinstance(target, ast.Subscript):
            container = self.eval(target.value, scope)
            key = self.eval(target.slice, scope)
            if isinstance(container, dict):
                container[self.hashable(key, target)] = value
            elif isinstance(container, list):
                if isinstance(key, sympy.Basic) and key.is_Integer:
                    key = int(key)
                if not isinstance(key, int) or isinstance(key, bool):
                    raise self.error(f"a list item is set by a whole number, not "
                                     f"{self.describe(key)}", target)
                if not -len(container) <= key < len(container):
                    raise self.error(f"index {key} is out of range for a list of "
                                     f"{len(container)} items", target)
                container[key] = value
            elif not isinstance(container, Opaque):
                raise self.error(f"cannot assign to an item of {self.describe(container)}", target)
        elif isinstance(target, ast.Starred):
            self.assign(target.value, value, scope)
        else:
            raise self.error("the reader cannot assign to this target", target)

    # ---- expressions -----------------------------------------------------------
    def eval(self, node: ast.expr, scope: Scope):
        self.tick(node)
        method = getattr(self, "expr_" + type(node).__name__, None)
        if method is None:
            raise self.error(f"the reader does not handle Python's {type(node).__name__} expression", node)
        return method(node, scope)

    def expr_Constant(self, node, scope):
        return node.value

    def expr_Name(self, node, scope):
        return self.load_name(node.id, scope, node)

    def load_name(self, name: str, scope: Scope, node):
        found, value = scope.lookup(name)
        if found:
            return value
        return self.host.global_name(name, node)

    def expr_Attribute(self, node, scope):
        return self.attribute(self.eval(node.value, scope), node.attr, node)

    def attribute(self, obj, attr: str, node):
        """``obj.attr``: the file's own classes and objects first, then the host."""
        if isinstance(obj, Super):
            cls = self.host.user_class_of(obj.instance)
            found, value = cls.lookup(attr, after=obj.owner) if cls else (False, None)
            if found:
                return self.bind(value, obj.instance, node)
            return self.host.super_attribute(obj, attr, node)
        if isinstance(obj, UserClass):
            found, value = obj.lookup(attr)
            if not found:
                raise self.error(f"class {obj.name} has no attribute {attr!r}", node)
            if isinstance(value, UserFunction) and value.kind == "classmethod":
                return BoundFunction(value, obj)
            return value
        attributes = self.host.instance_attributes(obj)
        if attributes is not None:
            if attr in attributes:
                return attributes[attr]
            cls = self.host.user_class_of(obj)
            found, value = cls.lookup(attr)
            if found:
                return self.bind(value, obj, node)
            if isinstance(obj, Instance):
                raise self.error(f"{obj.user_class.name} object has no attribute {attr!r}", node)
        return self.host.get_attribute(obj, attr, node)

    def bind(self, value, instance, node):
        """A class attribute reached through an instance: methods bind, properties run."""
        if not isinstance(value, UserFunction) or value.kind == "staticmethod":
            return value
        if value.kind == "classmethod":
            return BoundFunction(value, self.host.user_class_of(instance))
        if value.kind == "property":
            return self.call_user(value, [instance], {}, node)
        return BoundFunction(value, instance)

    def expr_Tuple(self, node, scope):
        return tuple(self.eval_items(node.elts, scope))

    def expr_List(self, node, scope):
        return list(self.eval_items(node.elts, scope))

    def expr_Set(self, node, scope):
        return self.make_set(self.eval_items(node.elts, scope), node)

    def make_set(self, items: list, node) -> set:
        return {self.hashable(item, node, "a set item") for item in items}

    def eval_items(self, elts, scope):
        out = []
        for e in elts:
            if isinstance(e, ast.Starred):
                out.extend(self.items(self.eval(e.value, scope), e))
            else:
                out.append(self.eval(e, scope))
        self.allot(len(out), elts[0] if elts else None)
        return out

    def expr_Dict(self, node, scope):
        out = {}
        for k, v in zip(node.keys, node.values):
            if k is None:
                extra = self.eval(v, scope)
                if not isinstance(extra, dict):
                    raise self.error(f"** needs a dictionary, got {self.describe(extra)}", v)
                out.update(extra)
            else:
                out[self.hashable(self.eval(k, scope), k)] = self.eval(v, scope)
        self.allot(len(out), node)
        return out

    def hashable(self, value, node, what: str = "a dictionary key"):
        self.guard(value, node)
        try:
            hash(value)
        except TypeError:
            raise self.error(f"{self.describe(value)} cannot be {what}", node) from None
        return value

    def expr_JoinedStr(self, node, scope):
        parts = []
        for v in node.values:
            if isinstance(v, ast.Constant):
                parts.append(str(v.value))
            else:
                parts.append(self.expr_FormattedValue(v, scope))
        self.allot(sum(len(p) for p in parts), node)
        return "".join(parts)

    def expr_FormattedValue(self, node, scope):
        value = self.eval(node.value, scope)
        spec = self.eval(node.format_spec, scope) if node.format_spec is not None else ""
        if node.conversion in (ord("r"), ord("a")) and isinstance(value, (str, int, float, bool)):
            value = repr(value)
        return self.format_value(value, spec, node)

    # [[fill]align][sign][z][#][0][width][grouping][.precision][type]
    _SPEC = re.compile(r"(?:.?[<>=^])?[-+ ]?z?#?0?(?P<width>\d*)[,_]?(?:\.(?P<precision>\d+))?[a-zA-Z%]?\Z",
                       re.DOTALL)

    def check_spec(self, spec: str, node) -> None:
        """Refuse a format width or precision larger than a string may be, before formatting."""
        m = self._SPEC.match(spec)
        if m is None:
            raise self.error(f"cannot read the format {spec!r}", node)
        for part in ("width", "precision"):
            digits = m.group(part)
            if digits and (len(digits) > 9 or int(digits) > self.limits.container):
                raise self.over("container", f"the format {spec[:20]!r} asks for a string of "
                                             f"{int(digits[:12]):,} characters", node)

    def format_value(self, value, spec: str, node) -> str:
        if not isinstance(spec, str):
            raise self.error("a format must be text", node)
        self.check_spec(spec, node)
        if isinstance(value, sympy.Basic) and value.is_Integer:
            value = int(value)
        if isinstance(value, (str, int, float, bool)) or value is None:
            try:
                text = format(value, spec)
            except (ValueError, TypeError, OverflowError):
                raise self.error(f"cannot format {self.describe(value)} with the format {spec!r}",
                                 node) from None
        elif isinstance(value, sympy.Basic):
            text = str(value)
        elif isinstance(value, Opaque):
            text = value.symbol_name()
        else:
            self.guard(value, node)
            text = self.host.to_text(value)
        self.allot(len(text), node)
        return text

    def expr_BinOp(self, node, scope):
        return self.binop(node.op, self.eval(node.left, scope), self.eval(node.right, scope), node)

    def binop(self, op, left, right, node):
        if isinstance(op, ast.Mod) and isinstance(left, str):
            return self.percent_format(left, right, node)
        if isinstance(op, ast.Mult):
            for seq, n in ((left, right), (right, left)):
                if isinstance(seq, (list, tuple, str)) and isinstance(n, sympy.Basic) and n.is_Integer:
                    n = int(n)
                    left, right = (seq, n) if seq is left else (n, seq)
                if isinstance(seq, (list, tuple, str)) and isinstance(n, int):
                    self.allot(len(seq) * max(n, 0), node)
        if isinstance(op, ast.Add) and isinstance(left, (list, tuple, str)) and type(left) is type(right):
            self.allot(len(left) + len(right), node)
        if self.host.shape_of(left) is not None or self.host.shape_of(right) is not None:
            return self.host.tensor_operator(_op_text(op), left, right, node)
        if isinstance(op, ast.MatMult):
            raise self.error("the @ operator multiplies tensors, not numbers", node)
        left = self.host.as_operand(left, node)
        right = self.host.as_operand(right, node)
        # 0.5 * w stays exact: a float meeting a symbol becomes the rational it reads as.
        if isinstance(left, float) and isinstance(right, sympy.Basic) and not right.is_number:
            left = sympy.Rational(repr(left))
        elif isinstance(right, float) and isinstance(left, sympy.Basic) and not left.is_number:
            right = sympy.Rational(repr(right))
        if isinstance(op, ast.Pow):
            self.check_power(left, right, node)
        if isinstance(op, (ast.Mult, ast.Pow)):
            try:
                bounds.check_product(left, right, power=isinstance(op, ast.Pow))
            except bounds.TooLarge as exc:
                raise self.error(str(exc), node) from None
        if isinstance(op, ast.LShift):
            shift = int(right) if isinstance(right, sympy.Basic) and right.is_Integer else right
            if isinstance(shift, int) and shift > self.limits.int_bits:
                raise self.over("int_bits", "a number too large for the reader", node)
        try:
            result = _BINOPS[type(op)](left, right)
        except ZeroDivisionError:
            raise self.error("division by zero", node) from None
        except OverflowError:
            raise self.error(f"the result of {_op_text(op)} is too large for a float", node) from None
        except SymparamsError:
            raise
        except (TypeError, ValueError, AttributeError):
            raise self.error(f"cannot compute {self.describe(left)} {_op_text(op)} "
                             f"{self.describe(right)}", node) from None
        self.check_number(result, node)
        return result

    _PERCENT = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[diouxXeEfFgGcrsa%]")

    def percent_format(self, fmt: str, args, node) -> str:
        """``"conv_%d" % i``; a free size prints as its name whatever the conversion."""
        items = list(args) if isinstance(args, tuple) else [args]
        if not isinstance(args, dict):
            pieces, i = [], 0
            for m in self._PERCENT.finditer(fmt):
                if m.group() != "%%" and i < len(items):
                    value = items[i]
                    if isinstance(value, sympy.Basic) and value.is_Integer:
                        items[i] = int(value)
                    elif isinstance(value, (sympy.Basic, Opaque)):
                        items[i] = self.format_value(value, "", node)
                        pieces.append((m.start(), m.end()))
                    i += 1
            for start, end in reversed(pieces):
                fmt = fmt[:start] + "%s" + fmt[end:]
            args = tuple(items) if isinstance(args, tuple) else items[0]
        remaining = iter(args if isinstance(args, tuple) else (args,))
        for m in self._PERCENT.finditer(fmt):
            if m.group() == "%%":
                continue
            for part in re.findall(r"\*|\d+", m.group()[1:].split(")")[-1]):
                width = next(remaining, 0) if part == "*" else int(part[:10])
                if isinstance(width, int) and abs(width) > self.limits.container:
                    raise self.over("container", f"the format {m.group()!r} asks for a string of "
                                                 f"{abs(width):,} characters", node)
            next(remaining, None)  # the value this conversion formats
        try:
            text = fmt % args
        except (TypeError, ValueError, KeyError, OverflowError) as exc:
            raise self.error(f"string formatting failed: {python_message(exc)}", node) from None
        self.allot(len(text), node)
        return text

    def check_power(self, base, exp, node):
        try:
            bounds.check_power(base, exp, "the power")
        except bounds.TooLarge:
            raise self.over("int_bits", "a number too large for the reader", node) from None

    def expr_UnaryOp(self, node, scope):
        value = self.eval(node.operand, scope)
        if isinstance(node.op, ast.Not):
            return not self.truth(value, node)
        if self.host.shape_of(value) is not None:
            return self.host.tensor_operator("-" if isinstance(node.op, ast.USub) else "+", value, None, node)
        value = self.host.as_operand(value, node)
        try:
            if isinstance(node.op, ast.USub):
                return -value
            if isinstance(node.op, ast.UAdd):
                return +value
            if isinstance(node.op, ast.Invert):
                return ~value
        except TypeError:
            raise self.error(f"cannot negate {self.describe(value)}", node) from None
        raise self.error("unknown unary operator", node)

    def expr_BoolOp(self, node, scope):
        if isinstance(node.op, ast.And):
            value = True
            for v in node.values:
                value = self.eval(v, scope)
                if not self.truth(value, v):
                    return value
            return value
        value = False
        for v in node.values:
            value = self.eval(v, scope)
            if self.truth(value, v):
                return value
        return value

    def expr_Compare(self, node, scope):
        left = self.eval(node.left, scope)
        self.guard(left, node)
        for op, comparator in zip(node.ops, node.comparators):
            right = self.eval(comparator, scope)
            self.guard(right, node)
            if not isinstance(op, (ast.Is, ast.IsNot, ast.In, ast.NotIn)):
                left_v, right_v = self.host.as_operand(left, node), self.host.as_operand(right, node)
            else:
                left_v, right_v = left, right
            try:
                if isinstance(op, (ast.Eq, ast.NotEq)) and _free(left_v, right_v):
                    # ``n == 2`` of a free n is not False (Python's answer for two different
                    # expressions): it depends on n, which the condition then says
                    result = (sympy.Eq if isinstance(op, ast.Eq) else sympy.Ne)(left_v, right_v)
                else:
                    result = _CMPOPS[type(op)](left_v, right_v)
            except (TypeError, ValueError):
                raise self.error(f"cannot compare {self.describe(left)} and {self.describe(right)}", node) from None
            if not self.truth(result, node):
                return False
            left = right
        return True

    def truth(self, value, node) -> bool:
        if isinstance(value, sympy.Basic) and not isinstance(value, sympy.logic.boolalg.BooleanAtom):
            if value.is_number:
                return bool(value != 0) if not isinstance(value, sympy.logic.boolalg.Boolean) else bool(value)
            names = ", ".join(sorted(str(s) for s in value.free_symbols))
            raise self.error(f"this condition depends on the free size(s) {names}; "
                             f"give them values with --subs", node)
        if isinstance(value, Opaque):
            raise self.error(f"this condition depends on {value.path}, which the reader cannot know", node)
        try:
            return bool(value)
        except TypeError:
            raise self.error(f"{self.describe(value)} cannot be used as a condition", node) from None

    def expr_IfExp(self, node, scope):
        if self.truth(self.eval(node.test, scope), node.test):
            return self.eval(node.body, scope)
        return self.eval(node.orelse, scope)

    def expr_Subscript(self, node, scope):
        container = self.eval(node.value, scope)
        key = self.eval(node.slice, scope)
        return self.host.get_item(container, key, node)

    def expr_Slice(self, node, scope):
        def part(x):
            if x is None:
                return None
            v = self.eval(x, scope)
            if isinstance(v, sympy.Basic) and v.is_Integer:
                return int(v)
            return v
        return slice(part(node.lower), part(node.upper), part(node.step))

    def expr_Index(self, node, scope):  # Python < 3.9
        return self.eval(node.value, scope)

    def expr_Starred(self, node, scope):
        raise self.error("a starred expression cannot stand here", node)

    def expr_Lambda(self, node, scope):
        return self.make_function("<lambda>", node, scope)

    def expr_NamedExpr(self, node, scope):
        value = self.eval(node.value, scope)
        self.assign(node.target, value, scope)
        return value

    # ---- comprehensions ----------------------------------------------------------
    def comprehension(self, generators, scope, emit):
        def loop(i, inner):
            if i == len(generators):
                emit(inner)
                return
            gen = generators[i]
            count = 0
            for item in self.iterate(self.eval(gen.iter, inner), gen.iter):
                count += 1
                if count > self.limits.loop_iterations:
                    raise self.over("loop_iterations", f"a comprehension ran more than "
                                                       f"{self.limits.loop_iterations:,} times", gen.iter)
                self.assign(gen.target, item, inner)
                if all(self.truth(self.eval(c, inner), c) for c in gen.ifs):
                    loop(i + 1, inner)
        loop(0, Scope(scope))

    def expr_ListComp(self, node, scope):
        out: list = []

        def emit(inner):
            out.append(self.eval(node.elt, inner))
            self.allot(1, node, len(out))
        self.comprehension(node.generators, scope, emit)
        return out

    expr_GeneratorExp = expr_ListComp

    def expr_SetComp(self, node, scope):
        return self.make_set(self.expr_ListComp(node, scope), node)

    def expr_DictComp(self, node, scope):
        out: dict = {}

        def emit(inner):
            out[self.hashable(self.eval(node.key, inner), node.key)] = self.eval(node.value, inner)
            self.allot(1, node, len(out))
        self.comprehension(node.generators, scope, emit)
        return out

    # ---- calls ---------------------------------------------------------------------
    def expr_Call(self, node, scope):
        if isinstance(node.func, ast.Name) and node.func.id == "super" and not scope.lookup("super")[0]:
            return self.make_super(node, scope)
        func = self.eval(node.func, scope)
        args = []
        for a in node.args:
            if isinstance(a, ast.Starred):
                args.extend(self.items(self.eval(a.value, scope), a))
            else:
                args.append(self.eval(a, scope))
        kwargs = {}
        for kw in node.keywords:
            if kw.arg is None:
                extra = self.eval(kw.value, scope)
                if not isinstance(extra, dict):
                    raise self.error(f"** needs a dictionary, got {self.describe(extra)}", kw.value)
                if not all(isinstance(k, str) for k in extra):
                    raise self.error("** needs a dictionary whose keys are names", kw.value)
                kwargs.update(extra)
            else:
                kwargs[kw.arg] = self.eval(kw.value, scope)
        self.line = node.lineno
        return self.call(func, args, kwargs, node)

    def call(self, func, args: list, kwargs: dict, node):
        if isinstance(func, UserFunction):
            return self.call_user(func, args, kwargs, node)
        if isinstance(func, BoundFunction):
            return self.call_user(func.function, [func.instance, *args], kwargs, node)
        if isinstance(func, UserClass):
            return self.host.instantiate(func, args, kwargs, node)
        return self.host.call(func, args, kwargs, node)

    def run_init(self, cls: UserClass, instance, args: list, kwargs: dict, node) -> bool:
        """Run the file's ``__init__`` for a new object; False if its classes define none."""
        found, init = cls.lookup("__init__")
        if not found or not isinstance(init, UserFunction):
            return False
        self.call_user(init, [instance, *args], kwargs, node)
        return True

    def make_super(self, node, scope):
        """``super()`` (the method's class and ``self``) or ``super(Cls, self)``."""
        if node.args:
            if len(node.args) != 2:
                raise self.error("super() takes no arguments or two (the class and self)", node)
            owner, instance = (self.eval(a, scope) for a in node.args)
            if not isinstance(owner, UserClass):
                raise self.error("super(): the first argument must be a class the file defines", node)
            return Super(owner, instance)
        found_class, owner = scope.lookup("__class__")
        found_self, instance = scope.lookup("__self__")
        if not (found_class and found_self):
            raise self.error("super() is used outside a method", node)
        return Super(owner, instance)

    def make_function(self, name: str, node, scope: Scope) -> UserFunction:
        a = node.args
        defaults = [self.eval(d, scope) for d in a.defaults]
        kw_defaults = {arg.arg: self.eval(d, scope) for arg, d in zip(a.kwonlyargs, a.kw_defaults)
                       if d is not None}
        return UserFunction(name, node, scope, defaults, kw_defaults)

    def call_user(self, fn: UserFunction, args: list, kwargs: dict, node):
        if self.depth >= self.limits.call_depth:
            raise self.over("call_depth", f"function calls nest deeper than {self.limits.call_depth}; "
                                          "is there endless recursion?", node)
        a = fn.node.args
        local = Scope(fn.scope)
        positional = [p.arg for p in getattr(a, "posonlyargs", [])] + [p.arg for p in a.args]
        if len(args) > len(positional) and a.vararg is None:
            raise self.error(f"{fn.name}() takes {len(positional)} positional arguments "
                             f"but {len(args)} were given", node)
        for pname, value in zip(positional, args):
            local.vars[pname] = value
        if a.vararg is not None:
            local.vars[a.vararg.arg] = tuple(args[len(positional):])
        extra = {}
        for key, value in kwargs.items():
            if key in positional or key in [k.arg for k in a.kwonlyargs]:
                if key in local.vars and key in positional[:len(args)]:
                    raise self.error(f"{fn.name}() got two values for {key!r}", node)
                local.vars[key] = value
            elif a.kwarg is not None:
                extra[key] = value
            else:
                raise self.error(f"{fn.name}() got an unexpected keyword argument {key!r}", node)
        if a.kwarg is not None:
            local.vars[a.kwarg.arg] = extra
        first_default = len(positional) - len(fn.defaults)
        for i, pname in enumerate(positional):
            if pname not in local.vars:
                if i >= first_default:
                    local.vars[pname] = fn.defaults[i - first_default]
                else:
                    raise self.error(f"{fn.name}() is missing the argument {pname!r}", node)
        for k in a.kwonlyargs:
            if k.arg not in local.vars:
                if k.arg in fn.kw_defaults:
                    local.vars[k.arg] = fn.kw_defaults[k.arg]
                else:
                    raise self.error(f"{fn.name}() is missing the keyword argument {k.arg!r}", node)
        if fn.owner is not None and args and fn.kind == "function":
            local.vars["__class__"] = fn.owner
            local.vars["__self__"] = args[0]
        self.depth += 1
        saved_line = self.line
        try:
            if isinstance(fn.node, ast.Lambda):
                return self.eval(fn.node.body, local)
            try:
                self.exec_block(fn.node.body, local)
            except _Return as ret:
                return ret.value
            return None
        finally:
            self.depth -= 1
            self.line = saved_line

    # ---- helpers -----------------------------------------------------------------------
    def iterate(self, value, node):
        if isinstance(value, (list, tuple, str, range, dict, set, frozenset)):
            return list(value) if not isinstance(value, range) else value
        if isinstance(value, (zip, enumerate, map, filter, reversed)):
            return list(value)
        return self.host.iterate(value, node)


    def describe(self, value) -> str:
        return self.host.describe(value)


def _op_text(op) -> str:
    return {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//",
            ast.Mod: "%", ast.Pow: "**", ast.MatMult: "@", ast.BitAnd: "&", ast.BitOr: "|",
            ast.BitXor: "^", ast.LShift: "<<", ast.RShift: ">>"}.get(type(op), "an operator")


_TYPE_NAME = re.compile(r"'([A-Za-z_][\w.]*)'")
_PYTHON_TYPES = {"int", "float", "str", "list", "tuple", "dict", "set", "frozenset", "bool",
                 "NoneType", "range", "bytes", "complex"}


def python_message(exc: Exception) -> str:
    """Python's own words for a wrong argument, unless they name one of the reader's classes."""
    text = " ".join(str(exc).split()) or "wrong arguments"
    for name in _TYPE_NAME.findall(text):
        if name[:1].isupper() and name not in _PYTHON_TYPES:
            return "wrong kind of argument"
    return text
