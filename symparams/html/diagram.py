"""A model's diagram as data: boxes (layers, or repeated blocks folded into one) and the
arrows between them. Templates write it as Graphviz DOT (``templates/diagram/``) and
Graphviz lays it out; nothing here knows how it looks.

A Keras model's arrows are its graph's data flow (each layer's inbound layers), so
residual branches, merges and several inputs and outputs show. A PyTorch model's
``forward`` is code, not a graph: its arrows join its modules in the order they run
(with ``--input-size``) or are registered, and the diagram says so.

Folding: copies of a block that repeats (a derivation's :class:`RepeatedBlock`; a
``ModuleList`` of alike modules; a config's free depth, ``pytorch.containers.Stacked``)
are one box, ``× n``, whose inside is a diagram of its own. A model too large to draw
legibly is folded further: above :data:`MOST_BOXES` boxes, weightless one-in one-out
layers are drawn as part of the arrow they sit on, and the diagram's notes say how
many. A PyTorch model's containers are opened level by level while the picture stays
within :data:`MOST_BOXES` boxes; what is left closed is a box with an inside.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Union

import sympy

from ..keras.layers.core import INPUT_TYPE

ZERO = sympy.Integer(0)


#: more boxes than this are not legible in one picture: weightless layers are folded
MOST_BOXES = 60

Size = Union[int, sympy.Expr]


@dataclass(frozen=True)
class Box:
    """One box: a layer, a module, or the copies of a block folded into one."""

    id: str
    name: str
    type: str
    output_shapes: tuple
    params: sympy.Expr
    #: the share of the model's parameters (None where the total is symbolic)
    share: Optional[float]
    #: the layer whose worked derivation the box links to (None: none is worked out)
    anchor: Optional[str]
    #: copies of a block folded into this box (None: a single layer)
    copies: Optional[Size] = None
    #: what a folded or composite box holds, drawn on request
    inside: Optional["Diagram"] = None
    #: "input", "layer", "block" or "parameter" (a PyTorch module's own nn.Parameter)
    kind: str = "layer"


@dataclass(frozen=True)
class Arrow:
    tail: str
    head: str


@dataclass(frozen=True)
class Diagram:
    name: str
    boxes: tuple
    arrows: tuple
    total: sympy.Expr
    #: "data": arrows are the data flow; "order": the order modules run or are registered
    flow: str = "data"
    #: what the drawing leaves out or folds, said under it
    notes: tuple = ()

    @property
    def symbolic(self) -> bool:
        return bool(self.total.free_symbols)

    def expandable(self) -> list:
        """The boxes with an inside, in the order drawn, and theirs after them."""
        out = []
        for b in self.boxes:
            if b.inside is not None:
                out.append(b)
                out.extend(b.inside.expandable())
        return out

    def text_alternative(self) -> list:
        """The diagram in words, one line per box: what it is and where its data goes."""
        names = {b.id: b.name for b in self.boxes}
        after: dict = {}
        for a in self.arrows:
            after.setdefault(a.tail, []).append(names[a.head])
        return [(b, after.get(b.id, [])) for b in self.boxes]


def _share(params, total) -> Optional[float]:
    if params.free_symbols or total.free_symbols or total == 0:
        return None
    return float(params / total)


# ---- Keras: from a derivation ------------------------------------------------------


def from_derivation(d, most: int = MOST_BOXES) -> Diagram:
    """A Keras model's diagram from its :class:`~symparams.derivation.Derivation` (its
    layers with their inbound layers, and the repeated blocks it found)."""
    return _keras(d, most, prefix="n")


def _keras(d, most: int, prefix: str) -> Diagram:
    total = d.total.value
    layers = list(d.layers)
    index = {l.name: i for i, l in enumerate(layers)}
    # Each layer's box: itself, or the folded block it belongs to.
    owner: dict = {}
    boxes: list = []
    folded = {}
    for start, length, copies in d.repeats:
        first = start - length
        members = layers[first:start + length * copies]
        each = sum((l.params for l in layers[first:start]), sympy.Integer(0))
        n = copies + 1
        bid = f"{prefix}{len(folded)}r"
        inside = _keras_part(d, layers[first:start], f"{bid}_", total)
        folded[first] = Box(bid, f"{members[0].name} … {members[-1].name}", f"{length}-layer block",
                            members[-1].output_shapes, sympy.expand(each * n), _share(each * n, total),
                            members[0].name, copies=n, inside=inside, kind="block")
        for l in members:
            owner[l.name] = bid
    inputs: dict = {}
    for i, l in enumerate(layers):
        if l.name in owner:
            if i in folded:
                boxes.append(folded[i])
            continue
        bid = f"{prefix}{i}"
        owner[l.name] = bid
        nested = _keras(l.nested, most, f"{bid}_") if l.nested is not None else None
        boxes.append(Box(bid, l.name, l.type, l.output_shapes, l.params, _share(l.params, total),
                         l.name, inside=nested, kind="input" if _is_input(l) else "layer"))
    arrows: list = []
    for l in layers:
        for src in l.inbound:
            if src not in index and src not in owner:
                # an input layer the summary does not list (a Sequential's)
                if src not in inputs:
                    inputs[src] = Box(f"{prefix}in{len(inputs)}", src, INPUT_TYPE,
                                      tuple(l.input_shapes[:1]), sympy.Integer(0), _share(ZERO, total), None,
                                      kind="input")
                    owner[src] = inputs[src].id
            tail, head = owner[src], owner[l.name]
            if tail != head and Arrow(tail, head) not in arrows:
                arrows.append(Arrow(tail, head))
    if not inputs and layers and not layers[0].inbound and not _is_input(layers[0]) and layers[0].input_shapes:
        # A Sequential: its input is drawn, as Keras's plot_model draws it.
        first = layers[0]
        box = Box(f"{prefix}in0", "input", INPUT_TYPE, tuple(first.input_shapes[:1]), sympy.Integer(0),
                  _share(ZERO, total), None, kind="input")
        inputs[box.name] = box
        arrows.insert(0, Arrow(box.id, owner[first.name]))
    boxes = list(inputs.values()) + boxes
    diagram = Diagram(d.name, tuple(boxes), tuple(arrows), total)
    return _legible(diagram, most)


def _keras_part(d, layers: list, prefix: str, total) -> Diagram:
    """One copy of a repeated block, with an arrow in from outside and out again."""
    names = {l.name for l in layers}
    boxes = [Box(f"{prefix}{i}", l.name, l.type, l.output_shapes, l.params, _share(l.params, total),
                 l.name) for i, l in enumerate(layers)]
    ids = {l.name: b.id for l, b in zip(layers, boxes)}
    arrows, outside = [], None
    for l in layers:
        for src in l.inbound:
            if src in names:
                arrows.append(Arrow(ids[src], ids[l.name]))
            else:
                if outside is None:
                    outside = Box(f"{prefix}from", "from the block before", "", (), sympy.Integer(0), None, None,
                                  kind="input")
                if Arrow(outside.id, ids[l.name]) not in arrows:
                    arrows.append(Arrow(outside.id, ids[l.name]))
    return Diagram(f"{layers[0].name} … {layers[-1].name}", tuple(([outside] if outside else []) + boxes),
                   tuple(arrows), total)


def _is_input(layer) -> bool:
    return layer.prose == "input"


# ---- PyTorch: from the module tree ---------------------------------------------------


def from_module(model, summary, most: int = MOST_BOXES) -> Diagram:
    """A PyTorch model's diagram from its module tree and its
    :class:`~symparams.pytorch.summary.TorchSummary` (the counts and, traced, the shapes):
    containers opened, alike modules in a list folded into one box, a stack of a free
    number of blocks one box ``× n``."""
    rows = {r.name: r for r in summary.rows}
    rows.update((r.name, r) for r in summary.table)     # each tensor counted once, and own parameters
    total = summary.total
    anchors = torch_anchors(summary)
    root = _tree(model, "", rows)
    boxes = _torch_boxes(root, total, anchors, "m", most)
    if summary.traced:
        first = {r.name: i for i, r in enumerate(summary.rows) if r.output_shape is not None}
        boxes.sort(key=lambda b: first.get(b.name.split(" … ")[0], len(first)))
    order = "run" if summary.traced else "registered"
    notes = (f"PyTorch's forward() is code, not a graph: the arrows join the modules in the order "
             f"they are {order}.",)
    if any(b.kind == "parameter" for b in boxes):
        notes += ("A square box is a module's own nn.Parameter (a class token, position embeddings), "
                  "which forward() uses as a tensor, not as a module.",)
    return Diagram(summary.name, tuple(boxes), _chain(boxes), total, flow="order", notes=notes)


def _chain(boxes: list) -> tuple:
    """Arrows joining the boxes in order; a parameter is used, not called, so it has none."""
    called = [b for b in boxes if b.kind != "parameter"]
    return tuple(Arrow(a.id, b.id) for a, b in zip(called, called[1:]))


@dataclass
class _Node:
    name: str
    module: object
    row: object
    children: list = field(default_factory=list)


def _tree(module, name: str, rows: dict) -> _Node:
    node = _Node(name, module, rows.get(name))
    if module._modules or not name:     # a leaf module's own parameters are its box
        node.children += [_Node(rows[q].name, None, rows[q]) for q in (_joined(name, p) for p in module._parameters)
                          if q in rows and rows[q].is_parameter]
    for child, m in module.named_children():
        qualified = f"{name}.{child}" if name else child
        if qualified in rows:       # a module held twice is listed (and drawn) once
            node.children.append(_tree(m, qualified, rows))
    return node


def torch_anchors(summary) -> dict:
    """Each module's first descendant (or itself) with parameters of its own: the step its
    box links to in the worked solution; a module's own parameter links to the module's."""
    out: dict = {}
    for r in summary.rows:
        if r.own != 0:
            parts = r.name.split(".")
            for k in range(len(parts) + 1):
                out.setdefault(".".join(parts[:k]), r.name)
    for r in summary.table:
        if r.is_parameter:
            owner = r.name.rpartition(".")[0]
            # the model's own step is named after its class, as the derivation names it
            out[r.name] = out.get(owner, "") if owner else out.setdefault(summary.rows[0].type,
                                                                          summary.rows[0].type)
    return out


def _joined(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def _signature(node: _Node) -> tuple:
    r = node.row
    return (r.type, repr(r.params), repr(r.output_shape), tuple(_signature(c) for c in node.children))


def _alike(children: list) -> bool:
    return len(children) > 1 and len({_signature(c) for c in children}) == 1


def _shapes(row) -> tuple:
    """Each tensor a module's first call returned: an LSTM's output and its states
    ``(out, (h, c))`` are three shapes, as the summary's cell shows them."""
    from ..pytorch.trace import outputs
    return outputs(row.output_shape)


def _torch_box(node: _Node, total, anchors: dict, bid: str, most: int) -> Box:
    from ..pytorch.containers import Stacked
    from ..pytorch.summary import summarize_module

    r = node.row
    if isinstance(node.module, Stacked):
        block = node.module.block
        inside_summary = summarize_module(block, name=f"{node.name}.*")
        inside_rows = {x.name: x for x in (*inside_summary.rows, *inside_summary.table)}
        inside = _torch_part(_tree(block, "", inside_rows), total, {}, f"{bid}_",
                             most, f"{node.name}.*")
        return Box(bid, node.name, r.type.split(" × ")[0], (), r.params,
                   _share(r.params, total), anchors.get(node.name), copies=node.module.n, inside=inside,
                   kind="block")
    if _alike(node.children):
        # the container's own count: a tensor its children share is counted once
        return _run_box(node.children, total, anchors, bid, most, r.params)
    if r.is_parameter:
        return Box(bid, node.name, "nn.Parameter", (r.parameters[0][1],), r.params, _share(r.params, total),
                   anchors.get(node.name), kind="parameter")
    inside = _torch_part(node, total, anchors, f"{bid}_", most, node.name) if node.children else None
    return Box(bid, node.name or r.type, r.type, _shapes(r), r.params, _share(r.params, total),
               anchors.get(node.name), inside=inside)


def _torch_part(node: _Node, total, anchors: dict, prefix: str, most: int, name: str) -> Diagram:
    boxes = _torch_boxes(node, total, anchors, prefix, most)
    return Diagram(name or node.row.type, tuple(boxes), _chain(boxes), node.row.params, flow="order")


def _torch_boxes(node: _Node, total, anchors: dict, prefix: str, most: int) -> list:
    """The boxes that draw ``node``'s children: each child opened into its own children
    (level by level) while the picture stays within ``most`` boxes."""
    frontier = list(node.children) or [node]
    while True:
        opened: list = []
        changed = False
        for c in frontier:
            if c.children and not _alike(c.children):
                opened.extend(c.children)
                changed = True
            else:
                opened.append(c)
        if not changed or len(opened) > most:
            break
        frontier = opened
    boxes = []
    for i, run in enumerate(_runs(frontier)):
        if len(run) == 1:
            boxes.append(_torch_box(run[0], total, anchors, f"{prefix}{i}", most))
        else:
            boxes.append(_run_box(run, total, anchors, f"{prefix}{i}", most))
    return boxes


def _runs(nodes: list) -> list:
    """Consecutive siblings that are alike (ResNet's ``layer3.1`` … ``layer3.5``), each run
    a list; a module with no parameters is never folded (a ReLU called between blocks)."""
    runs: list = []
    for n in nodes:
        last = runs[-1][-1] if runs else None
        if last is not None and n.name.rpartition(".")[0] == last.name.rpartition(".")[0] \
                and n.children and n.row.params != 0 and _signature(n) == _signature(last):
            runs[-1].append(n)
        else:
            runs.append([n])
    return runs


def _run_box(run: list, total, anchors: dict, bid: str, most: int, params=None) -> Box:
    """Alike modules, one after the other, as one box ``× len(run)`` whose inside is the first."""
    first, last = run[0], run[-1]
    if params is None:
        params = sympy.expand(sum((n.row.params for n in run), sympy.Integer(0)))
    inside = _torch_part(first, total, anchors, f"{bid}_", most, first.name)
    return Box(bid, f"{first.name} … {last.name}", first.row.type, _shapes(last.row), params,
               _share(params, total), anchors.get(first.name), copies=len(run), inside=inside, kind="block")


# ---- legibility ---------------------------------------------------------------------


def _legible(d: Diagram, most: int) -> Diagram:
    """``d`` with its weightless one-in one-out layers drawn as part of their arrow when
    it has more than ``most`` boxes; the notes say how many and that nothing was dropped."""
    if len(d.boxes) <= most:
        return d
    boxes = list(d.boxes)
    arrows = list(d.arrows)
    folded = 0
    # Every such layer is folded, not just enough of them: one picture, one convention.
    for b in list(boxes):
        ins = [a for a in arrows if a.head == b.id]
        outs = [a for a in arrows if a.tail == b.id]
        if b.kind != "layer" or b.params != 0 or b.inside is not None or len(ins) != 1 or len(outs) != 1:
            continue
        arrows = [a for a in arrows if a not in (ins[0], outs[0])]
        bridge = Arrow(ins[0].tail, outs[0].head)
        if bridge not in arrows:
            arrows.append(bridge)
        boxes.remove(b)
        folded += 1
    notes = d.notes
    if folded:
        notes += (f"{folded} layers without parameters (activations, normalizations without weights, "
                  f"dropout, reshapes) are drawn as part of the arrow they sit on, to keep the picture "
                  f"legible; the table below lists every layer.",)
    if len(boxes) > most:
        notes += (f"The diagram has {len(boxes)} boxes, more than fit legibly; zoom in, or read the table "
                  f"below.",)
    return Diagram(d.name, tuple(boxes), tuple(arrows), d.total, d.flow, notes)
