"""The private PyTorch environment the ground-truth script uses.

PyTorch is never a dependency of symparams: the recorder makes its own virtual
environment (``.cache/torch-venv``) with pinned torch (CPU) and torchinfo, runs each
fixture file there, and writes what real PyTorch reports into JSON fixtures.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from private_venv import python_in  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".cache" / "torch-venv"
# torch 2.13.0 is the build this machine keeps on disk (see the env notes); torchinfo
# gives the totals and wording that users compare with, and imports numpy.
PINS = ["torch==2.13.0", "torchinfo==1.8.0", "numpy==2.3.5"]


def torch_python() -> Path:
    """The Python of the PyTorch environment, created on first use."""
    return python_in(VENV, PINS)


def torch_environ() -> dict:
    return {**os.environ, "CUDA_VISIBLE_DEVICES": "", "OMP_NUM_THREADS": "1"}


def ensure_torch(script: str, modules: tuple = ("torch", "torchinfo")) -> None:
    """Run ``script`` again in the private PyTorch environment unless ``modules`` import here."""
    import importlib
    import subprocess
    try:
        for name in modules:
            importlib.import_module(name)
        return
    except ImportError:
        pass
    python = torch_python()
    if Path(sys.executable).resolve() == python.resolve():
        raise SystemExit(f"{python}: {' or '.join(modules)} does not import; delete {python.parent.parent} "
                         "to build the environment again")
    sys.exit(subprocess.call([str(python), script, *sys.argv[1:]], env=torch_environ()))
