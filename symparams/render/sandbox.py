"""The jinja2 sandbox every template runs in, its verdicts remembered.

Templates are shared and copied like documents, so they are text from outside: the
sandbox keeps them from reaching Python internals (``fmt.__init__.__globals__``) while
leaving every filter and method open. Whether an attribute is safe depends on the
object's type and the attribute's name alone (``jinja2.sandbox.is_internal_attribute``
looks at nothing else), and 1,000 exam versions ask the same few hundred questions
200,000 times, so each is answered once.
"""

from __future__ import annotations

from typing import Any

from jinja2.exceptions import TemplateRuntimeError
from jinja2.sandbox import SandboxedEnvironment

#: items all the range() calls of one run may make: jinja2's own cap is per call, so two
#: loops inside each other made 10^10 (the exam fuzzer's teacher's template, killed at 2 GiB)
RANGE_ITEMS = 1_000_000
#: items or characters one ``*`` may make, and bits of one ``**``
REPEAT_ITEMS = 1_000_000
POWER_BITS = 4096


class Sandbox(SandboxedEnvironment):
    intercepted_binops = frozenset({"*", "**"})

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._verdicts: dict = {}
        self._ranged = 0
        self.globals["range"] = self._range

    def _range(self, *args: int) -> range:
        made = range(*args)
        self._ranged += len(made)
        if self._ranged > RANGE_ITEMS:
            raise TemplateRuntimeError(f"its range() loops make more than {RANGE_ITEMS:,} items in all")
        return made

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            for seq, n in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple)) and isinstance(n, int) and len(seq) * n > REPEAT_ITEMS:
                    raise TemplateRuntimeError(f"a * makes more than {REPEAT_ITEMS:,} items or characters")
        if operator == "**" and isinstance(left, int) and isinstance(right, int) and \
                abs(right) * max(abs(left), 2).bit_length() > POWER_BITS:
            raise TemplateRuntimeError(f"a ** makes a number of more than {POWER_BITS:,} bits")
        return super().call_binop(context, operator, left, right)

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        key = (type(obj), attr)
        safe = self._verdicts.get(key)
        if safe is None:
            safe = self._verdicts[key] = super().is_safe_attribute(obj, attr, value)
        return safe
