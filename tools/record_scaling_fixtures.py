#!/usr/bin/env python3
"""Record real PyTorch's counts of the scaling studies at several numeric points.

    python tools/record_scaling_fixtures.py

A scaling study reads a PyTorch file with some of its settings left free
(``symparams scale examples/gpt_dataclass.py --symbolic n_layer,n_embd``). The symbolic total
is checked against PyTorch at three or more points of each free size: for every study below
this script builds the file's model at each point in the real framework and writes
``tests/fixtures/scaling/<study>.json`` with, for each point, the values,
``sum(p.numel() for p in model.parameters())`` (a tied weight once, as PyTorch yields it)
and, where the study gives an input, the FLOPs ``torch.utils.flop_counter`` counts for one
forward pass (attention on its math backend, which the counter sees).

The file runs as a module (``__name__`` is not ``"__main__"``), then ``build`` is evaluated
in its namespace with ``point`` bound to the values. PyTorch is not a dependency of
symparams: the script re-runs itself in ``.cache/torch-venv`` (tools/torch_env.py).
"""

from __future__ import annotations

import json
import runpy
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from torch_env import ROOT, ensure_torch  # noqa: E402

OUT = ROOT / "tests" / "fixtures" / "scaling"

#: each study: the file, the names ``--symbolic`` frees, how the file's model is built at a
#: point, the points (each free size at three or more values), and for FLOPs the
#: ``--input-size`` the test reads with and the values of its free sizes
STUDIES = {
    "gpt_dataclass": {
        "file": "examples/gpt_dataclass.py",
        "symbolic": ["n_layer", "n_embd"],
        "build": "GPT(GPTConfig(**point))",
        # n_embd a multiple of n_head (12), as the file asserts
        "points": [{"n_layer": 1, "n_embd": 48}, {"n_layer": 2, "n_embd": 96},
                   {"n_layer": 3, "n_embd": 144}, {"n_layer": 5, "n_embd": 12},
                   {"n_layer": 12, "n_embd": 768}],
        "inputs": [{"T": 8}, {"T": 16}, {"T": 32}],
        "input_size": "1,T",
        "input_dtype": "long",
    },
    "resnet_width": {
        "file": "examples/resnet_width.py",
        "symbolic": ["width_per_group"],
        "build": "ResNet(Bottleneck, [3, 4, 6, 3], width_per_group=point['width_per_group'])",
        # 64 is ResNet-50, 128 Wide ResNet-50-2
        "points": [{"width_per_group": 4}, {"width_per_group": 16}, {"width_per_group": 64},
                   {"width_per_group": 128}],
    },
    # a project of three files: predict.py imports the unet package beside it
    "unet_project": {
        "file": "tests/fixtures/projects/unet/predict.py",
        "symbolic": ["base"],
        "build": "UNet(n_channels=3, n_classes=2, base=point['base'])",
        "points": [{"base": 8}, {"base": 16}, {"base": 64}],
        "inputs": [{"H": 32}, {"H": 64}],
        "input_size": "1,3,H,H",
    },
}


def flops_of(model, x) -> int:
    import torch
    from torch.nn.attention import SDPBackend, sdpa_kernel
    from torch.utils.flop_counter import FlopCounterMode
    with torch.no_grad(), sdpa_kernel([SDPBackend.MATH]), FlopCounterMode(display=False) as counter:
        model(x)
    return int(counter.get_total_flops())


def record(name: str, study: dict) -> dict:
    import torch
    # the file's folder first on the path, as `python predict.py` puts it: its project's imports
    sys.path.insert(0, str((ROOT / study["file"]).parent))
    namespace = runpy.run_path(str(ROOT / study["file"]), run_name="symparams_scaling_study")
    runs = []
    for point in study["points"]:
        model = eval(study["build"], {**namespace, "point": point})  # noqa: S307 - the study's own code
        run = {"point": point, "total": sum(p.numel() for p in model.parameters())}
        if "input_size" in study:
            model.eval()
            dtype = getattr(torch, study.get("input_dtype", "float32"))
            run["flops"] = []
            for size in study["inputs"]:
                shape = [int(size.get(d, d)) for d in study["input_size"].split(",")]
                run["flops"].append({**size, "flops": flops_of(model, torch.zeros(*shape, dtype=dtype))})
        runs.append(run)
        print(f"{name} {point}: {run['total']:,}", flush=True)
    return {"study": name, "file": study["file"], "symbolic": study["symbolic"], "build": study["build"],
            "input_size": study.get("input_size"), "recorded_with": f"torch {torch.__version__}", "runs": runs}


def main() -> None:
    ensure_torch(__file__, ("torch",))
    for name, study in STUDIES.items():
        out = OUT / f"{name}.json"
        out.write_text(json.dumps(record(name, study), indent=1) + "\n")
        print(f"wrote {out.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
