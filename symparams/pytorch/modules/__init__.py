"""PyTorch's module classes, one module per file of ``torch/nn/modules/``; the modules
without parameters by name (:mod:`.free`). Import them from :mod:`symparams.pytorch.layers`
(or :mod:`symparams.pytorch.nn`), which gathers them."""
