"""A GPT decoder written the way research code writes one (nanoGPT, minGPT): a dataclass of
settings, one class per part, the blocks in an ``nn.ModuleList`` made by a comprehension, the
output head tied to the token embedding, and no model made at the end of the file.

    symparams summary examples/gpt_dataclass.py
    symparams scale examples/gpt_dataclass.py --symbolic n_layer,n_embd

With ``--symbolic n_layer,n_embd`` the total is V·d + B·d + n_layer·(12·d² + 13·d) + 2·d
(V = vocab_size, B = block_size, d = n_embd), whose leading term is Kaplan's 12·n_layer·d².
"""

import math
from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass
class GPTConfig:
    block_size: int = 1024
    vocab_size: int = 50304
    n_layer: int = 12
    n_head: int = 12
    n_embd: int = 768
    dropout: float = 0.0
    bias: bool = True


class Norm(nn.Module):
    """Layer normalisation whose bias can be switched off."""

    def __init__(self, width, bias):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(width))
        self.bias = nn.Parameter(torch.zeros(width)) if bias else None

    def forward(self, x):
        return F.layer_norm(x, self.weight.shape, self.weight, self.bias, 1e-5)


class SelfAttention(nn.Module):
    def __init__(self, config):
        super().__init__()
        assert config.n_embd % config.n_head == 0
        self.qkv = nn.Linear(config.n_embd, 3 * config.n_embd, bias=config.bias)
        self.proj = nn.Linear(config.n_embd, config.n_embd, bias=config.bias)
        self.drop = nn.Dropout(config.dropout)
        self.n_head = config.n_head
        self.fused = hasattr(F, "scaled_dot_product_attention")

    def forward(self, x):
        B, T, C = x.size()
        q, k, v = self.qkv(x).split(C, dim=2)
        heads = lambda t: t.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        q, k, v = heads(q), heads(k), heads(v)
        if self.fused:
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        else:
            att = (q @ k.transpose(-2, -1)) / math.sqrt(k.size(-1))
            y = F.softmax(att, dim=-1) @ v
        y = y.transpose(1, 2).contiguous().view(B, T, C)
        return self.drop(self.proj(y))


class FeedForward(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.up = nn.Linear(config.n_embd, 4 * config.n_embd, bias=config.bias)
        self.act = nn.GELU()
        self.down = nn.Linear(4 * config.n_embd, config.n_embd, bias=config.bias)

    def forward(self, x):
        return self.down(self.act(self.up(x)))


class Block(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.norm_1 = Norm(config.n_embd, config.bias)
        self.attn = SelfAttention(config)
        self.norm_2 = Norm(config.n_embd, config.bias)
        self.ffn = FeedForward(config)

    def forward(self, x):
        x = x + self.attn(self.norm_1(x))
        return x + self.ffn(self.norm_2(x))


class GPT(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.config = config
        self.transformer = nn.ModuleDict(dict(
            tok = nn.Embedding(config.vocab_size, config.n_embd),
            pos = nn.Embedding(config.block_size, config.n_embd),
            blocks = nn.ModuleList([Block(config) for _ in range(config.n_layer)]),
            norm = Norm(config.n_embd, config.bias),
        ))
        self.head = nn.Linear(config.n_embd, config.vocab_size, bias=False)
        self.transformer.tok.weight = self.head.weight
        print("parameters: %.2fM" % (sum(p.numel() for p in self.parameters()) / 1e6,))

    def forward(self, idx):
        b, t = idx.size()
        assert t <= self.config.block_size
        pos = torch.arange(0, t, dtype=torch.long)
        x = self.transformer.tok(idx) + self.transformer.pos(pos)
        for block in self.transformer.blocks:
            x = block(x)
        return self.head(self.transformer.norm(x))
