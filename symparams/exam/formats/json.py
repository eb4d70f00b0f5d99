"""JSON: every variant's source, questions, answers and distractors, for other programs."""

from __future__ import annotations

import html
import json
import re
from fractions import Fraction
from typing import Optional

from ..context import Context
from ..draw import named_sizes
from ..shown import shown_source


def _json_value(v):
    if isinstance(v, tuple):
        return [_json_value(x) for x in v]
    if isinstance(v, Fraction):
        return float(v)
    return v


def to_json(ctx: Context, seed: Optional[int] = None) -> dict:
    """Every variant: its Keras source (real Keras runs it), questions, answers, distractors."""
    spec, variants = ctx.spec, ctx.variants
    return {
        "title": spec.title,
        "spec": spec.path,
        "seed": seed,
        "variants": [{
            "number": v.number,
            "sizes": {k: _json_value(x) for k, x in v.sizes.items()},
            "source": v.source,
            "questions": [{
                "index": q.index, "kind": q.kind, "layer": q.layer,
                "size": q.size_symbol, "budget": q.spec.budget, "points": q.spec.points,
                "prompt": html.unescape(re.sub(r"<[^>]+>", "", ctx.prompt(q, v))),
                "answer": _json_value(q.answer), "tolerance": q.tolerance,
                "choices": [{"value": _json_value(c.value), "correct": c.correct,
                             "misconception": c.misconception} for c in q.choices],
                "distractors": [{"value": _json_value(c.value), "misconception": c.misconception,
                                 "feedback": ctx.feedback(c)} for c in q.distractors],
                "blanks": [{"row": b.row, "column": b.column, "answer": _json_value(b.answer)}
                           for b in q.blanks],
                **({"claims": [{**c, "shape": _json_value(c["shape"])} for c in q.facts["claims"]],
                    "wrong_row": q.facts["wrong_row"]} if q.kind == "find_bug" else {}),
                # the model with the size grown, for real Keras to count as well
                **({"grown_source": shown_source(spec.source, {**v.sizes, q.size_symbol: q.facts["to"]},
                                                 named_sizes(spec)), "grown": q.facts["grown"]}
                   if q.kind == "growth" else {}),
            } for q in v.questions],
        } for v in variants],
    }


def json_text(ctx: Context, seed: Optional[int] = None) -> str:
    """:func:`to_json` as the file: indented, non-ASCII kept."""
    return json.dumps(to_json(ctx, seed), indent=1, ensure_ascii=False) + "\n"
