"""A private virtual environment with pinned packages, made on first use: the ground-truth
scripts run the real frameworks there, never in symparams' own environment."""

from __future__ import annotations

import subprocess
import venv
from pathlib import Path


def python_in(directory: Path, pins: list[str]) -> Path:
    """The Python of the environment at ``directory``, created with ``pins`` if missing."""
    python = directory / "bin" / "python"
    if not python.exists():
        print(f"creating {directory} with {' '.join(pins)}", flush=True)
        venv.create(directory, with_pip=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", *pins], check=True)
    return python
