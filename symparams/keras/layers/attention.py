"""Attention layers. MultiHeadAttention holds four projections (query, key, value, output)."""

from __future__ import annotations

from ...core.dims import as_positive, known_unequal, product
from ...core.formula import add, mul
from .base import KERNEL_INERT, Layer, Weight, describe, positions
from .textbook import Textbook, arg, axis


def attended_pairs(t_q, t_k, causal: bool):
    """Query–key pairs scored: all of them, or those on or below the diagonal when causal."""
    if causal:
        return t_q * (t_q + 1) / 2
    return t_q * t_k


class _QueryKeyValue(Layer):
    """Attention called as ``layer(query, value)`` or ``layer(query, value, key)``."""

    #: Keras builds a Softmax and a Dropout inside, which use up those automatic names
    inner_layers = ("Softmax", "Dropout")

    def pack_call(self, query=None, value=None, key=None, **kwargs):
        if query is None or value is None:
            name = type(self).__name__
            raise self.error(f"{name} is called as layer(query, value) or layer(query, value, key)")
        return [query, value] if key is None else [query, value, key]

    def call_options(self, return_attention_scores=False, use_causal_mask=False, **kwargs):
        return {"return_attention_scores": bool(return_attention_scores),
                "use_causal_mask": bool(use_causal_mask)}

    def check_input(self, in_shapes):
        query, value = in_shapes[0], in_shapes[1]
        key = in_shapes[2] if len(in_shapes) > 2 else value
        for name, shape in (("query", query), ("value", value), ("key", key)):
            if shape[-1] is None:
                raise self.error(f"the last axis of the {name} {describe(shape)} must be known")
        if len(value) != len(key) or any(known_unequal(a, b) for a, b in zip(value[1:-1], key[1:-1])):
            raise self.error(f"value {describe(value)} and key {describe(key)} must match "
                             "on every axis but the last")

    def projections(self, t: Textbook, shapes, q_heads, kv_heads, d_key, d_value, d_out=None):
        """Query, key, (gate,) value and output projections: ``(d_in + 1)·heads·d_head`` each.

        ``d_out(d_q_in)`` names the output width (the query's by default).
        """
        query, value = shapes[0], shapes[1]
        key = shapes[2] if len(shapes) > 2 else value
        dq_in = t.q("d_q_in", query[-1], axis(len(query) - 1, 0))
        if len(shapes) > 2:
            dv_in = t.q("d_v_in", value[-1], axis(len(value) - 1, 1))
            dk_in = t.q("d_k_in", key[-1], axis(len(key) - 1, 2))
        else:
            # No key given: Keras projects the value tensor for both keys and values.
            dv_in = dk_in = t.q("d_kv_in", value[-1], axis(len(value) - 1, 1))
        out = d_out(dq_in) if d_out is not None else dq_in

        def projection(d_in, heads, d_head):
            return mul(add(d_in, 1), heads, d_head) if self.use_bias else mul(d_in, heads, d_head)
        terms = [projection(dq_in, q_heads, d_key), projection(dk_in, kv_heads, d_key)]
        if self.use_gate:
            terms.append(projection(dq_in, q_heads, d_value))
        terms.append(projection(dv_in, kv_heads, d_value))
        terms.append(mul(add(mul(q_heads, d_value), 1), out) if self.use_bias else mul(q_heads, d_value, out))
        return add(*terms)

    def attention_macs(self, i, options, q_heads, kv_heads, key_dim, value_dim, out):
        """The projections' products, and scoring and combining each attended query–key pair."""
        query, value = i[0], i[1]
        key = i[2] if len(i) > 2 else value
        t_q, t_k = positions(query), positions(key)
        total = t_q * query[-1] * q_heads * key_dim + t_k * key[-1] * kv_heads * key_dim + \
            positions(value) * value[-1] * kv_heads * value_dim
        if self.use_gate:
            total += t_q * query[-1] * q_heads * value_dim
        total += t_q * q_heads * value_dim * out
        pairs = attended_pairs(t_q, t_k, bool(options.get("use_causal_mask")))
        return total + q_heads * pairs * (key_dim + value_dim)


class MultiHeadAttention(_QueryKeyValue):
    kind = "attention"
    misconceptions = frozenset({"attention_no_output", "attention_no_qkv_bias", "attention_heads_multiply",
                                "attention_one_head", "attention_model_width_per_head"})
    inert_args = KERNEL_INERT | {"dropout", "attention_axes", "flash_attention", "seed"}
    prose = "mha"

    def __init__(self, num_heads, key_dim, value_dim=None, dropout=0.0, use_bias=True,
                 output_shape=None, attention_axes=None, use_gate: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.num_heads = as_positive(num_heads, "num_heads")
        self.key_dim = as_positive(key_dim, "key_dim")
        self.value_dim = as_positive(value_dim, "value_dim") if value_dim else self.key_dim
        self.use_bias = bool(use_bias)
        self.use_gate = bool(use_gate)
        if output_shape is None:
            self.output_shape_arg = None
        elif isinstance(output_shape, (list, tuple)):
            self.output_shape_arg = tuple(as_positive(v, "output_shape") for v in output_shape)
        else:
            self.output_shape_arg = (as_positive(output_shape, "output_shape"),)

    def _projection(self, name, input_dim, head_dim):
        yield Weight(f"{name}/kernel", (input_dim, self.num_heads, head_dim))
        if self.use_bias:
            yield Weight(f"{name}/bias", (self.num_heads, head_dim))

    def declare_weights(self, input_shape):
        query, value = input_shape[0], input_shape[1]
        key = input_shape[2] if len(input_shape) > 2 else value
        yield from self._projection("query", query[-1], self.key_dim)
        yield from self._projection("key", key[-1], self.key_dim)
        if self.use_gate:
            yield from self._projection("gate", query[-1], self.value_dim)
        yield from self._projection("value", value[-1], self.value_dim)
        out = self.output_shape_arg or (query[-1],)
        yield Weight("attention_output/kernel", (self.num_heads, self.value_dim, *out))
        if self.use_bias:
            yield Weight("attention_output/bias", out)

    def compute_output_shape(self, input_shape):
        query = input_shape[0]
        return (*query[:-1], *self.output_shape_arg) if self.output_shape_arg else tuple(query)

    def output_shapes_for(self, in_shapes, options):
        out = self.compute_output_shape(in_shapes)
        if not options.get("return_attention_scores"):
            return out
        # Keras 3 declares the scores as (batch, heads, T_q, T_q) even in cross
        # attention, where the tensor it computes is (batch, heads, T_q, T_k);
        # symparams reports what model.summary() prints.
        query = in_shapes[0]
        return [out, (query[0], self.num_heads, query[1], query[1])]

    def config(self):
        return {"num_heads": self.num_heads, "key_dim": self.key_dim, "value_dim": self.value_dim,
                "use_bias": self.use_bias, "output_shape": self.output_shape_arg}

    def textbook(self, shapes):
        t = Textbook()
        h = t.q("h", self.num_heads, arg("num_heads"))
        dk = t.q("d_k", self.key_dim, arg("key_dim"))
        dv = t.q("d_v", self.value_dim, arg("value_dim")) if self.value_dim != self.key_dim else dk
        out = self.output_shape_arg

        def d_out(dq_in):
            if out is None:
                return dq_in
            if len(out) == 1:
                return t.q("d_out", out[0], arg("output_shape"))
            return mul(*[t.q(f"d_out_{i + 1}", v, arg("output_shape")) for i, v in enumerate(out)])
        t.formula = self.projections(t, shapes, h, h, dk, dv, d_out)
        return t

    def macs(self, i, o, options):
        out = product(self.output_shape_arg) if self.output_shape_arg else i[0][-1]
        return self.attention_macs(i, options, self.num_heads, self.num_heads, self.key_dim,
                                   self.value_dim, out)


class GroupedQueryAttention(_QueryKeyValue):
    """Grouped-query attention: ``num_query_heads`` query heads share ``num_key_value_heads``
    key and value heads (keras/src/layers/attention/grouped_query_attention.py)."""

    inert_args = KERNEL_INERT | {"dropout", "sliding_window", "flash_attention", "seed"}
    prose = "gqa"
    misconceptions = frozenset({"attention_no_output", "attention_no_qkv_bias", "attention_heads_multiply",
                                "attention_model_width_per_head", "gqa_all_heads"})

    def __init__(self, head_dim, num_query_heads, num_key_value_heads, dropout=0.0, use_bias=True,
                 use_gate: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.head_dim = as_positive(head_dim, "head_dim")
        self.num_query_heads = as_positive(num_query_heads, "num_query_heads")
        self.num_key_value_heads = as_positive(num_key_value_heads, "num_key_value_heads")
        if self.num_query_heads.is_Integer and self.num_key_value_heads.is_Integer and \
                int(self.num_query_heads) % int(self.num_key_value_heads):
            raise ValueError("num_query_heads must be divisible by num_key_value_heads")
        self.use_bias = bool(use_bias)
        self.use_gate = bool(use_gate)

    def check_input(self, in_shapes):
        super().check_input(in_shapes)
        query, value = in_shapes[0], in_shapes[1]
        if known_unequal(query[-1], value[-1]):
            raise self.error(f"the last axes of query {describe(query)} and value "
                             f"{describe(value)} must be equal")

    def _projection(self, name, input_dim, heads):
        yield Weight(f"{name}/kernel", (input_dim, heads, self.head_dim))
        if self.use_bias:
            yield Weight(f"{name}/bias", (heads, self.head_dim))

    def declare_weights(self, input_shape):
        query, value = input_shape[0], input_shape[1]
        key = input_shape[2] if len(input_shape) > 2 else value
        yield from self._projection("query", query[-1], self.num_query_heads)
        yield from self._projection("key", key[-1], self.num_key_value_heads)
        if self.use_gate:
            yield from self._projection("gate", query[-1], self.num_query_heads)
        yield from self._projection("value", value[-1], self.num_key_value_heads)
        yield Weight("attention_output/kernel", (self.num_query_heads, self.head_dim, query[-1]))
        if self.use_bias:
            yield Weight("attention_output/bias", (query[-1],))

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[0])

    def output_shapes_for(self, in_shapes, options):
        out = self.compute_output_shape(in_shapes)
        if not options.get("return_attention_scores"):
            return out
        query, value = in_shapes[0], in_shapes[1]
        key = in_shapes[2] if len(in_shapes) > 2 else value
        return [out, (query[0], self.num_query_heads, query[1], key[1])]

    def config(self):
        return {"head_dim": self.head_dim, "num_query_heads": self.num_query_heads,
                "num_key_value_heads": self.num_key_value_heads, "use_bias": self.use_bias,
                "use_gate": self.use_gate}

    def textbook(self, shapes):
        t = Textbook()
        h_q = t.q("h_q", self.num_query_heads, arg("num_query_heads"))
        h_kv = t.q("h_kv", self.num_key_value_heads, arg("num_key_value_heads"))
        d_h = t.q("d_h", self.head_dim, arg("head_dim"))
        t.formula = self.projections(t, shapes, h_q, h_kv, d_h, d_h)
        return t

    def macs(self, i, o, options):
        return self.attention_macs(i, options, self.num_query_heads, self.num_key_value_heads,
                                   self.head_dim, self.head_dim, i[0][-1])


class _BaseAttention(Layer):
    inert_args = frozenset({"dropout", "seed"})
    prose = "attention"

    def macs(self, i, o, options):
        query, value = i[0], i[1]
        pairs = attended_pairs(positions(query), positions(value), bool(options.get("use_causal_mask")))
        return pairs * (query[-1] + value[-1])

    def pack_call(self, inputs=None, *args, **kwargs):
        return inputs

    def call_options(self, return_attention_scores=False, use_causal_mask=False, **kwargs):
        return {"return_attention_scores": bool(return_attention_scores),
                "use_causal_mask": bool(use_causal_mask)}

    def check_input(self, in_shapes):
        if not isinstance(in_shapes, list) or len(in_shapes) not in (2, 3):
            raise self.error(f"{type(self).__name__} is called on [query, value] or [query, value, key]")
        for role, shape in zip(("query", "value", "key"), in_shapes):
            if len(shape) < 3 or shape[-1] is None:
                raise self.error(f"the {role} must be a sequence with a known feature axis, "
                                 f"got {describe(shape)}")

    def compute_output_shape(self, input_shape):
        query, value = input_shape[0], input_shape[1]
        return (*query[:-1], value[-1])

    def output_shapes_for(self, in_shapes, options):
        out = self.compute_output_shape(in_shapes)
        if not options.get("return_attention_scores"):
            return out
        query, value = in_shapes[0], in_shapes[1]
        return [out, (query[0], query[1], value[1])]


class Attention(_BaseAttention):
    def __init__(self, use_scale=False, score_mode="dot", dropout=0.0, **kwargs):
        super().__init__(**kwargs)
        if score_mode not in ("dot", "concat"):
            raise ValueError(f"score_mode must be 'dot' or 'concat', got {score_mode!r}")
        self.use_scale = bool(use_scale)
        self.score_mode = score_mode

    def declare_weights(self, input_shape):
        if self.use_scale:
            yield Weight("scale", ())
        if self.score_mode == "concat":
            yield Weight("concat_score_weight", ())

    def config(self):
        return {"use_scale": self.use_scale, "score_mode": self.score_mode}


class AdditiveAttention(_BaseAttention):
    def __init__(self, use_scale=True, dropout=0.0, **kwargs):
        super().__init__(**kwargs)
        self.use_scale = bool(use_scale)

    def declare_weights(self, input_shape):
        if self.use_scale:
            yield Weight("scale", (input_shape[0][-1],))

    def config(self):
        return {"use_scale": self.use_scale}
