"""The interpreter's statements: assignments, loops, ``if``, ``with``, ``try``,
function and class definitions and imports.

:class:`Statements` is a mixin of :class:`~symparams.readers.interpreter.Interpreter`,
which holds the state and budgets its methods charge.
"""

from __future__ import annotations

import ast

import sympy

from ...core.errors import SymparamsError
from .scope import Scope, _Break, _Continue, _Return
from .values import FreeName, Opaque, SymbolicRange, UserClass, UserFunction


class Statements:
    """Runs statements (``stmt_<Name>`` for each kind of node) and binds assignment targets."""

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
        # Mostly checks of the user's data, not of the model, and never a refusal; a check on
        # free sizes (assert n_embd % n_head == 0) is an assumption the results rest on.
        try:
            value = self.relation(node.test, scope) if isinstance(node.test, ast.Compare) \
                else self.eval(node.test, scope)
        except SymparamsError:
            return
        if isinstance(value, sympy.Basic) and value.free_symbols and not value.is_number:
            self.host.assumes(ast.unparse(node.test), value, node)

    def stmt_Delete(self, node, scope):
        for target in node.targets:
            if isinstance(target, ast.Name):
                scope.vars.pop(target.id, None)

    def stmt_Global(self, node, scope):
        scope.globals_.update(node.names)

    stmt_Nonlocal = stmt_Global

    def stmt_Assign(self, node, scope):
        value = self.eval(node.value, scope)
        if scope.declares and len(node.targets) == 1 and isinstance(node.targets[0], (ast.Name, ast.Attribute)):
            # n_layer = 12, or a config's field set at the top (model_config.n_layer = 12)
            target = node.targets[0]
            value = self.host.declared(target.id if isinstance(target, ast.Name) else target.attr, value, node)
        for target in node.targets:
            self.assign(target, value, scope)

    def stmt_AnnAssign(self, node, scope):
        if node.value is not None:
            value = self.eval(node.value, scope)
            if scope.declares and isinstance(node.target, ast.Name):
                value = self.host.declared(node.target.id, value, node)
            self.assign(node.target, value, scope)

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
        if isinstance(value, SymbolicRange) or self.host.repeated(value):
            # A loop over a free count (or a stack of a free number of blocks): the host turns
            # its body into a repeat.
            self.host.repeat_loop(node, scope, value)
            return
        if isinstance(value, Opaque) and not isinstance(value, FreeName):
            # a loop over data the reader does not have (a DataLoader, itertools.count())
            self.host.data_loop(node, [node.target, *node.body], scope, value)
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
        body = Scope(scope, declares=True)
        self.exec_block(node.body, body)
        cls = UserClass(node.name, bases, dict(body.vars), node.lineno)
        if any(_is_dataclass(d) for d in node.decorator_list):
            # the __init__ @dataclass writes: its fields in order, a base dataclass's first
            inherited = [f for b in reversed(bases) if isinstance(b, UserClass) for f in b.fields]
            own = [s.target.id for s in node.body if isinstance(s, ast.AnnAssign)
                   and isinstance(s.target, ast.Name) and "ClassVar" not in ast.unparse(s.annotation)]
            cls.fields = tuple(dict.fromkeys([*inherited, *own]))
            cls.dataclass = True
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
                scope.assign(alias.asname, self.host.import_module(alias.name, 0, node))
            else:
                top = alias.name.split(".")[0]
                scope.assign(top, self.host.import_module(top, 0, node))

    def stmt_ImportFrom(self, node, scope):
        module = node.module or ""
        for alias in node.names:
            if alias.name == "*":
                own = self.host.project_module(module, node.level, node)
                if own is not None:
                    # from .unet_parts import *: the module's public names
                    scope.vars.update({k: v for k, v in own.names().items() if not k.startswith("_")})
                    continue
                self.host.import_star(module, scope)
                continue
            scope.assign(alias.asname or alias.name, self.host.import_name(module, alias.name, node.level, node))

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
            elif self.host.shape_of(container) is not None:
                # pe[:, 0::2] = torch.sin(position * div): values written into a tensor the file
                # made; its shape, all the reader follows, stays
                pass
            elif not isinstance(container, Opaque):
                raise self.error(f"cannot assign to an item of {self.describe(container)}", target)
        elif isinstance(target, ast.Starred):
            self.assign(target.value, value, scope)
        else:
            raise self.error("the reader cannot assign to this target", target)


def _is_dataclass(decorator: ast.expr) -> bool:
    """``@dataclass``, ``@dataclasses.dataclass``, ``@dataclass(frozen=True)``."""
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    return (isinstance(target, ast.Name) and target.id == "dataclass") or \
        (isinstance(target, ast.Attribute) and target.attr == "dataclass")

