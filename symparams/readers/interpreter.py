"""A small, safe interpreter for the Python that model files are written in.

Nothing from the file is compiled, evaluated or imported: the ``ast`` is
walked and every operation is one this module implements on plain data,
sympy sizes and symparams objects. Attribute access is whitelisted, so no
path leads from the file to Python internals. Work is bounded (steps, loop
iterations, call depth, container sizes), so no file can hang the reader or
exhaust memory.
"""

from __future__ import annotations

import ast
import operator
import re
from dataclasses import dataclass
from typing import Any, Callable, Optional

import sympy

from ..errors import ReadError, SymparamsError
from .values import Opaque, SymbolicRange, UserFunction


@dataclass(frozen=True)
class Limits:
    steps: int = 2_000_000
    loop_iterations: int = 100_000
    call_depth: int = 100
    container: int = 1_000_000
    int_bits: int = 4096


class LimitExceeded(SymparamsError):
    pass


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
}
_CMPOPS: dict[type, Callable] = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
    ast.Gt: operator.gt, ast.GtE: operator.ge,
    ast.Is: lambda a, b: a is b, ast.IsNot: lambda a, b: a is not b,
    ast.In: lambda a, b: a in b, ast.NotIn: lambda a, b: a not in b,
}


class Interpreter:
    """Walks a module's ``ast``. The host (the Keras reader) supplies names and calls."""

    def __init__(self, host, filename: str, limits: Limits = Limits()):
        self.host = host
        self.filename = filename
        self.limits = limits
        self.steps = 0
        self.depth = 0
        self.line: Optional[int] = None

    # ---- errors ------------------------------------------------------------
    def error(self, message: str, node: Optional[ast.AST] = None) -> ReadError:
        line = getattr(node, "lineno", None) or self.line
        return ReadError(message, self.filename, line)

    def tick(self, node: ast.AST) -> None:
        self.steps += 1
        if self.steps > self.limits.steps:
            raise self.error(f"stopped after {self.limits.steps:,} steps (the reader's work limit); "
                             "is there an endless loop?", node)

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
            self.check_size(len(current) + len(list(value)), node)
            current.extend(value)
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
                raise self.error(f"a loop ran more than {self.limits.loop_iterations:,} times "
                                 "(the reader's limit)", node)
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
                raise self.error(f"a loop ran more than {self.limits.loop_iterations:,} times "
                                 "(the reader's limit)", node)
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
        for deco in node.decorator_list:
            self.eval(deco, scope)  # evaluated for errors; decorators are not applied
        scope.assign(node.name, self.make_function(node.name, node, scope))

    stmt_AsyncFunctionDef = stmt_FunctionDef

    def stmt_ClassDef(self, node, scope):
        # Subclassed models and layers hide their sizes in Python code that
        # only running it would reveal; say so when the class is used.
        scope.assign(node.name, Opaque(f"class {node.name}"))
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
            items = self.iterate(value, target)
            items = list(items)
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
            if isinstance(container, (list, dict)):
                try:
                    container[key] = value
                except (IndexError, TypeError, KeyError) as exc:
                    raise self.error(f"cannot assign to item {key!r}: {exc}", target) from None
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
        return self.host.get_attribute(self.eval(node.value, scope), node.attr, node)

    def expr_Tuple(self, node, scope):
        return tuple(self.eval_items(node.elts, scope))

    def expr_List(self, node, scope):
        return list(self.eval_items(node.elts, scope))

    def expr_Set(self, node, scope):
        try:
            return set(self.eval_items(node.elts, scope))
        except TypeError as exc:
            raise self.error(str(exc), node) from None

    def eval_items(self, elts, scope):
        out = []
        for e in elts:
            if isinstance(e, ast.Starred):
                out.extend(self.iterate(self.eval(e.value, scope), e))
            else:
                out.append(self.eval(e, scope))
        self.check_size(len(out), elts[0] if elts else None)
        return out

    def expr_Dict(self, node, scope):
        out = {}
        for k, v in zip(node.keys, node.values):
            if k is None:
                out.update(self.eval(v, scope))
            else:
                out[self.hashable(self.eval(k, scope), k)] = self.eval(v, scope)
        return out

    def hashable(self, value, node):
        try:
            hash(value)
        except TypeError:
            raise self.error(f"{self.describe(value)} cannot be a dictionary key", node) from None
        return value

    def expr_JoinedStr(self, node, scope):
        parts = []
        for v in node.values:
            if isinstance(v, ast.Constant):
                parts.append(str(v.value))
            else:
                parts.append(self.expr_FormattedValue(v, scope))
        return "".join(parts)

    def expr_FormattedValue(self, node, scope):
        value = self.eval(node.value, scope)
        spec = self.eval(node.format_spec, scope) if node.format_spec is not None else ""
        if node.conversion == ord("r"):
            value = repr(value)
        return self.format_value(value, spec, node)

    def format_value(self, value, spec: str, node) -> str:
        if isinstance(value, (str, int, float, bool)) or value is None:
            try:
                return format(value, spec)
            except (ValueError, TypeError) as exc:
                raise self.error(f"cannot format {value!r} with {spec!r}: {exc}", node) from None
        if isinstance(value, sympy.Basic):
            if value.is_Integer:
                return format(int(value), spec)
            return str(value)
        if isinstance(value, Opaque):
            return value.symbol_name()
        return self.host.to_text(value)

    def expr_BinOp(self, node, scope):
        return self.binop(node.op, self.eval(node.left, scope), self.eval(node.right, scope), node)

    def binop(self, op, left, right, node):
        if isinstance(op, ast.Mod) and isinstance(left, str):
            return self.percent_format(left, right, node)
        if isinstance(op, ast.Mult):
            for seq, n in ((left, right), (right, left)):
                if isinstance(seq, (list, tuple, str)) and isinstance(n, int):
                    self.check_size(len(seq) * n, node)
        left = self.host.as_operand(left, node)
        right = self.host.as_operand(right, node)
        # 0.5 * w stays exact: a float meeting a symbol becomes the rational it reads as.
        if isinstance(left, float) and isinstance(right, sympy.Basic) and not right.is_number:
            left = sympy.Rational(repr(left))
        elif isinstance(right, float) and isinstance(left, sympy.Basic) and not left.is_number:
            right = sympy.Rational(repr(right))
        if isinstance(op, ast.Pow):
            self.check_power(left, right, node)
        if isinstance(op, (ast.LShift,)) and isinstance(right, int) and right > self.limits.int_bits:
            raise self.error("a number too large for the reader", node)
        try:
            result = _BINOPS[type(op)](left, right)
        except ZeroDivisionError:
            raise self.error("division by zero", node) from None
        except SymparamsError:
            raise
        except (TypeError, ValueError, AttributeError):
            raise self.error(f"cannot compute {self.describe(left)} {_op_text(op)} "
                             f"{self.describe(right)}", node) from None
        if isinstance(result, int) and result.bit_length() > self.limits.int_bits:
            raise self.error("a number too large for the reader", node)
        if isinstance(result, (list, tuple, str)):
            self.check_size(len(result), node)
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
        try:
            return fmt % args
        except (TypeError, ValueError, KeyError) as exc:
            raise self.error(f"string formatting failed: {exc}", node) from None

    def check_power(self, base, exp, node):
        if isinstance(base, int) and isinstance(exp, int) and exp > 0 and abs(base) > 1:
            if base.bit_length() * exp > self.limits.int_bits:
                raise self.error("a number too large for the reader", node)
        if isinstance(exp, sympy.Basic) and exp.is_Integer and abs(int(exp)) > 1024:
            raise self.error("an exponent too large for the reader", node)

    def expr_UnaryOp(self, node, scope):
        value = self.eval(node.operand, scope)
        if isinstance(node.op, ast.Not):
            return not self.truth(value, node)
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
        for op, comparator in zip(node.ops, node.comparators):
            right = self.eval(comparator, scope)
            if not isinstance(op, (ast.Is, ast.IsNot, ast.In, ast.NotIn)):
                left_v, right_v = self.host.as_operand(left, node), self.host.as_operand(right, node)
            else:
                left_v, right_v = left, right
            try:
                result = _CMPOPS[type(op)](left_v, right_v)
            except TypeError:
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
                    raise self.error("a comprehension ran past the reader's loop limit", gen.iter)
                self.assign(gen.target, item, inner)
                if all(self.truth(self.eval(c, inner), c) for c in gen.ifs):
                    loop(i + 1, inner)
        loop(0, Scope(scope))

    def expr_ListComp(self, node, scope):
        out: list = []

        def emit(inner):
            out.append(self.eval(node.elt, inner))
            self.check_size(len(out), node)
        self.comprehension(node.generators, scope, emit)
        return out

    expr_GeneratorExp = expr_ListComp

    def expr_SetComp(self, node, scope):
        return set(self.expr_ListComp(node, scope))

    def expr_DictComp(self, node, scope):
        out: dict = {}

        def emit(inner):
            out[self.hashable(self.eval(node.key, inner), node.key)] = self.eval(node.value, inner)
            self.check_size(len(out), node)
        self.comprehension(node.generators, scope, emit)
        return out

    # ---- calls ---------------------------------------------------------------------
    def expr_Call(self, node, scope):
        func = self.eval(node.func, scope)
        args = []
        for a in node.args:
            if isinstance(a, ast.Starred):
                args.extend(self.iterate(self.eval(a.value, scope), a))
            else:
                args.append(self.eval(a, scope))
        kwargs = {}
        for kw in node.keywords:
            if kw.arg is None:
                extra = self.eval(kw.value, scope)
                if not isinstance(extra, dict):
                    raise self.error(f"** needs a dictionary, got {self.describe(extra)}", kw.value)
                kwargs.update(extra)
            else:
                kwargs[kw.arg] = self.eval(kw.value, scope)
        self.line = node.lineno
        return self.call(func, args, kwargs, node)

    def call(self, func, args: list, kwargs: dict, node):
        if isinstance(func, UserFunction):
            return self.call_user(func, args, kwargs, node)
        return self.host.call(func, args, kwargs, node)

    def make_function(self, name: str, node, scope: Scope) -> UserFunction:
        a = node.args
        defaults = [self.eval(d, scope) for d in a.defaults]
        kw_defaults = {arg.arg: self.eval(d, scope) for arg, d in zip(a.kwonlyargs, a.kw_defaults)
                       if d is not None}
        return UserFunction(name, node, scope, defaults, kw_defaults)

    def call_user(self, fn: UserFunction, args: list, kwargs: dict, node):
        if self.depth >= self.limits.call_depth:
            raise self.error(f"function calls nest deeper than {self.limits.call_depth} "
                             "(the reader's limit); is there endless recursion?", node)
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

    def check_size(self, n: int, node) -> None:
        if n > self.limits.container:
            raise self.error(f"a list or string longer than {self.limits.container:,} items "
                             "(the reader's limit)", node)

    def describe(self, value) -> str:
        return self.host.describe(value)


def _op_text(op) -> str:
    return {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//",
            ast.Mod: "%", ast.Pow: "**"}.get(type(op), type(op).__name__)
