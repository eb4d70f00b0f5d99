"""A configuration file's fields: what each family's config class declares, its default,
and how a value from JSON is checked.

A Hugging Face ``config.json`` leaves out every field equal to its class's default
(``PretrainedConfig.to_diff_dict``), so a count needs the defaults of the family's
config class (``transformers/models/<family>/configuration_<family>.py``). Each family
lists them as :class:`Field` values; :func:`resolve` takes the file's values, fills in
the defaults it used, and makes the sizes named with ``--symbolic`` free symbols.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Mapping, Optional, Sequence

import sympy

from ..core.dims import symbol
from ..core.errors import SymparamsError


class ConfigError(SymparamsError):
    """A configuration file that cannot be read as a model (the message names the file)."""

    def __init__(self, message: str, filename: str = "<config>"):
        self.filename = filename
        super().__init__(f"{filename}: {message}")


#: a field that is a number of things or a width: the only kind that can be a symbol
SIZE = "size"
NUMBER = "number"
FLAG = "flag"
TEXT = "text"
#: a size a config class may also work out itself from the string "auto" (Mamba's time_step_rank)
AUTO_SIZE = "auto_size"
#: a list of layer numbers (Qwen-MoE's mlp_only_layers)
INDICES = "indices"
#: words, as a list or joined by "|" (DeBERTa's pos_att_type: ["p2c", "c2p"] or "p2c|c2p")
WORDS = "words"
_KINDS = {SIZE: "a whole number", NUMBER: "a number", FLAG: "true or false", TEXT: "a string",
          AUTO_SIZE: 'a whole number or "auto"', INDICES: "a list of layer numbers",
          WORDS: 'a list of strings or one joined by "|"'}


@dataclass(frozen=True)
class Field:
    """One field of a family's config class, as ``configuration_<family>.py`` declares it."""

    name: str
    kind: str = SIZE
    default: Any = None
    #: the field names the count or the papers' arithmetic reads; others are kept only
    #: to be checked (a wrong type is still an error)
    counted: bool = True
    #: another field whose value this one takes when the file gives null or nothing
    #: (``num_key_value_heads`` → ``num_attention_heads``); ``None``: no such rule
    falls_back_to: Optional[str] = None
    #: words for the summary when the default applies (``hidden_size // num_attention_heads``)
    derived: str = ""
    #: other names the config class reads the field under (its ``attribute_map``: BLOOM's
    #: ``num_hidden_layers`` is ``n_layer``), and legacy keywords it renames (``n_embed``)
    aliases: tuple = ()
    #: null is a value of its own (DeepSeek's q_lora_rank: no low-rank query projection)
    nullable: bool = False
    #: the smallest value a size may take (DeBERTa's type_vocab_size may be 0: no token types)
    minimum: int = 1
    #: the value decides which modules exist (DeepSeek's first_k_dense_replace), so it cannot
    #: stay free
    structural: bool = False


@dataclass(frozen=True)
class Values:
    """The fields a model is built from: sympy sizes (free where ``--symbolic`` named
    them), flags and strings; and which values came from the family's defaults."""

    values: Mapping[str, Any]
    defaults_used: tuple          # (name, value as the summary shows it)
    symbolic: tuple               # the names left free

    def __getitem__(self, name: str):
        return self.values[name]

    def get(self, name: str, default=None):
        return self.values.get(name, default)


def check_value(field: Field, value, filename: str):
    """``value`` from the JSON file if it fits the field's kind, else a one-line error."""
    if value is None:
        return None
    if field.kind == SIZE and isinstance(value, sympy.Expr) and not value.is_number:
        return value          # --subs hidden_size=2*w: a size in other names
    if field.kind == AUTO_SIZE and value == "auto":
        return value
    ok = {SIZE: isinstance(value, int) and not isinstance(value, bool),
          AUTO_SIZE: isinstance(value, int) and not isinstance(value, bool),
          INDICES: isinstance(value, list) and all(isinstance(i, int) and not isinstance(i, bool) and i >= 0
                                                   for i in value),
          WORDS: isinstance(value, str) or (isinstance(value, list) and all(isinstance(w, str) for w in value)),
          NUMBER: isinstance(value, (int, float)) and not isinstance(value, bool),
          FLAG: isinstance(value, bool),
          TEXT: isinstance(value, str)}[field.kind]
    if not ok:
        fix = "give another value" if filename.startswith("--subs") else "fix it in the file"
        raise ConfigError(f"field {field.name!r} must be {_KINDS[field.kind]}, got {_json_text(value)}; {fix}",
                          filename)
    if field.kind == INDICES:
        return tuple(value)
    if field.kind == WORDS:
        words = value.split("|") if isinstance(value, str) else value
        return tuple(w.strip().lower() for w in words)
    if field.kind in (SIZE, AUTO_SIZE) and value < field.minimum:
        what = "a positive whole number" if field.minimum == 1 else f"a whole number of at least {field.minimum}"
        raise ConfigError(f"field {field.name!r} must be {what}, got {value}", filename)
    return value


def resolve(fields: Sequence[Field], data: Mapping[str, Any], filename: str,
            symbolic: Sequence[str] = (), subs: Optional[Mapping[str, Any]] = None) -> Values:
    """The values of ``fields``: the file's, else ``subs``', else the default; sizes named in
    ``symbolic`` become free symbols of the same name."""
    by_name = {f.name: f for f in fields}
    subs = dict(subs or {})
    for name in [*symbolic, *subs]:
        if name not in by_name or not by_name[name].counted:
            counted = ", ".join(f.name for f in fields if f.counted and f.kind == SIZE)
            option = "--symbolic" if name in symbolic else "--subs"
            raise ConfigError(f"{option} {name}: not a size this family counts with; its sizes are "
                              f"{counted}", filename)
        if by_name[name].kind != SIZE and name in symbolic:
            raise ConfigError(f"--symbolic {name}: only sizes can stay free, and {name} is "
                              f"{_KINDS[by_name[name].kind]}", filename)
        if by_name[name].structural and name in symbolic:
            raise ConfigError(f"--symbolic {name}: {name} decides which modules the model has, so it cannot "
                              "stay free; give it values with --subs instead", filename)
    out: dict[str, Any] = {}
    used = []
    for f in fields:
        if f.name in symbolic:
            out[f.name] = symbol(f.name)      # before the fallbacks, which may read it
            continue
        if f.name in subs:
            value = check_value(f, subs[f.name], f"--subs {f.name}")
        elif f.name in data:
            value = check_value(f, data[f.name], filename)
        elif any(a in data for a in f.aliases):
            alias = next(a for a in f.aliases if a in data)
            value = check_value(replace(f, name=alias), data[alias], filename)
        else:
            value = f.default
            if f.counted and (value is not None or f.falls_back_to or f.derived):
                used.append(f.name)
        if value is None and f.falls_back_to:
            value = out[f.falls_back_to]
        if value is None and f.kind == SIZE and f.counted and not f.derived and not f.nullable:
            # transformers takes null as the value None, and building the model fails on it
            raise ConfigError(f"field {f.name!r} is null; give it a positive whole number, or leave it "
                              "out for its default", filename)
        out[f.name] = value
    for name, value in list(out.items()):
        if by_name[name].kind in (SIZE, AUTO_SIZE) and isinstance(value, int):
            out[name] = sympy.Integer(value)
    shown = tuple((name, by_name[name]) for name in used if name not in symbolic)
    return Values(out, tuple((n, _shown_default(f)) for n, f in shown), tuple(symbolic))


def _shown_default(f: Field) -> str:
    if f.default is None and f.falls_back_to:
        return f"= {f.falls_back_to}"
    if f.default is None and f.derived:
        return f"= {f.derived}"
    return _json_text(f.default)


def _json_text(value) -> str:
    import json
    return json.dumps(value)
