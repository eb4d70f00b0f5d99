"""Checkpoint headers: safetensors files the tests write (the 8-byte length, the JSON header,
zero bytes of data) with the names and shapes real transformers recorded, counted exactly
by symparams summary and reconciled with their config by symparams compare; damaged
headers are one line with exit 2."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import pytest

from symparams.cli import main
from symparams.readers.safetensors import DTYPE_BITS, read_checkpoint

ROOT = Path(__file__).resolve().parents[2]
RECORDED = ROOT / "tests" / "fixtures" / "transformers"


def write(path: Path, tensors: dict, length: int = None, tail: bytes = None) -> Path:
    """A safetensors file: ``tensors`` maps a name to (dtype, shape); the data is zeros."""
    header, offset = {"__metadata__": {"format": "pt"}}, 0
    for name, (dtype, shape) in tensors.items():
        n = DTYPE_BITS[dtype]
        for s in shape:
            n *= s
        n = (n + 7) // 8
        header[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": [offset, offset + n]}
        offset += n
    raw = json.dumps(header).encode()
    with open(path, "wb") as fh:
        fh.write(struct.pack("<Q", len(raw) if length is None else length))
        fh.write(raw)
        fh.write(b"\0" * offset if tail is None else tail)
    return path


def recorded(stem: str, arch: str) -> tuple:
    rec = json.loads((RECORDED / f"{stem}.json").read_text())
    return ROOT / rec["config"], rec["models"][arch]


def run(args, capsys):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("stem,arch", [("llama_tiny_tied", "LlamaModel"), ("gemma_small", "GemmaForCausalLM"),
                                       ("deepseek_v3_small", "DeepseekV3ForCausalLM"),
                                       ("t5_encoder_gated", "T5EncoderModel")])
def test_a_checkpoint_of_transformers_names_is_counted_and_matches_its_config(stem, arch, tmp_path, capsys):
    config, real = recorded(stem, arch)
    path = write(tmp_path / "model.safetensors", {n: ("BF16", s) for n, s in real["parameters"]})
    checkpoint = read_checkpoint(str(path))
    assert checkpoint.total == real["num_parameters"]
    assert checkpoint.by_dtype() == {"BF16": (real["num_parameters"], 2 * real["num_parameters"])}
    code, out, _ = run(["summary", path], capsys)
    assert code == 0 and f"Total params: {real['num_parameters']:,}" in out and "× " in out
    data = json.loads(main_json(["summary", path, "--format", "json"], capsys))
    assert data["total"] == real["num_parameters"] and len(data["tensors"]) == len(real["parameters"])
    code, out, _ = run(["compare", f"{config}:{arch}", path], capsys)
    assert code == 0 and "Every tensor matches" in out and f"transformers' {arch}" in out


def main_json(args, capsys) -> str:
    code, out, _ = run(args, capsys)
    assert code == 0
    return out


def test_compare_names_every_tensor_that_differs(tmp_path, capsys):
    config, real = recorded("llama_tiny_tied", "LlamaModel")
    tensors = {n: ("F32", s) for n, s in real["parameters"]}
    del tensors["norm.weight"]
    tensors["layers.0.mlp.up_proj.weight"] = ("F32", [700, 256])
    tensors["layers.0.extra.weight"] = ("F32", [3])
    path = write(tmp_path / "model.safetensors", tensors)
    code, out, _ = run(["compare", config, path], capsys)
    assert code == 0
    assert "layers.0.mlp.up_proj.weight: config (688, 256), checkpoint (700, 256)" in out
    assert "Only in the config's model (1, 256 params)" in out and "  norm.weight (256)" in out
    assert "Only in the checkpoint (1, 3 params)" in out and "  layers.0.extra.weight (3)" in out


def test_a_sharded_checkpoint_is_read_through_its_index(tmp_path, capsys):
    _, real = recorded("gemma_small", "GemmaForCausalLM")
    params = real["parameters"]
    half = len(params) // 2
    write(tmp_path / "model-00001-of-00002.safetensors", {n: ("F32", s) for n, s in params[:half]})
    write(tmp_path / "model-00002-of-00002.safetensors", {n: ("BF16", s) for n, s in params[half:]})
    index = {"metadata": {}, "weight_map": {n: f"model-0000{1 if i < half else 2}-of-00002.safetensors"
                                            for i, (n, _) in enumerate(params)}}
    path = tmp_path / "model.safetensors.index.json"
    path.write_text(json.dumps(index))
    checkpoint = read_checkpoint(str(path))
    assert checkpoint.total == real["num_parameters"] and len(checkpoint.files) == 2
    first = sum(_numel(s) for _, s in params[:half])
    assert checkpoint.by_dtype() == {"F32": (first, 4 * first),
                                     "BF16": (real["num_parameters"] - first, 2 * (real["num_parameters"] - first))}
    code, out, _ = run(["summary", path], capsys)
    assert code == 0 and "2 files" in out and "F32:" in out and "BF16:" in out


def _numel(shape) -> int:
    n = 1
    for s in shape:
        n *= s
    return n


GOOD = {"a.weight": ("F32", [2, 3])}
BAD = [
    (lambda p: p.write_bytes(b"\x01\x02"), "shorter than the 8-byte header length"),
    (lambda p: write(p, GOOD, length=10_000), "its header length says 10,000 bytes but only"),
    (lambda p: write(p, GOOD, length=2**63), "more than safetensors allows"),
    (lambda p: p.write_bytes(struct.pack("<Q", 4) + b"\xff\xfe[1"), "its header is not JSON text"),
    (lambda p: p.write_bytes(struct.pack("<Q", 2) + b"[]"), "its header is not a JSON object of tensors"),
    (lambda p: write(p, {"a.weight": ("F32", [2, 3])}, tail=b"\0" * 5), "are not a range within the file's"),
    (lambda p: p.write_bytes(struct.pack("<Q", 80) + json.dumps(
        {"x": {"dtype": "F32", "shape": [2], "data_offsets": [0, 4]}}).encode().ljust(80) + b"\0" * 4),
     "its data_offsets hold 4 bytes, but F32 of shape [2] takes 8"),
    (lambda p: p.write_bytes(struct.pack("<Q", 80) + json.dumps(
        {"x": {"dtype": "Q9", "shape": [2], "data_offsets": [0, 4]}}).encode().ljust(80)),
     "dtype 'Q9' is not one safetensors writes"),
]


@pytest.mark.parametrize("make,message", BAD)
def test_a_damaged_header_is_one_line(make, message, tmp_path, capsys):
    path = tmp_path / "model.safetensors"
    make(path)
    code, out, err = run(["summary", path], capsys)
    assert code == 2 and message in err and err.count("\n") == 1 and "Traceback" not in err


def test_an_index_names_shards_beside_it_only(tmp_path, capsys):
    path = tmp_path / "model.safetensors.index.json"
    path.write_text(json.dumps({"weight_map": {"a": "../secret.safetensors"}}))
    code, _, err = run(["summary", path], capsys)
    assert code == 2 and "is not a file name beside the index" in err
    write(tmp_path / "s.safetensors", GOOD)
    path.write_text(json.dumps({"weight_map": {"a.weight": "s.safetensors", "b.weight": "s.safetensors"}}))
    code, _, err = run(["summary", path], capsys)
    assert code == 2 and "names 'b.weight' in s.safetensors, whose header has no such tensor" in err
