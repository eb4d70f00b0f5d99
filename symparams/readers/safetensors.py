"""A checkpoint's own shapes, from its safetensors header alone: never the weights.

The format (https://huggingface.co/docs/safetensors, ``safetensors/src/tensor.rs``): 8 bytes,
a little-endian unsigned length N; N bytes of UTF-8 JSON, an object mapping each tensor's
name to ``{"dtype", "shape", "data_offsets": [begin, end]}`` (offsets into the bytes after
the header) and an optional ``"__metadata__"`` of strings; then the data. A sharded
checkpoint's ``model.safetensors.index.json`` maps each name to its shard
(``{"weight_map": {name: file}}``). Reading is bounded: the header length is checked against
the file's size and safetensors' own limit before anything is read.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from typing import Optional

from ..core.errors import ReadError

#: safetensors refuses larger headers (MAX_HEADER_SIZE, 100,000,000 bytes, in tensor.rs)
MAX_HEADER = 100_000_000
#: an index.json is a name per tensor; far above any model's
MAX_INDEX_BYTES = 50_000_000
MAX_SHARDS = 10_000
#: bits per element of each dtype safetensors writes (tensor.rs's Dtype)
DTYPE_BITS = {"BOOL": 8, "U8": 8, "I8": 8, "F8_E5M2": 8, "F8_E4M3": 8, "F8_E8M0": 8, "F4": 4, "F6_E2M3": 6,
              "F6_E3M2": 6, "I16": 16, "U16": 16, "F16": 16, "BF16": 16, "I32": 32, "U32": 32, "F32": 32,
              "I64": 64, "U64": 64, "F64": 64, "C64": 64}


@dataclass(frozen=True)
class Tensor:
    """One tensor of the header: its name, dtype and shape, and the shard holding it."""

    name: str
    dtype: str
    shape: tuple
    file: str

    @property
    def numel(self) -> int:
        n = 1
        for s in self.shape:
            n *= s
        return n

    @property
    def nbytes(self) -> int:
        return (self.numel * DTYPE_BITS[self.dtype] + 7) // 8


@dataclass(frozen=True)
class Group:
    """Tensors of one module, or of a run of alike numbered blocks (``model.layers.0–31``)."""

    name: str
    tensors: int
    params: int
    bytes: int
    repeat: int = 1


@dataclass(frozen=True)
class Checkpoint:
    """A checkpoint's tensors as its headers give them."""

    filename: str
    files: tuple
    tensors: tuple

    @property
    def total(self) -> int:
        return sum(t.numel for t in self.tensors)

    @property
    def nbytes(self) -> int:
        return sum(t.nbytes for t in self.tensors)

    def by_dtype(self) -> dict:
        """``{dtype: (parameters, bytes)}`` in the order the dtypes first appear."""
        out: dict = {}
        for t in self.tensors:
            n, b = out.get(t.dtype, (0, 0))
            out[t.dtype] = (n + t.numel, b + t.nbytes)
        return out

    def shapes(self) -> dict:
        return {t.name: t.shape for t in self.tensors}

    def groups(self) -> list:
        """The tensors by module, numbered blocks with the same tensors folded into one row."""
        keyed: dict = {}
        for t in self.tensors:
            keyed.setdefault(_module_of(t.name), []).append(t)
        rows: list = []
        for key, ts in keyed.items():
            sig = tuple((t.name[len(key):], t.dtype, t.shape) for t in ts)
            prefix, index = _numbered(key)
            last = rows[-1] if rows else None
            if (index is not None and last and last[0] == prefix and last[3] == sig
                    and last[2] + last[4] == index):
                last[4] += 1
                continue
            rows.append([prefix, key, index, sig, 1, ts])
        out = []
        for prefix, key, index, sig, repeat, ts in rows:
            name = f"{prefix}.{index}–{index + repeat - 1}" if repeat > 1 else key
            out.append(Group(name, len(ts) * repeat, sum(t.numel for t in ts) * repeat,
                             sum(t.nbytes for t in ts) * repeat, repeat))
        return out


def _module_of(name: str) -> str:
    """A tensor's module: up to its first block number (``model.layers.3``), else its parent."""
    parts = name.split(".")
    for i, p in enumerate(parts[:-1]):
        if p.isdigit():
            return ".".join(parts[:i + 1])
    return ".".join(parts[:-1]) or name


def _numbered(key: str) -> tuple:
    m = re.fullmatch(r"(.*)\.(\d+)", key)
    return (m.group(1), int(m.group(2))) if m else (key, None)


def is_checkpoint(path: str) -> bool:
    return path.endswith(".safetensors") or path.endswith(".safetensors.index.json")


def read_checkpoint(path: str) -> Checkpoint:
    """The tensors of a ``.safetensors`` file or of the shards a ``.safetensors.index.json`` names."""
    if path.endswith(".index.json"):
        return _read_index(path)
    return Checkpoint(path, (path,), tuple(read_header(path)))


def read_header(path: str, shown: Optional[str] = None) -> list:
    """The tensors one safetensors file's header lists, checked against the file's size."""
    shown = shown or path
    try:
        with open(path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            if size < 8:
                raise ReadError(f"is {size} bytes, shorter than the 8-byte header length a safetensors "
                                "file starts with; is it one?", shown)
            n = int.from_bytes(fh.read(8), "little")
            if n > MAX_HEADER:
                raise ReadError(f"its header length says {n:,} bytes, more than safetensors allows "
                                f"({MAX_HEADER:,}); the file is not a safetensors checkpoint or is damaged", shown)
            if n > size - 8:
                raise ReadError(f"its header length says {n:,} bytes but only {size - 8:,} follow; the file "
                                "is cut short or not a safetensors checkpoint", shown)
            raw = fh.read(n)
    except OSError as exc:
        raise ReadError(f"cannot read: {exc.strerror or exc}", shown) from None
    try:
        header = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ReadError("its header is not JSON text; the file is not a safetensors checkpoint or is "
                        "damaged", shown) from None
    if not isinstance(header, dict):
        raise ReadError("its header is not a JSON object of tensors", shown)
    data_bytes = size - 8 - n
    out = []
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        out.append(_tensor(name, entry, data_bytes, shown))
    return out


def _tensor(name: str, entry, data_bytes: int, shown: str) -> Tensor:
    def bad(what: str):
        return ReadError(f"tensor {name!r}: {what}; the header is damaged", shown)
    if not isinstance(entry, dict):
        raise bad("its entry is not an object of dtype, shape and data_offsets")
    dtype, shape, offsets = entry.get("dtype"), entry.get("shape"), entry.get("data_offsets")
    if dtype not in DTYPE_BITS:
        raise bad(f"dtype {dtype!r} is not one safetensors writes")
    if not isinstance(shape, list) or not all(isinstance(s, int) and not isinstance(s, bool) and s >= 0
                                              for s in shape):
        raise bad("its shape is not a list of whole numbers")
    if (not isinstance(offsets, list) or len(offsets) != 2
            or not all(isinstance(o, int) and not isinstance(o, bool) for o in offsets)
            or not 0 <= offsets[0] <= offsets[1] <= data_bytes):
        raise bad(f"its data_offsets {offsets!r} are not a range within the file's {data_bytes:,} data bytes")
    t = Tensor(name, dtype, tuple(shape), shown)
    if offsets[1] - offsets[0] != t.nbytes:
        raise bad(f"its data_offsets hold {offsets[1] - offsets[0]:,} bytes, but {dtype} of shape "
                  f"{list(shape)} takes {t.nbytes:,}")
    return t


def _read_index(path: str) -> Checkpoint:
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read(MAX_INDEX_BYTES + 1)
    except (OSError, UnicodeDecodeError) as exc:
        raise ReadError(f"cannot read: {getattr(exc, 'strerror', None) or exc}", path) from None
    if len(text) > MAX_INDEX_BYTES:
        raise ReadError(f"is larger than {MAX_INDEX_BYTES:,} characters, far more than a checkpoint index", path)
    try:
        index = json.loads(text)
    except (ValueError, RecursionError):
        raise ReadError("is not valid JSON; a checkpoint index is an object with a weight_map", path) from None
    weight_map = index.get("weight_map") if isinstance(index, dict) else None
    if not isinstance(weight_map, dict) or not all(isinstance(f, str) for f in weight_map.values()):
        raise ReadError("has no weight_map of tensor names to shard files", path)
    shards = list(dict.fromkeys(weight_map.values()))
    if len(shards) > MAX_SHARDS:
        raise ReadError(f"names {len(shards):,} shards, more than {MAX_SHARDS:,}", path)
    folder = os.path.dirname(path)
    tensors = []
    for shard in shards:
        if os.path.basename(shard) != shard or shard in (".", ".."):
            raise ReadError(f"shard {shard!r} is not a file name beside the index", path)
        found = read_header(os.path.join(folder, shard), os.path.join(folder, shard))
        names = {t.name for t in found}
        missing = [n for n, f in weight_map.items() if f == shard and n not in names]
        if missing:
            raise ReadError(f"names {missing[0]!r} in {shard}, whose header has no such tensor "
                            f"({len(missing)} missing)", path)
        tensors += [t for t in found if weight_map.get(t.name) == shard]
    return Checkpoint(path, tuple(shards), tuple(tensors))


__all__ = ["Checkpoint", "Tensor", "is_checkpoint", "read_checkpoint", "read_header"]
