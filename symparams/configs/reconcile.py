"""A config's model against a checkpoint's tensors: every name and shape that differs.

A tied weight is one tensor under two names (``lm_head.weight`` is
``model.embed_tokens.weight``); a checkpoint stores it once, under either name, so either
name counts as present."""

from __future__ import annotations

from dataclasses import dataclass

from .reader import ConfigModel


@dataclass(frozen=True)
class Reconciliation:
    config: str
    architecture: str
    checkpoint: str
    tensors: int
    config_total: int
    checkpoint_total: int
    #: (name, config's shape, checkpoint's shape)
    shapes: tuple
    only_config: tuple          # (name, shape)
    only_checkpoint: tuple      # (name, shape)
    tied: tuple                 # "lm_head.weight is model.embed_tokens.weight"

    @property
    def only_config_params(self) -> int:
        return sum(_numel(s) for _, s in self.only_config)

    @property
    def only_checkpoint_params(self) -> int:
        return sum(_numel(s) for _, s in self.only_checkpoint)

    @property
    def matches(self) -> bool:
        return not (self.shapes or self.only_config or self.only_checkpoint)


def _numel(shape) -> int:
    n = 1
    for s in shape:
        n *= int(s)
    return n


def reconcile(config: ConfigModel, checkpoint) -> Reconciliation:
    """Each tensor of ``config``'s model and of ``checkpoint`` (a
    :class:`symparams.readers.safetensors.Checkpoint`, from the reader above this package) by
    name: shapes that differ, and names only one side has (a tied weight under either of its
    names is present)."""
    model = config.model
    free = model.count().free_symbols
    if free:
        from ..core.errors import SymparamsError
        raise SymparamsError(f"{config.filename}: a checkpoint has numbers; compare it with the config "
                             f"without --symbolic (free: {', '.join(sorted(s.name for s in free))})")
    ours = {n: tuple(int(s) for s in p.shape) for n, p in model.named_parameters()}
    aliases = {name: first for name, first in model.tied()}
    theirs = checkpoint.shapes()
    shapes, only_config = [], []
    for name, shape in ours.items():
        stored = [n for n in (name, *[a for a, f in aliases.items() if f == name]) if n in theirs]
        if not stored:
            only_config.append((name, shape))
        elif theirs[stored[0]] != shape:
            shapes.append((stored[0], shape, theirs[stored[0]]))
    known = set(ours) | set(aliases)
    only_checkpoint = [(n, s) for n, s in theirs.items() if n not in known]
    return Reconciliation(config.filename, config.architecture, checkpoint.filename, len(checkpoint.tensors),
                          int(model.count()), checkpoint.total, tuple(shapes), tuple(only_config),
                          tuple(only_checkpoint), tuple(f"{a} is {f}" for a, f in aliases.items()))
