"""The interpreter's expressions: names, attributes, containers, subscripts,
lambdas and comprehensions.

:class:`Expressions` is a mixin of :class:`~symparams.readers.interpreter.Interpreter`;
operators are in :mod:`~symparams.readers.operators`, strings the file formats in
:mod:`~symparams.readers.formatting`, calls in :mod:`~symparams.readers.calls`.
"""

from __future__ import annotations

import ast

import sympy

from .scope import Scope
from .values import BoundFunction, FreeName, Instance, Opaque, Super, SymbolicRange, UserClass, UserFunction


class Expressions:
    """Evaluates an expression (``expr_<Name>`` for each kind of node) to a value."""

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
            if isinstance(obj, Instance) and attr == "__dict__":
                # self.__dict__.update(kwargs) (minGPT's CfgNode): the object's own attributes
                return obj.attributes
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
    def comprehension(self, generators, scope, emit, first=None):
        def loop(i, inner):
            if i == len(generators):
                emit(inner)
                return
            gen = generators[i]
            count = 0
            source = first if i == 0 and first is not None else self.eval(gen.iter, inner)
            for item in self.iterate(source, gen.iter):
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
        gens = node.generators
        first = self.eval(gens[0].iter, scope)
        if isinstance(first, SymbolicRange) and len(gens) == 1 and not gens[0].ifs:
            # [Block(config) for _ in range(n_layer)]: the host decides what a free count of
            # items is (PyTorch stacks modules made alike)
            return self.host.repeat_items(node, Scope(scope), first)
        if isinstance(first, Opaque) and not isinstance(first, FreeName):
            # [name for name in models.__dict__]: items of something the reader does not have
            self.host.data_loop(node, [node.elt, *gens], scope, first)
            return Opaque(f"[... for ... in {first.path}]")

        def emit(inner):
            out.append(self.eval(node.elt, inner))
            self.allot(1, node, len(out))
        self.comprehension(gens, scope, emit, first)
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
