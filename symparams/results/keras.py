"""The Keras adapter: a Keras model (read or built with the API) as a :class:`Result`."""

from __future__ import annotations

import sympy

from .base import Part, Result, weights_sum


class KerasResult(Result):
    framework = "Keras"
    rules = "keras"

    @staticmethod
    def takes(model) -> bool:
        from ..keras.model import Functional
        return isinstance(model, Functional)

    def _summarize(self):
        from ..keras.summary import summarize
        return summarize(self.model)

    @property
    def symbols(self) -> list:
        return self.summary.symbols         # a resolution in the shapes too

    def rows(self) -> tuple:
        out = []
        for r in self.summary.rows:
            layer = r.layer
            out.append(Part(r.name, r.type, layer.kind or r.type, r.params, r.trainable,
                            r.non_trainable, r.weights,
                            bias=weights_sum(r.weights, lambda n: n.startswith("bias")),
                            statistics=weights_sum(r.weights, layer.statistics.__contains__),
                            output_shapes=r.output_shapes, layer=layer))
        return tuple(out)

    def by_part(self) -> tuple:
        sums: dict = {}
        for part in self.parts():
            for kind, count in part.layer.counts_by_type().items():
                sums[kind] = sympy.expand(sums.get(kind, 0) + count)
        return tuple((kind, v) for kind, v in sums.items() if v != 0)

    def compute(self):
        from ..keras.compute import compute
        return compute(self.model)

    def derive(self, detail: str = "standard", dtype: str = "float32", assume_divisible: bool = False,
               layers=None):
        from ..keras.derivation import derive
        return derive(self.model, layers=layers or None, dtype=dtype, detail=detail,
                      assume_divisible=assume_divisible, summary=self.summary)

    def diagram(self, derivation):
        from ..html.diagram import from_derivation
        return from_derivation(derivation)
