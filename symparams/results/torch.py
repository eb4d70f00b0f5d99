"""The PyTorch adapter: a module (read from a file, built with ``symparams.pytorch``, or
built from a config file) as a :class:`Result`."""

from __future__ import annotations

from functools import cached_property

import sympy

from ..core import bounds
from ..core.errors import SymparamsError
from .base import ZERO, Part, Result, weights_sum


class TorchResult(Result):
    framework = "PyTorch"
    rules = "pytorch"

    @staticmethod
    def takes(model) -> bool:
        from ..pytorch.module import Module
        return isinstance(model, Module)

    def _summarize(self):
        from dataclasses import replace
        from ..pytorch.summary import summarize_module
        summary = summarize_module(self.model, trace=self.trace)
        # a config's model is its repeated layers: folded, three levels deep, it fits a screen
        return replace(summary, about=self.about, depth=3, fold=True) if self.config is not None else summary

    @property
    def buffers(self) -> sympy.Expr:
        return self.summary.buffers

    def rows(self) -> tuple:
        from ..keras.layers.base import Weight
        from ..pytorch.module import module_type
        from ..pytorch.trace import outputs
        first = self.trace.first_calls() if self.trace is not None else {}
        counted_as = self.model.counted_names()
        out, seen = [], set()
        for name, m in self.model.named_modules():
            own = [(n, p) for n, p in m._parameters.items() if p is not None]
            if m._modules and not own:
                continue                    # a container: its children are the rows
            counted = [(n, p) for n, p in own if id(p) not in seen]
            tied = tuple((n, p.shape, counted_as[id(p)]) for n, p in own if id(p) in seen)
            seen.update(id(p) for _, p in own)
            params = sympy.expand(sum((p.numel for _, p in counted), ZERO))
            trainable = sympy.expand(sum((p.numel for _, p in counted if p.requires_grad), ZERO))
            weights = tuple(Weight(n, p.shape, p.requires_grad) for n, p in counted)
            call = first.get(name)
            second = m.second_bias
            # the model's own parameters (beside its children's) under its class's name
            out.append(Part(name or module_type(m), module_type(m), m.kind or module_type(m), params, trainable,
                            sympy.expand(params - trainable), weights,
                            bias=weights_sum(weights, lambda n: n.startswith("bias")),
                            second_bias=weights_sum(weights, lambda n: bool(second) and n.startswith(second)),
                            output_shapes=outputs(call.output) if call is not None else (),
                            buffers=tuple((n, b.shape) for n, b in m._buffers.items() if b is not None),
                            tied=tied, layer=m))
        return tuple(out)

    def groups(self) -> tuple:
        """Each module's own parameters, each tensor once (a tied ``lm_head`` is ``wte``), with
        alike blocks as one part: the copies in a stack (``h.*``) or in a list of blocks of one
        class (32 decoder layers are ``layers.*``); a list of unlike modules (a Sequential's
        convolutions) keeps each of them."""
        from ..keras.layers.base import Weight
        alike = self._alike_lists()
        parts: dict = {}
        for name, p in self.model.named_parameters():
            segments = name.split(".")[:-1]
            key = ".".join(segments)
            for i, segment in enumerate(segments):
                if segment == "*" or (segment.isdigit() and ".".join(segments[:i]) in alike):
                    key = ".".join(segments[:i] + ["*"])
                    break
                if segment.isdigit():
                    key = ".".join(segments[:i + 1])
                    break
            parts.setdefault(key, []).append(Weight(name, p.shape, p.requires_grad))
        out = []
        for key, weights in parts.items():
            params = bounds.expand(weights_sum(weights, lambda n: True))
            trainable = bounds.expand(sum((w.count for w in weights if w.trainable), ZERO))
            out.append(Part(key, "", "", params, trainable, bounds.expand(params - trainable), tuple(weights)))
        return tuple(out)

    def by_part(self) -> tuple:
        """By the author's parts: a parameter inside copies of one block (a stack ``h.*`` or a
        list of alike blocks) counts for the block's child that holds it, by its class
        (``SelfAttention``, ``FeedForward``, ``Norm``), so a GPT splits into attention, MLP,
        norms, embeddings and head; elsewhere for the module that holds it. A plain container
        in a block (ResNet's ``downsample``) is named by its attribute."""
        from ..pytorch.containers import ModuleDict, ModuleList, Sequential, Stacked
        from ..pytorch.module import module_type
        alike = self._alike_lists()
        modules = dict(self.model.named_modules())
        sums: dict = {}
        for name, p in self.model.named_parameters():
            segments = name.split(".")[:-1]
            label = None
            for i, segment in enumerate(segments):
                parent = modules.get(".".join(segments[:i]))
                if isinstance(parent, Stacked) and segment == "*":
                    block = parent.block
                elif segment.isdigit() and ".".join(segments[:i]) in alike:
                    block = modules[".".join(segments[:i + 1])]
                else:
                    continue
                child = dict(block.named_children()).get(segments[i + 1]) if i + 1 < len(segments) else None
                if child is None:
                    label = module_type(block)
                elif isinstance(child, (Sequential, ModuleList, ModuleDict)):
                    label = segments[i + 1]
                else:
                    label = module_type(child)
                break
            if label is None:
                label = module_type(modules.get(".".join(segments), self.model))
            sums[label] = bounds.expand(sums.get(label, ZERO) + p.numel)
        return tuple((label, v) for label, v in sums.items() if v != 0)

    def _alike_lists(self) -> set:
        """The containers whose numbered children with parameters are copies of one block: blocks
        of one class (T5's first block holds the relative position table the others do not),
        or modules of one class and one count (a list of alike heads)."""
        from ..pytorch.module import module_type
        out = set()
        for name, m in self.model.named_modules():
            numbered = [c for n, c in m.named_children() if n.isdigit() and c.count() != 0]
            if len(numbered) < 2 or len({module_type(c) for c in numbered}) != 1:
                continue
            if all(c._modules for c in numbered) or len({c.count() for c in numbered}) == 1:
                out.add(name)
        return out

    def compute(self):
        from ..keras.compute import Compute, LayerCompute
        from ..pytorch.module import module_type
        from ..pytorch.trace import CONVENTION
        if self.trace is None:
            raise SymparamsError(f"{self.name}: its compute comes from a forward pass, and the file never "
                                 "calls it on a tensor: give the input with --input-size, e.g. "
                                 "--input-size 1,3,224,224")
        macs = self.trace.module_macs()
        modules = dict(self.model.named_modules())
        rows = tuple(LayerCompute(name, module_type(modules[name]), value) for name, value in macs.items()
                     if name in modules and value != 0)
        return Compute(rows, self.trace.macs, CONVENTION, scope="one forward pass of the whole input, batch included")

    def derive(self, detail: str = "standard", dtype: str = "float32", assume_divisible: bool = False,
               layers=None):
        from ..pytorch.derivation import derive_module
        if layers:
            raise SymparamsError("--layer picks Keras layers; a PyTorch model is derived whole")
        return derive_module(self.model, self.trace, dtype=dtype, detail=detail,
                             assume_divisible=assume_divisible, summary=self.summary)

    def diagram(self, derivation):
        from ..html.diagram import from_module
        return from_module(self.model, self.summary)

    @cached_property
    def _anchors(self) -> dict:
        from ..html.diagram import torch_anchors
        return torch_anchors(self.summary)

    def anchor(self, name: str) -> str:
        return self._anchors.get(name, "")
