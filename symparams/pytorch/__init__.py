"""PyTorch's modules as sizes: what ``torch.nn`` registers, counted as PyTorch counts it.

``symparams.pytorch.nn`` mirrors ``torch.nn``: its classes take the same arguments and
register the same parameters and buffers, under the same names, with sizes that may stay
symbolic. Nothing here imports torch.
"""

from .module import Buffer, Module, Parameter

__all__ = ["Buffer", "Module", "Parameter"]
