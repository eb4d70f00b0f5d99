"""The interpreter's calls: arguments, the file's own functions and methods,
``super()``, and handing everything else to the host.

:class:`Calls` is a mixin of :class:`~symparams.readers.interpreter.Interpreter`.
"""

from __future__ import annotations

import ast

from .scope import Scope, _Return
from .values import BoundFunction, RepeatedItems, Super, UserClass, UserFunction


class Calls:
    """Calls a value with arguments, binding them to a function's parameters as Python does."""

    # ---- calls ---------------------------------------------------------------------
    def expr_Call(self, node, scope):
        if isinstance(node.func, ast.Name) and node.func.id == "super" and not scope.lookup("super")[0]:
            return self.make_super(node, scope)
        func = self.eval(node.func, scope)
        args = []
        for a in node.args:
            if isinstance(a, ast.Starred):
                value = self.eval(a.value, scope)
                if isinstance(value, RepeatedItems):
                    # nn.Sequential(*[Block() for _ in range(n)]): the host stacks them
                    args.append(value)
                    continue
                args.extend(self.items(value, a))
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
        with_defaults = [*a.posonlyargs, *a.args][len(a.posonlyargs) + len(a.args) - len(a.defaults):]
        # a keyword's default is a setting the file declares (--symbolic may free it)
        defaults = [self.host.declared(arg.arg, self.eval(d, scope), d)
                    for arg, d in zip(with_defaults, a.defaults)]
        kw_defaults = {arg.arg: self.host.declared(arg.arg, self.eval(d, scope), d)
                       for arg, d in zip(a.kwonlyargs, a.kw_defaults) if d is not None}
        return UserFunction(name, node, scope, defaults, kw_defaults, filename=self.filename)

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
        saved_line, saved_file = self.line, self.filename
        if fn.filename and fn.filename != self.filename:
            # a function of another file of the project: its errors name that file
            self.filename = self.host.filename = fn.filename
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
            if self.filename != saved_file:
                self.filename = self.host.filename = saved_file
