#!/usr/bin/env python3
"""Record ground truth from real PyTorch (and torchinfo) for every PyTorch fixture model.

    python tools/record_torch_fixtures.py              # all models
    python tools/record_torch_fixtures.py alexnet      # some, by file stem

Each model is a PyTorch source file in ``tests/fixtures/torch_models/`` that leaves an
``nn.Module`` in the variable ``model``. Comment lines give what the file does not:

    # bindings: [{"d_model": 768}, {"d_model": 64}]   values for the names it leaves free
    # input_size: [1, 3, 224, 224]                     an input for one forward pass
    # input_dtype: long                                token ids rather than floats

For every build the script writes what PyTorch reports to
``tests/fixtures/torch/<stem>.json``: each parameter (name, shape, requires_grad), each
parameter name that shares its tensor with an earlier one (tied weights, which
``model.parameters()`` yields once), each buffer (name, shape, persistent or not), each
module (qualified name, class, its own parameters, its parameters with its children's,
its buffers), the totals, and, with an input, every module's output shape and
torchinfo's totals (which count a tied weight once per module that holds it).

PyTorch is not a dependency of symparams: on first use the script makes its own virtual
environment (``.cache/torch-venv``) with pinned torch and torchinfo and re-runs itself
there. The tests read only the JSON.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from torch_env import ROOT, torch_environ, torch_python  # noqa: E402

MODELS = ROOT / "tests" / "fixtures" / "torch_models"
OUT = ROOT / "tests" / "fixtures" / "torch"


def ensure_torch() -> None:
    try:
        import torch  # noqa: F401 - does it import here?
        import torchinfo  # noqa: F401
        return
    except ImportError:
        pass
    python = torch_python()
    if Path(sys.executable).resolve() == python.resolve():
        raise SystemExit(f"{python}: torch or torchinfo does not import; delete {python.parent.parent} "
                         "to build the environment again")
    sys.exit(subprocess.call([str(python), __file__, *sys.argv[1:]], env=torch_environ()))


def comment(source: str, key: str):
    for line in source.splitlines():
        if line.startswith(f"# {key}:"):
            return line.split(":", 1)[1].strip()
    return None


def shapes_of(value):
    import torch
    if isinstance(value, torch.Tensor):
        return list(value.shape)
    if isinstance(value, (tuple, list)):
        return [shapes_of(v) for v in value]
    return None


def record(path: Path, bindings: dict) -> dict:
    import torch
    import torchinfo

    source = path.read_text()
    torch.manual_seed(0)
    scope = dict(bindings)
    scope["__name__"] = "__fixture__"
    exec(compile(source, str(path), "exec"), scope)   # our own fixture files, in this env only
    model = scope["model"]
    model.eval()
    size = comment(source, "input_size")
    outputs, modules_out = None, {}
    if size is not None:
        shape = eval(size, {}, dict(bindings))           # noqa: S307 - a fixture's own comment
        dtype = comment(source, "input_dtype")
        x = torch.randint(0, 8, shape) if dtype == "long" else torch.randn(shape)
        hooks = []
        for name, m in model.named_modules():
            def hook(mod, args, out, name=name):
                modules_out.setdefault(name, shapes_of(out))
            hooks.append(m.register_forward_hook(hook))
        with torch.no_grad():
            outputs = shapes_of(model(x))               # also materializes lazy modules
        for h in hooks:
            h.remove()
        stats = torchinfo.summary(model, input_data=[x], verbose=0, device="cpu")
        info = {"total_params": stats.total_params, "trainable_params": stats.trainable_params,
                "total_mult_adds": stats.total_mult_adds}
    else:
        info = None

    named = list(model.named_parameters())
    first = {}
    tied = []
    for name, p in model.named_parameters(remove_duplicate=False):
        if id(p) in first and first[id(p)] != name:
            tied.append({"name": name, "same_as": first[id(p)]})
        first.setdefault(id(p), name)
    buffers = []
    for mod_name, m in model.named_modules():
        for b_name, b in m.named_buffers(recurse=False):
            if b is None:
                continue
            full = f"{mod_name}.{b_name}" if mod_name else b_name
            buffers.append({"name": full, "shape": list(b.shape), "dtype": str(b.dtype).replace("torch.", ""),
                            "persistent": b_name not in m._non_persistent_buffers_set})
    modules = []
    for name, m in model.named_modules():
        own = sum(p.numel() for p in m.parameters(recurse=False))
        modules.append({
            "name": name, "class": type(m).__name__, "params": own,
            "total": sum(p.numel() for p in m.parameters()),
            "buffers": sum(b.numel() for b in m.buffers(recurse=False)),
            **({"output_shape": modules_out[name]} if name in modules_out else {}),
        })
    total = sum(p.numel() for _, p in named)
    trainable = sum(p.numel() for _, p in named if p.requires_grad)
    return {
        "bindings": bindings,
        "class": type(model).__name__,
        "parameters": [{"name": n, "shape": list(p.shape), "trainable": p.requires_grad} for n, p in named],
        "tied": tied,
        "buffers": buffers,
        "modules": modules,
        "total": total, "trainable": trainable, "non_trainable": total - trainable,
        "buffer_total": sum(math.prod(b["shape"]) for b in buffers),   # a scalar's () is 1
        **({"output_shape": outputs, "torchinfo": info} if size is not None else {}),
    }


def main(argv: list[str]) -> int:
    ensure_torch()
    import torch
    import torchinfo
    OUT.mkdir(parents=True, exist_ok=True)
    stems = argv or sorted(p.stem for p in MODELS.glob("*.py"))
    for stem in stems:
        path = MODELS / f"{stem}.py"
        source = path.read_text()
        bindings = json.loads(comment(source, "bindings") or "[{}]")
        runs = [record(path, b) for b in bindings]
        data = {"source": f"tests/fixtures/torch_models/{stem}.py", "torch_version": torch.__version__,
                "torchinfo_version": torchinfo.__version__, "runs": runs}
        (OUT / f"{stem}.json").write_text(json.dumps(data, indent=1) + "\n")
        print(f"{stem}: " + ", ".join(f"{r['total']:,}" for r in runs), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
