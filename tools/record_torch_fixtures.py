#!/usr/bin/env python3
"""Record ground truth from real PyTorch (and torchinfo) for every PyTorch fixture model.

    python tools/record_torch_fixtures.py              # all models
    python tools/record_torch_fixtures.py alexnet      # some, by file stem
    python tools/record_torch_fixtures.py --exam variants.json 12   # a sample of exam variants

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
its buffers), the totals, and, with an input, every module's output shape, the FLOPs
``torch.utils.flop_counter.FlopCounterMode`` counts (in total and per module) and
torchinfo's totals (which count a tied weight once per module that holds it).

Two things the counter does not see are made visible to it:

- attention modules run in training mode, because their fused inference path
  (``_native_multi_head_attention``) hides its products from the counter, and
  ``F.scaled_dot_product_attention`` runs on its math backend, because the CPU's fused
  kernel has no formula in the counter;
- a recurrent module (``nn.RNN``, ``nn.LSTM``, ``nn.GRU``) is one ``aten`` call the counter
  has no formula for, so its recurrence is run again step by step with ``F.linear`` on the
  module's own weights, under the counter; the result is checked equal to the module's
  output before its FLOPs are kept;
- ``nn.Bilinear`` is one ``aten::_trilinear`` call the counter has no formula for, so it is
  run again as the two matrix products ``_trilinear`` does (x1 by the weight, then by x2),
  checked equal to the module's output.

PyTorch is not a dependency of symparams: on first use the script makes its own virtual
environment (``.cache/torch-venv``) with pinned torch and torchinfo and re-runs itself
there. The tests read only the JSON.

With ``--exam``, the file is an exam's JSON (``symparams exam SPEC --format json``): a
sample of its versions' sources runs here, each with the forward pass its own last line
makes, and ``tests/fixtures/torch/exam_<spec>.json`` records what PyTorch reports of it:
each module's own parameters, trainable ones and output shape, the totals, and the
FLOPs the counter gives each module.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import torch_env  # noqa: E402
from torch_env import ROOT  # noqa: E402

MODELS = ROOT / "tests" / "fixtures" / "torch_models"
OUT = ROOT / "tests" / "fixtures" / "torch"


def ensure_torch() -> None:
    torch_env.ensure_torch(__file__, ("torch", "torchinfo"))


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


def recurrent_flops(m, x) -> int:
    """The FLOPs of one forward of an nn.RNN, nn.LSTM or nn.GRU on ``x``, counted on its
    recurrence run step by step (torch/nn/modules/rnn.py documents the equations)."""
    import torch
    import torch.nn.functional as F
    from torch.utils.flop_counter import FlopCounterMode

    # a file's class extending nn.GRU (class PlainGRU(nn.GRU)) runs the GRU's equations
    kind = next(c.__name__ for c in type(m).__mro__ if c.__name__ in ("LSTM", "GRU", "RNN"))
    unbatched = x.dim() == 2
    seq = x.unsqueeze(1) if unbatched else (x.transpose(0, 1) if m.batch_first else x)   # (L, N, H)
    length, batch = seq.shape[0], seq.shape[1]
    directions = 2 if m.bidirectional else 1
    out_width = m.proj_size or m.hidden_size
    layer_input = seq
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        for layer in range(m.num_layers):
            outs = []
            for d in range(directions):
                sfx = f"_l{layer}" + ("_reverse" if d else "")
                w_ih, w_hh = getattr(m, "weight_ih" + sfx), getattr(m, "weight_hh" + sfx)
                b_ih, b_hh = getattr(m, "bias_ih" + sfx, None), getattr(m, "bias_hh" + sfx, None)
                w_hr = getattr(m, "weight_hr" + sfx, None)
                h = seq.new_zeros(batch, out_width)
                c = seq.new_zeros(batch, m.hidden_size)
                ys = [None] * length
                for t in (range(length) if d == 0 else reversed(range(length))):
                    gi, gh = F.linear(layer_input[t], w_ih, b_ih), F.linear(h, w_hh, b_hh)
                    if kind == "LSTM":
                        i, f, g, o = (gi + gh).chunk(4, 1)
                        c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
                        h = torch.sigmoid(o) * torch.tanh(c)
                        if w_hr is not None:
                            h = F.linear(h, w_hr)
                    elif kind == "GRU":
                        ir, iz, in_ = gi.chunk(3, 1)
                        hr, hz, hn = gh.chunk(3, 1)
                        r, z = torch.sigmoid(ir + hr), torch.sigmoid(iz + hz)
                        h = (1 - z) * torch.tanh(in_ + r * hn) + z * h
                    else:
                        h = torch.tanh(gi + gh) if m.nonlinearity == "tanh" else torch.relu(gi + gh)
                    ys[t] = h
                outs.append(torch.stack(ys))
            layer_input = torch.cat(outs, -1)
    with torch.no_grad():
        expected = m(x)[0]
    got = layer_input.squeeze(1) if unbatched else (layer_input.transpose(0, 1) if m.batch_first else layer_input)
    if not torch.allclose(got, expected, atol=1e-5):
        raise SystemExit(f"the step-by-step {kind} differs from the module's output")
    return counter.get_total_flops()


def bilinear_flops(m, x1, x2) -> int:
    """nn.Bilinear as aten's _trilinear computes it: x1 times the weight, then times x2."""
    import torch
    from torch.utils.flop_counter import FlopCounterMode

    out, i, j = m.weight.shape
    a, b = x1.reshape(-1, i), x2.reshape(-1, j)
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        t = a @ m.weight.permute(1, 0, 2).reshape(i, out * j)            # (B, O·J)
        y = torch.bmm(t.view(-1, out, j), b.unsqueeze(2)).squeeze(2)      # (B, O)
    with torch.no_grad():
        expected = m(x1, x2).reshape(-1, out) - (m.bias if m.bias is not None else 0)
    if not torch.allclose(y, expected, atol=1e-4):
        raise SystemExit("the two-product Bilinear differs from the module's output")
    return counter.get_total_flops()


def count_flops(model, x) -> dict:
    """FlopCounterMode's FLOPs of one forward, in total and per module (qualified name)."""
    import torch
    from torch import nn
    from torch.utils.flop_counter import FlopCounterMode

    attention = (nn.MultiheadAttention, nn.TransformerEncoderLayer, nn.TransformerDecoderLayer,
                 nn.TransformerEncoder, nn.TransformerDecoder, nn.Transformer)
    for m in model.modules():
        if isinstance(m, attention):
            m.train()
    seen = {}
    hooks = []
    names = {id(m): n for n, m in model.named_modules()}
    for m in model.modules():
        if isinstance(m, (nn.RNN, nn.LSTM, nn.GRU)):
            def keep(mod, args, name=names[id(m)]):
                seen.setdefault(name, []).append((mod, args[0]))
            hooks.append(m.register_forward_pre_hook(keep))
        if isinstance(m, nn.Bilinear):
            def keep_pair(mod, args, name=names[id(m)]):
                seen.setdefault(name, []).append((mod, args))
            hooks.append(m.register_forward_pre_hook(keep_pair))
    from torch.nn.attention import SDPBackend, sdpa_kernel
    with torch.no_grad(), sdpa_kernel([SDPBackend.MATH]), FlopCounterMode(display=False) as counter:
        model(x)
    for h in hooks:
        h.remove()
    root = type(model).__name__
    by_module = {}
    for key, ops in counter.get_flop_counts().items():
        if key == "Global":
            continue
        name = "" if key == root else key[len(root) + 1:] if key.startswith(root + ".") else key
        by_module[name] = int(sum(ops.values()))
    total = int(counter.get_total_flops())
    for name, calls in seen.items():
        # what the counter saw of the module (its CPU kernel may or may not break into
        # counted products) is replaced by the step-by-step count
        extra = sum(bilinear_flops(mod, *inp) if isinstance(mod, nn.Bilinear) else recurrent_flops(mod, inp)
                    for mod, inp in calls) - by_module.get(name, 0)
        total += extra
        parts = name.split(".")
        for k in range(len(parts) + 1):
            prefix = ".".join(parts[:k])
            by_module[prefix] = by_module.get(prefix, 0) + extra
    model.eval()
    return {"total": total, "modules": {k: v for k, v in by_module.items() if v}}


def record(path: Path, bindings: dict) -> dict:
    import torch
    import torchinfo

    source = path.read_text()
    torch.manual_seed(0)
    scope = dict(bindings)
    scope["__name__"] = "__fixture__"
    argv, sys.argv = sys.argv, [str(path)]            # as `python file.py`: argparse takes its defaults
    try:
        exec(compile(source, str(path), "exec"), scope)   # our own fixture files, in this env only
    finally:
        sys.argv = argv
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
        flops = count_flops(model, x)
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
        **({"input_size": list(x.shape), "output_shape": outputs, "flop_counter": flops, "torchinfo": info}
           if size is not None else {}),
    }


def record_variant(source: str, where: str) -> dict:
    """One exam version's source run in real PyTorch: the forward pass it makes itself."""
    import torch
    from torch.nn.modules.module import register_module_forward_hook

    torch.manual_seed(0)
    calls = {}

    def keep(mod, args, out):
        calls.setdefault(id(mod), (args, shapes_of(out)))
    handle = register_module_forward_hook(keep)
    try:
        scope = {"__name__": "__exam__"}
        with torch.no_grad():
            exec(compile(source, where, "exec"), scope)   # an exam's own variant, in this env only
    finally:
        handle.remove()
    model = scope["model"]
    model.eval()
    x = calls[id(model)][0][0]
    flops = count_flops(model, x)
    seen, modules = set(), []
    for name, m in model.named_modules():
        own = [p for p in m.parameters(recurse=False) if id(p) not in seen]
        seen.update(id(p) for p in m.parameters(recurse=False))
        modules.append({"name": name, "class": type(m).__name__, "params": sum(p.numel() for p in own),
                        "trainable": sum(p.numel() for p in own if p.requires_grad),
                        "children": len(list(m.children())),
                        "output_shape": calls[id(m)][1] if id(m) in calls else None,
                        "flops": flops["modules"].get(name, 0)})
    params = list(model.parameters())
    total = sum(p.numel() for p in params)
    trainable = sum(p.numel() for p in params if p.requires_grad)
    return {"input_size": list(x.shape), "modules": modules, "total": total, "trainable": trainable,
            "non_trainable": total - trainable, "flops": flops["total"]}


def record_exam(path: Path, sample: int) -> Path:
    import torch

    data = json.loads(path.read_text())
    variants = data["variants"]
    step = max(1, len(variants) // sample)
    records = []
    for v in variants[::step][:sample]:
        run = record_variant(v["source"], f"variant {v['number']}")
        run.update({"number": v["number"], "sizes": v["sizes"]})
        records.append(run)
    out = OUT / f"exam_{Path(data['spec']).stem}.json"
    out.write_text(json.dumps({"spec": data["spec"], "title": data["title"], "seed": data.get("seed"),
                               "variants": len(variants), "torch_version": torch.__version__,
                               "sample": records}, indent=1) + "\n")
    print(f"wrote {out}", file=sys.stderr)
    return out


def main(argv: list[str]) -> int:
    ensure_torch()
    import torch
    import torchinfo
    if argv[:1] == ["--exam"]:
        # python tools/record_torch_fixtures.py --exam variants.json [SAMPLE]
        out = record_exam(Path(argv[1]), int(argv[2]) if len(argv) > 2 else 12)
        print(f"ok   {out.relative_to(ROOT)}")
        return 0
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
        print(f"wrote {OUT / f'{stem}.json'}", file=sys.stderr)
        print(f"{stem}: " + ", ".join(f"{r['total']:,}" for r in runs), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
