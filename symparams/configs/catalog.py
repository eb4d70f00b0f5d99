"""Every family symparams builds, by ``model_type``: the decoders as data
(:mod:`.decoders`), and the families whose models really differ (:mod:`.families`:
GPT-2, BERT, T5; :mod:`.encoders`, :mod:`.seq2seq`, :mod:`.ssm`)."""

from __future__ import annotations

from .decoders import DECODERS
from .encoders import ENCODERS
from .families import GPT2, MT5, T5
from .seq2seq import SEQ2SEQ
from .ssm import SSMS

FAMILIES = {f.model_type: f for f in (GPT2(), ENCODERS[0], T5(), MT5(), *ENCODERS[1:], *SEQ2SEQ, *DECODERS, *SSMS)}
