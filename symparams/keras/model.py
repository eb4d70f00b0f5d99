"""Models: ``Input``, functional ``Model`` and ``Sequential``, as Keras 3 builds them.

A model is a graph of layer calls (:class:`~symparams.layers.base.Node`).
Its layers are ordered as Keras's ``map_graph`` orders them, which is the
order ``model.summary()`` lists them in. A model is itself a layer: it can be
called on tensors (nesting), and a layer called twice counts its weights once.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import ClassVar, Optional, Sequence

import sympy

from ..core.errors import ModelError, SymparamsError
from .layers.base import (Layer, Node, Tensor, Weight, auto_name, describe, flatten, what_it_is,
                          flatten_shapes, map_structure)
from .layers.core import Input
from .layers.user import Tracer, UserCode, owned_weights


# --------------------------------------------------------------------------
# Graph ordering (a port of keras.src.ops.function.map_graph)


class Graph:
    """The nodes and layers between some input tensors and some output tensors."""

    def __init__(self, inputs: list[Tensor], outputs: list[Tensor]):
        self.inputs = inputs
        self.outputs = outputs
        ordered, layer_index = self._build_map(inputs, outputs)
        in_graph = set(ordered)
        node_depth: dict[Node, int] = {}
        layer_depth: dict[Layer, int] = {}
        for node in reversed(ordered):
            depth = node_depth.setdefault(node, 0)
            depth = max(depth, layer_depth.get(node.layer, 0))
            layer_depth[node.layer] = depth
            node_depth[node] = depth
            for parent in node.parent_nodes:
                if parent in in_graph:
                    node_depth[parent] = max(depth + 1, node_depth.get(parent, 0))
        for t in inputs:
            if t.node is not None and t.layer not in layer_depth and t.node.is_input:
                layer_depth[t.layer] = 0
                layer_index[t.layer] = -1
                node_depth[t.node] = 0

        self.nodes_by_depth: dict[int, list[Node]] = defaultdict(list)
        for node, depth in node_depth.items():
            self.nodes_by_depth[depth].append(node)
        layers_by_depth: dict[int, list[Layer]] = defaultdict(list)
        for layer, depth in layer_depth.items():
            layers_by_depth[depth].append(layer)
        self.layers: list[Layer] = []
        for depth in sorted(layers_by_depth, reverse=True):
            self.layers.extend(sorted(layers_by_depth[depth], key=lambda l: layer_index[l]))
        self.nodes: list[Node] = [n for d in sorted(self.nodes_by_depth, reverse=True)
                                  for n in self.nodes_by_depth[d]]
        self._check_connected()
        counts = Counter(l.name for l in self.layers)
        for name, count in counts.items():
            if count > 1:
                raise ModelError(f"the name {name!r} is used {count} times in the model; "
                                 "layer names must be unique")

    @staticmethod
    def _build_map(inputs, outputs):
        input_ids = {id(t) for t in inputs}
        finished: set[Node] = set()
        in_progress: set[Node] = set()
        ordered: list[Node] = []
        layer_index: dict[Layer, int] = {}

        def enter(t: Tensor) -> Optional[Node]:
            node = t.node
            if node is None or node in finished:
                return None
            if not node.is_input and id(t) in input_ids:
                finished.add(node)
                return None
            if node in in_progress:
                raise ModelError(f"layer {node.layer.name!r} is part of a cycle")
            layer_index.setdefault(node.layer, len(layer_index))
            in_progress.add(node)
            return node

        # Depth-first, post-order, like Keras's recursive helper but with an
        # explicit stack so that a 1,000-layer model does not hit Python's
        # recursion limit.
        for out in outputs:
            root = enter(out)
            if root is None:
                continue
            stack = [(root, iter(root.inputs))]
            while stack:
                node, pending = stack[-1]
                for t in pending:
                    child = enter(t)
                    if child is not None:
                        stack.append((child, iter(child.inputs)))
                        break
                else:
                    stack.pop()
                    finished.add(node)
                    in_progress.discard(node)
                    ordered.append(node)
        return ordered, layer_index

    def _check_connected(self):
        computable = {id(t) for t in self.inputs}
        for node in self.nodes:
            for t in node.inputs:
                if id(t) not in computable:
                    source = t.layer.name if t.layer else "?"
                    raise ModelError(
                        f"graph disconnected: layer {node.layer.name!r} needs the output of "
                        f"{source!r}, which cannot be computed from the model's inputs")
            computable.update(id(t) for t in node.outputs)

    @property
    def node_set(self) -> set[Node]:
        return set(self.nodes)

    def replay(self, input_shapes: list) -> list:
        """Output shapes of the graph for other input shapes (a nested model's call)."""
        shape_of = {id(t): s for t, s in zip(self.inputs, input_shapes)}
        for node in self.nodes:
            if node.is_input or all(id(t) in shape_of for t in node.outputs):
                continue
            in_shapes = map_structure(lambda t: shape_of[id(t)], node.structure)
            outs = flatten_shapes(node.layer.infer(in_shapes, node.options))
            for t, s in zip(node.outputs, outs):
                shape_of[id(t)] = s
        return [shape_of[id(t)] for t in self.outputs]


# --------------------------------------------------------------------------


class Functional(Layer):
    """A functional model: ``Model(inputs, outputs)``. Also the base of Sequential.

    As in Keras 3, ``Model(inputs, outputs)`` makes a ``Functional``.
    """

    #: whether ``summary()`` has a "Connected to" column (Keras: not for Sequential)
    lists_connections: ClassVar[bool] = True
    prose = "model"

    def __init__(self, inputs=None, outputs=None, name: Optional[str] = None,
                 trainable: bool = True, **kwargs):
        if inputs is None or outputs is None:
            raise ModelError("Model needs inputs and outputs: Model(inputs, outputs)")
        super().__init__(name=name if name is not None else auto_name("Functional"),
                         trainable=trainable, **kwargs)
        self._set_graph(inputs, outputs)
        self._weights = []
        if not trainable:
            self.trainable = False

    def _set_graph(self, inputs, outputs, lazy: bool = False):
        for t in flatten(inputs) + flatten(outputs):
            if not isinstance(t, Tensor):
                raise ModelError(f"model inputs and outputs must be tensors, got {what_it_is(t)}")
        self._inputs_struct = inputs
        self._outputs_struct = outputs
        self._graph = None
        self._has_graph = True
        if not lazy:
            self._graph = Graph(flatten(inputs), flatten(outputs))

    @property
    def graph(self) -> Optional[Graph]:
        """The ordered graph, built when first asked for (``Sequential.add`` defers it)."""
        if self._graph is None and getattr(self, "_has_graph", False):
            self._graph = Graph(flatten(self._inputs_struct), flatten(self._outputs_struct))
        return self._graph

    @graph.setter
    def graph(self, value: Optional[Graph]) -> None:
        self._graph = value
        self._has_graph = value is not None

    # ---- Keras-like accessors -------------------------------------------
    @property
    def layers(self) -> list[Layer]:
        return list(self.graph.layers)

    @property
    def inputs(self) -> list[Tensor]:
        return list(self.graph.inputs)

    @property
    def outputs(self) -> list[Tensor]:
        return list(self.graph.outputs)

    @property
    def input(self):
        return self._inputs_struct

    @property
    def output(self):
        return self._outputs_struct

    @property
    def input_shape(self):
        shapes = [t.shape for t in self.graph.inputs]
        return shapes[0] if len(shapes) == 1 else shapes

    @property
    def output_shape(self):
        shapes = [t.shape for t in self.graph.outputs]
        return shapes[0] if len(shapes) == 1 else shapes

    def get_layer(self, name: Optional[str] = None, index: Optional[int] = None) -> Layer:
        if index is not None:
            return self.layers[index]
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise SymparamsError(f"no layer named {name!r} in model {self.name!r}; "
                             f"it has {', '.join(l.name for l in self.layers)}")

    def _sublayers(self) -> list:
        return self._own_layers()

    def ordered_graph(self) -> Graph:
        """The model's graph in Keras's order (a Sequential must have its input shape)."""
        return self.graph

    def listed_calls(self) -> set[Node]:
        """The layer calls whose inputs the summary lists (Keras's "Connected to")."""
        return self.ordered_graph().node_set

    def nested_model(self):
        return self

    def macs(self, in_shapes, out_shapes, options):
        from .compute import compute
        result = compute(self)
        return None if result.not_counted else result.macs

    def _own_layers(self) -> list[Layer]:
        return self.layers

    @property
    def built(self) -> bool:
        return True

    def unique_layers(self) -> list[Layer]:
        """Every weight-owning layer once, nested models opened, shared layers once."""
        seen: set[int] = set()
        result: list[Layer] = []
        stack = list(reversed(self._own_layers()))
        while stack:
            layer = stack.pop()
            if id(layer) in seen:
                continue
            seen.add(id(layer))
            if isinstance(layer, Model):
                stack.extend(reversed(layer._own_layers()))
            else:
                result.append(layer)
        return result

    @property
    def weights(self) -> list[Weight]:
        return [w for layer in self.unique_layers() for w in layer.weights]

    # ---- totals -----------------------------------------------------------
    @property
    def total_params(self) -> sympy.Expr:
        return self.count_params()

    @property
    def trainable_params(self) -> sympy.Expr:
        return sum((w.count for w in self.trainable_weights), sympy.Integer(0))

    @property
    def non_trainable_params(self) -> sympy.Expr:
        return sum((w.count for w in self.non_trainable_weights), sympy.Integer(0))

    @property
    def free_symbols(self) -> set[sympy.Symbol]:
        from .summary import summarize
        return summarize(self).free_symbols

    def summarize(self, **subs):
        """The :class:`~symparams.summary.Summary` of this model, with optional bindings."""
        from .summary import summarize
        return summarize(self, subs)

    def subs(self, bindings=None, **subs):
        """The summary with sizes bound: ``model.subs(w=64).total_params`` is a number."""
        from .summary import summarize
        return summarize(self, {**(bindings or {}), **subs})

    def summary(self, **subs) -> None:
        """Print the Keras-style table, like ``keras.Model.summary()``."""
        print(self.summarize(**subs).to_text())

    # ---- calling the model as a layer --------------------------------------
    def pack_call(self, *args, **kwargs):
        return super().pack_call(*args, **kwargs)

    def infer(self, in_shapes, options=None):
        flat_in = flatten_shapes(in_shapes) if isinstance(in_shapes, list) else [in_shapes]
        if len(flat_in) != len(self.graph.inputs):
            raise self.error(f"model takes {len(self.graph.inputs)} input(s), got {len(flat_in)}")
        for own, given in zip(self.graph.inputs, flat_in):
            if len(own.shape) != len(given):
                raise self.error(f"model expects input {describe(own.shape)}, got {describe(given)}")
        if all(own.shape == given for own, given in zip(self.graph.inputs, flat_in)):
            outs = [t.shape for t in self.graph.outputs]
        else:
            outs = self.graph.replay(flat_in)
        if isinstance(self._outputs_struct, (list, tuple)):
            return list(outs)
        return outs[0]

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}, {len(self.layers)} layers>"

    def _repr_mimebundle_(self, include=None, exclude=None):
        # In a notebook a model shows its summary, as model.summary() would print it, and
        # as HTML its diagram above the table (symparams.page).
        from ..core.views import view
        from .summary import summarize
        return {**summarize(self)._repr_mimebundle_(include, exclude), **view("model", self)}


Model = Functional


class Sequential(Functional):
    """A stack of layers, built from a list or with ``add``, like ``keras.Sequential``."""

    lists_connections = False

    def __init__(self, layers: Optional[Sequence] = None, trainable: bool = True,
                 name: Optional[str] = None, **kwargs):
        Layer.__init__(self, name=name if name is not None else auto_name("Sequential"),
                       trainable=trainable, **kwargs)
        self._layers: list[Layer] = []
        self.graph = None  # type: ignore[assignment]
        self._weights = []
        if layers:
            for layer in layers:
                self.add(layer, rebuild=False)
            self._maybe_rebuild()
        if not trainable:
            self.trainable = False

    @property
    def layers(self) -> list[Layer]:
        if self._layers and self._layers[0].input_layer:
            return self._layers[1:]
        return list(self._layers)

    def _own_layers(self) -> list[Layer]:
        return self.layers

    def add(self, layer, rebuild: bool = True) -> None:
        if not self._layers and not isinstance(layer, Tensor) and not layer.input_layer:
            if getattr(layer, "batch_input_shape", None) is not None:
                self.add(Input(batch_shape=layer.batch_input_shape).layer, rebuild=False)
        if isinstance(layer, Tensor) and layer.layer is not None and layer.layer.input_layer:
            layer = layer.layer
        if not isinstance(layer, Layer):
            raise ModelError(f"only layers can be added to a Sequential model, got {what_it_is(layer)}")
        for other in self._layers:
            if other.name == layer.name and other is not layer:
                raise ModelError(f"Sequential model {self.name!r} already has a layer named "
                                 f"{layer.name!r}; layer names must be unique")
        if layer.input_layer and self._layers and self._layers[0].input_layer:
            raise ModelError(f"Sequential model {self.name!r} already has an input "
                             f"{describe(self._layers[0].batch_shape)}")
        self._layers.append(layer)
        if not rebuild:
            self.graph = None
        elif self._has_graph and not layer.input_layer:
            # Keras rebuilds the whole stack on every add; calling only the new
            # layer gives the same shapes, and ordering the graph only when it
            # is asked for keeps building linear in depth.
            auto_name("Functional")
            self._set_graph(self._inputs_struct, layer(self._outputs_struct), lazy=True)
        else:
            self._maybe_rebuild()

    def _maybe_rebuild(self) -> None:
        self.graph = None
        if self._layers and self._layers[0].input_layer and len(self._layers) > 1:
            self.build(self._layers[0].batch_shape)

    def build(self, input_shape) -> None:
        if not self._layers:
            raise ModelError(f"Sequential model {self.name!r} has no layers")
        if not self._layers[0].input_layer:
            self._layers.insert(0, Input(batch_shape=input_shape).layer)
        x = self._layers[0].output
        for layer in self._layers[1:]:
            x = layer(x)
        # Keras builds an unnamed Functional here, which takes a name.
        auto_name("Functional")
        self._set_graph(self._layers[0].output, x)

    def ordered_graph(self) -> Graph:
        return self._require_graph()

    def _require_graph(self) -> Graph:
        if self.graph is None:
            first = self.layers[0] if self.layers else None
            hint = ""
            if first is not None and first.input_rank:
                hint = f" ({type(first).__name__} expects inputs of rank {first.input_rank - 1} without the batch)"
            raise ModelError(f"Sequential model {self.name!r} has no input shape: give its first layer "
                             f"input_shape=... or start it with Input(shape), or pass --input-shape{hint}")
        return self.graph

    @property
    def inputs(self):
        return list(self._require_graph().inputs)

    @property
    def outputs(self):
        return list(self._require_graph().outputs)

    @property
    def input(self):
        return self._require_graph().inputs[0]

    @property
    def output(self):
        return self._require_graph().outputs[0]

    @property
    def input_shape(self):
        return self._require_graph().inputs[0].shape

    @property
    def output_shape(self):
        return self._require_graph().outputs[0].shape

    def infer(self, in_shapes, options=None):
        if self.graph is None:
            if isinstance(in_shapes, list):
                raise self.error("a Sequential model takes one input")
            self.build(in_shapes)
        self._outputs_struct = self.graph.outputs[0]
        return super().infer(in_shapes, options)


class UserModel(UserCode, Functional):
    """An instance of a ``keras.Model`` subclass the file defines.

    As Keras's summary of such a model shows, its rows are the layers it
    tracks (its attributes, in assignment order) and its total counts those
    layers' weights and its own. The graph is the traced ``call``, made when
    the model is first called on a tensor.
    """

    lists_connections = False

    def __init__(self, class_name: str, tracer: Tracer):
        self._setup(class_name, tracer)
        Layer.__init__(self, name=f"<{class_name}>")
        self._weights = []

    @property
    def layers(self) -> list[Layer]:
        return self.tracked

    def _own_layers(self) -> list[Layer]:
        return self.layers

    @property
    def weights(self) -> list[Weight]:
        return owned_weights(self, self.own_weights, self.layers)

    @property
    def called(self) -> bool:
        return self.block is not None

    def ordered_graph(self) -> Graph:
        if self.block is None:
            raise ModelError(f"model {self.name!r} ({self.class_name}) is never called on an input, "
                             "so its layers have no shapes; call it on keras.Input(shape=...)")
        return self.block.graph

    def listed_calls(self) -> set[Node]:
        # Keras traces a subclassed model's call() without recording its layers' calls.
        self.ordered_graph()
        return set()

    @property
    def graph(self):
        return None if self.block is None else self.block.graph

    @graph.setter
    def graph(self, value) -> None:
        pass

    @property
    def inputs(self):
        return self.ordered_graph().inputs

    @property
    def outputs(self):
        return self.ordered_graph().outputs

    @property
    def input_shape(self):
        shapes = [t.shape for t in self.ordered_graph().inputs]
        return shapes[0] if len(shapes) == 1 else shapes

    @property
    def output_shape(self):
        shapes = [t.shape for t in self.ordered_graph().outputs]
        return shapes[0] if len(shapes) == 1 else shapes

    def infer(self, in_shapes, options=None):
        out_shapes, block = self._tracer(self, in_shapes, (options or {}).get("call"), self.block is None)
        if self.block is None:
            self.block = block
        return out_shapes

    def nested_model(self):
        return self

    def __repr__(self) -> str:
        return f"<{self.class_name} name={self.name}>"


class TracedBlock(Functional):
    """The traced ``call()`` of a user's layer, seen as Keras's summary sees such a layer.

    Its graph is what ``call()`` computes; its rows are the layers the owner
    keeps as attributes (placeholders and tensor operations are not layers).
    """

    lists_connections = False

    def __init__(self, inputs, outputs, owner: Layer):
        super().__init__(inputs, outputs, name=owner.name)
        self.owner = owner

    @property
    def type_name(self) -> str:
        return self.owner.type_name

    @property
    def layers(self) -> list[Layer]:
        return list(getattr(self.owner, "tracked", []))

    def _own_layers(self) -> list[Layer]:
        return self.layers

    def listed_calls(self) -> set[Node]:
        return set()
