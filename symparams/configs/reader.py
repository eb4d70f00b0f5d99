"""Reading a Hugging Face ``config.json`` into a model: the family from ``model_type``, the
fields with the family's defaults for those the file leaves out, and the model built from
the family's layers (:mod:`symparams.configs.families`)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any, Mapping, Optional, Sequence

from ..pytorch.module import Module
from .catalog import FAMILIES
from .families import Family
from .fields import SIZE, ConfigError, Field, Values, resolve

#: the classes a head adds to a bare model (PretrainedConfig's default: 2)
NUM_LABELS = Field("num_labels", SIZE, 2, counted=False)

#: a config.json is a few kilobytes; anything far larger is not one
MAX_CONFIG_BYTES = 1_000_000


@dataclass
class ConfigModel:
    """A model read from a configuration file: what it was built from, and the model."""

    filename: str
    family: Family
    architecture: str
    values: Values
    model: Module
    notes: list = field(default_factory=list)

    @property
    def model_type(self) -> str:
        return self.family.model_type

    @property
    def defaults_used(self) -> tuple:
        return self.values.defaults_used

    def dims(self):
        return self.family.dims(self.values)

    def about(self) -> tuple:
        """What a summary says of where the model comes from."""
        lines = [f"Config: {self.filename} — {self.model_type}, built as transformers' {self.architecture}"]
        if self.defaults_used:
            lines.append("Defaults used (fields the file leaves out): "
                         + ", ".join(f"{n} {v}" if v.startswith("=") else f"{n} = {v}"
                                     for n, v in self.defaults_used))
        if self.values.symbolic:
            lines.append(f"Free fields: {', '.join(self.values.symbolic)}")
        lines += [f"Note: {n}" for n in self.notes]
        return tuple(lines)


@dataclass
class ConfigReadResult:
    """The reader's result for a config file, shaped as the source readers' results are."""

    filename: str
    config: ConfigModel
    warnings: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    traces: dict = field(default_factory=dict)
    #: a config asserts nothing; its family says what a width must divide (multiple_for)
    conditions: tuple = ()

    @property
    def model(self) -> Module:
        return self.config.model

    def trace_of(self, module: Module) -> None:
        """A model built from a config is never run on an input here."""
        return None

    def pick(self, name: str) -> Module:
        return self.config.model

    def all(self) -> list:
        return [self.config.model]


def field_differences(first: ConfigModel, second: ConfigModel) -> list:
    """``(field, first's value, second's value)`` for each field the count reads that differs
    (defaults filled in), the family and class first."""
    out = []
    if first.model_type != second.model_type:
        out.append(("model_type", first.model_type, second.model_type))
    if first.architecture != second.architecture:
        out.append(("architecture", first.architecture, second.architecture))
    counted = [f.name for f in first.family.fields if f.counted]
    counted += [f.name for f in second.family.fields if f.counted and f.name not in counted]
    for name in counted:
        a, b = first.values.get(name, "(no such field)"), second.values.get(name, "(no such field)")
        if str(a) != str(b):
            out.append((name, a, b))
    return out


def read_config_text(text: str, filename: str = "<config>", symbolic: Sequence[str] = (),
                     subs: Optional[Mapping[str, Any]] = None,
                     architecture: Optional[str] = None) -> ConfigModel:
    """The model a ``config.json``'s text describes (see :func:`read_config`)."""
    if len(text) > MAX_CONFIG_BYTES:
        raise ConfigError(f"is {len(text):,} characters, far more than a config file; is it one?", filename)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"line {exc.lineno}: not valid JSON ({exc.msg}); a config file is one JSON "
                          "object", filename) from None
    except ValueError:
        # a number of more digits than Python reads (4,300): no size has so many
        raise ConfigError("has a number of thousands of digits, far larger than any size; fix it in "
                          "the file", filename) from None
    except RecursionError:
        # json's own limit on arrays and objects inside each other; a config is a few levels deep
        raise ConfigError("nests arrays or objects far more deeply than a config file does; a config "
                          "file is one object of fields", filename) from None
    if not isinstance(data, dict):
        raise ConfigError("is not a JSON object; a config file is one object of fields", filename)
    model_type = data.get("model_type")
    supported = ", ".join(FAMILIES)
    if model_type is None:
        raise ConfigError(f"has no 'model_type' field, so its family is unknown; add one of: {supported}",
                          filename)
    if not isinstance(model_type, str) or model_type not in FAMILIES:
        raise ConfigError(f"model_type {model_type!r} is not a family symparams builds; it builds {supported}",
                          filename)
    family = FAMILIES[model_type]
    if isinstance(data.get("id2label"), dict) and "num_labels" not in data:
        # PretrainedConfig keeps num_labels as the length of id2label (a file saves only id2label)
        data = {**data, "num_labels": len(data["id2label"])}
    values = resolve(family.fields + (replace(NUM_LABELS, default=family.labels),), data, filename, symbolic, _subs_values(subs or {}))
    family.check(values, filename)
    architecture = architecture or _architecture(data, family, filename)
    if architecture not in family.architectures:
        raise ConfigError(f"architecture {architecture!r} is not one symparams builds for {model_type}; "
                          f"use --model with one of {', '.join(family.architectures)}", filename)
    try:
        model = family.build(values, architecture)
    except ConfigError as exc:
        if exc.filename != "<config>":
            raise
        raise ConfigError(str(exc).split(": ", 1)[1], filename) from None
    return ConfigModel(filename, family, architecture, values, model, family.notes(values, architecture))


def _architecture(data: dict, family: Family, filename: str) -> str:
    named = data.get("architectures")
    if named is None:
        return family.architectures[0]
    if not isinstance(named, list) or not named or not all(isinstance(a, str) for a in named):
        raise ConfigError("field 'architectures' must be a list of class names, e.g. [\"LlamaForCausalLM\"]",
                          filename)
    for name in named:
        if name in family.architectures:
            return name
    raise ConfigError(f"architectures {named} names no class symparams builds for {family.model_type}; "
                      f"use --model with one of {', '.join(family.architectures)}", filename)


def _subs_values(subs: Mapping[str, Any]) -> dict:
    """``--subs`` text as JSON-like values (a field set on the command line); never evaluated."""
    from ..core.parse import parse_text
    out = {}
    for name, value in subs.items():
        if isinstance(value, str):
            text = value.strip().lower()
            if text in ("true", "false"):
                out[name] = text == "true"
                continue
            value = parse_text(value, f"--subs {name}")
        if hasattr(value, "is_Integer") and value.is_Integer:
            value = int(value)
        elif hasattr(value, "is_Number") and value.is_Number:
            value = float(value)
        out[name] = value
    return out


def read_config(path: str, symbolic: Sequence[str] = (), subs: Optional[Mapping[str, Any]] = None,
                architecture: Optional[str] = None) -> ConfigModel:
    """The model a Hugging Face ``config.json`` describes.

    ``symbolic`` names size fields to leave free (``["hidden_size", "num_hidden_layers"]``);
    ``subs`` sets fields (``{"hidden_size": 2048}``); ``architecture`` picks the model class
    (default: the file's ``architectures``, else the family's language model)."""
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read(MAX_CONFIG_BYTES + 1)
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror or exc}", path) from None
    except UnicodeDecodeError:
        raise ConfigError("is not UTF-8 text; a config file is JSON", path) from None
    return read_config_text(text, path, symbolic, subs, architecture)


__all__ = ["ConfigModel", "ConfigReadResult", "read_config", "read_config_text"]
