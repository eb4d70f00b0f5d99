"""Record what real ``transformers`` counts for each configuration file, into JSON fixtures.

    python tools/record_transformers_fixtures.py            # every config
    python tools/record_transformers_fixtures.py gpt2 ...   # some, by file stem

Each config (``examples/configs/*.json`` and ``tests/fixtures/configs/*.json``) is
instantiated on PyTorch's meta device, so no weights are allocated, for the
architecture the file names (``architectures``, else the family's language-model
class) and for the family's bare model (``LlamaModel``...), and ``num_parameters()``
is recorded with each parameter's name and shape; for the small variants under
``tests/fixtures/configs/`` also every task head the family defines (sequence and token
classification, question answering). For a mixture of experts the
recorder also counts the experts' parameters (those under ``.experts.``), from which
the active count per token follows.

This runs in its own environment (``.cache/transformers-venv``, torch 2.13.0 CPU and
transformers 5.23.0); neither is ever a dependency of symparams. The fixtures go to
``tests/fixtures/transformers/<stem>.json``; the tests read only those.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from private_venv import python_in  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".cache" / "transformers-venv"
PINS = ["torch==2.13.0", "transformers==5.23.0"]
SOURCES = [ROOT / "examples" / "configs", ROOT / "tests" / "fixtures" / "configs"]
OUT = ROOT / "tests" / "fixtures" / "transformers"

# Where each published config comes from (examples/configs/sources.tsv: stem, then source);
# the small variants under tests/fixtures/configs/ are written for the tests.
SOURCES_FILE = ROOT / "examples" / "configs" / "sources.tsv"

INSIDE = r'''
import json, sys, torch, transformers
from transformers.models.auto import modeling_auto as auto
path, heads = sys.argv[1], sys.argv[2] == "heads"
with open(path) as fh:
    data = json.load(fh)
config = transformers.AutoConfig.for_model(**data)
mt = data["model_type"]
# the file's classes, else the family's language model; always the bare model; for the
# small variants every task head transformers defines for the family
lm = auto.MODEL_FOR_CAUSAL_LM_MAPPING_NAMES.get(mt) or auto.MODEL_FOR_SEQ_TO_SEQ_CAUSAL_LM_MAPPING_NAMES.get(mt) \
    or auto.MODEL_FOR_MASKED_LM_MAPPING_NAMES.get(mt) or auto.MODEL_MAPPING_NAMES[mt]
names = list(data.get("architectures") or [lm]) + [auto.MODEL_MAPPING_NAMES[mt]]
if heads:
    names += [m[mt] for m in (auto.MODEL_FOR_SEQUENCE_CLASSIFICATION_MAPPING_NAMES,
                              auto.MODEL_FOR_TOKEN_CLASSIFICATION_MAPPING_NAMES,
                              auto.MODEL_FOR_QUESTION_ANSWERING_MAPPING_NAMES) if mt in m]
out = {}
for name in dict.fromkeys(names):
    cls = getattr(transformers, name)
    with torch.device("meta"):
        model = cls(config)
    params = list(model.named_parameters())
    experts = sum(p.numel() for n, p in params if ".experts." in n)
    out[name] = {
        "num_parameters": model.num_parameters(),
        "num_parameters_exclude_embeddings": model.num_parameters(exclude_embeddings=True),
        "experts": experts,
        "parameters": [[n, list(p.shape)] for n, p in params],
    }
print(json.dumps({"transformers": transformers.__version__, "torch": torch.__version__, "models": out}))
'''


def sources() -> dict:
    """Each published config's source, by file stem."""
    out = {}
    for line in SOURCES_FILE.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            stem, source = line.split("\t", 1)
            out[stem] = source.strip()
    return out


def record(path: Path) -> dict:
    data = json.loads(path.read_text())
    published = path.parent == ROOT / "examples" / "configs"
    source = sources().get(path.stem) if published else "a small variant written for the tests"
    if source is None:
        raise SystemExit(f"{SOURCES_FILE}: no source for {path.stem}; add a line: {path.stem}<TAB>URL")
    python = python_in(VENV, PINS)
    env = {**os.environ, "CUDA_VISIBLE_DEVICES": "", "OMP_NUM_THREADS": "1", "HF_HUB_OFFLINE": "1"}
    done = subprocess.run([str(python), "-c", INSIDE, str(path), "plain" if published else "heads"],
                          capture_output=True, text=True, env=env, check=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return {"config": str(path.relative_to(ROOT)), "source": source, "model_type": data["model_type"], **result}


def main(argv: list[str]) -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    wanted = set(argv)
    for source in SOURCES:
        for path in sorted(source.glob("*.json")):
            if wanted and path.stem not in wanted:
                continue
            fixture = record(path)
            (OUT / f"{path.stem}.json").write_text(json.dumps(fixture, indent=1) + "\n")
            print(f"wrote {OUT / f'{path.stem}.json'}", file=sys.stderr)
            counts = ", ".join(f"{k} {v['num_parameters']:,}" for k, v in fixture["models"].items())
            print(f"{path.stem}: {counts}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
