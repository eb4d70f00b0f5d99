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

from jinja2.sandbox import SandboxedEnvironment


class Sandbox(SandboxedEnvironment):
    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._verdicts: dict = {}

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        key = (type(obj), attr)
        safe = self._verdicts.get(key)
        if safe is None:
            safe = self._verdicts[key] = super().is_safe_attribute(obj, attr, value)
        return safe
