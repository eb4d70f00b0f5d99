"""The private Keras environment the ground-truth and benchmark scripts use.

Keras is never a dependency of symparams: these scripts make their own virtual
environment (``.cache/keras-venv``) with pinned Keras 3 and the JAX CPU backend.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from private_venv import python_in  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".cache" / "keras-venv"
# TensorFlow only for the layers Keras 3 runs on tf.data even under JAX (StringLookup,
# IntegerLookup, TextVectorization, Hashing, HashedCrossing); the backend stays JAX.
PINS = ["keras==3.15.1", "jax==0.10.2", "jaxlib==0.10.2", "tensorflow-cpu==2.20.0"]
ENV = {"KERAS_BACKEND": "jax", "JAX_PLATFORMS": "cpu", "TF_CPP_MIN_LOG_LEVEL": "3"}


def keras_python() -> Path:
    """The Python of the Keras environment, created on first use."""
    return python_in(VENV, PINS)


def keras_environ() -> dict:
    return {**os.environ, **ENV}
