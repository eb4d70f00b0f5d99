"""The machine a file is read as running on, and ``--assume`` that changes it.

A script asks of its machine before it builds its model: ``torch.cuda.is_available()``,
``os.environ["KERAS_BACKEND"]``, ``os.path.isfile("checkpoint.pt")``, ``__name__ ==
"__main__"``. The reader answers from one documented default environment, a CPU with no
CUDA, no files, the file run as a program, and an empty environment, and ``--assume
NAME=VALUE`` changes an answer. The answers given are said in notes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from ...core.errors import SymparamsError

#: what ``--assume`` can set, and what each means
SETTINGS = {
    "cuda": "whether torch.cuda.is_available() (and the MPS and cuDNN checks) say True",
    "main": "whether __name__ == '__main__' (the file run as a program, so its main block runs)",
    "files": "whether os.path.exists/isfile/isdir say a file is there",
    "env.NAME": "the environment variable NAME (os.environ['NAME'], os.getenv('NAME'))",
}
_TRUE, _FALSE = ("true", "yes", "1", "on"), ("false", "no", "0", "off")


@dataclass(frozen=True)
class Environment:
    cuda: bool = False
    main: bool = True
    files: bool = False
    variables: Mapping = field(default_factory=dict)


def parse_assume(items) -> Environment:
    """``--assume cuda=true --assume env.KERAS_BACKEND=jax`` as an :class:`Environment`."""
    values: dict = {}
    variables: dict = {}
    for item in items or ():
        name, sep, value = item.partition("=")
        name, value = name.strip(), value.strip()
        if not sep or not name:
            raise SymparamsError(f"--assume {item!r}: write NAME=VALUE, e.g. --assume cuda=true")
        if name.startswith("env.") and len(name) > 4:
            variables[name[4:]] = value
            continue
        if name not in ("cuda", "main", "files"):
            import difflib
            close = difflib.get_close_matches(name, ["cuda", "main", "files"], n=1)
            raise SymparamsError(f"--assume {name}: the reader's machine has cuda, main, files and env.NAME"
                                 + (f"; did you mean {close[0]}?" if close else
                                    " (e.g. --assume cuda=true, --assume env.KERAS_BACKEND=jax)"))
        if value.lower() not in _TRUE + _FALSE:
            raise SymparamsError(f"--assume {name}={value}: give true or false, e.g. --assume {name}=true")
        values[name] = value.lower() in _TRUE
    return Environment(variables=variables, **values)
