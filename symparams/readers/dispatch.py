"""Which reader a file goes to: Keras or PyTorch, guessed from its imports or said by
``--dialect``, with the options that belong to each checked here."""

from __future__ import annotations

from typing import Optional, Sequence

from ..core.errors import ReadError
from .dialect import is_torch_source
from .python.limits import Limits
from .python.source import looks_like_config, parse, read_text

DIALECTS = ("keras", "torch")


def read_file(path: str, bindings: Optional[dict] = None, strict: bool = False,
              ignore_unused: bool = False, limits: Limits = Limits(), input_shape=None,
              keras: Optional[int] = None, dialect: Optional[str] = None,
              input_size: Optional[list] = None, model: Optional[str] = None,
              symbolic: Sequence[str] = (), machine=None):
    """Read a model file (``-`` for standard input): Keras or PyTorch source, or a
    Hugging Face ``config.json`` (a JSON object), whose ``symbolic`` fields stay free."""
    source, filename = read_text(path, limits)
    if looks_like_config(source):
        for option, given in (("--input-shape", input_shape), ("--input-size", input_size),
                              ("--dialect", dialect), ("--keras", keras), ("--assume", machine)):
            if given:
                raise ReadError(f"{option} is for model source code; a config file gives its sizes in "
                                "its fields; set a field with --subs NAME=VALUE", filename)
        from ..configs.reader import ConfigReadResult, read_config_text
        config = read_config_text(source, filename, symbolic, bindings, architecture=model)
        return ConfigReadResult(filename, config)
    return read_source(source, filename, bindings, strict, limits=limits, ignore_unused=ignore_unused,
                       input_shape=input_shape, keras=keras, dialect=dialect, input_size=input_size,
                       model=model, symbolic=symbolic, machine=machine)


def read_source(source: str, filename: str = "<model>", bindings: Optional[dict] = None,
                strict: bool = False, limits: Limits = Limits(), ignore_unused: bool = False,
                input_shape=None, keras: Optional[int] = None, dialect: Optional[str] = None,
                input_size: Optional[list] = None, model: Optional[str] = None,
                symbolic: Sequence[str] = (), machine=None):
    """Read model source text: PyTorch code (a file that imports torch, or ``dialect="torch"``)
    into PyTorch modules, anything else into Keras models.

    Keras takes ``input_shape`` (without the batch axis) and ``keras`` (1, 2 or 3);
    PyTorch takes ``input_size`` (one shape per input, batch included) and ``model``,
    the module whose forward it runs. ``symbolic`` names settings the file declares (a
    module-level constant, a dataclass field, a keyword's default) to read as free sizes.
    """
    if dialect not in (None, *DIALECTS):
        raise ReadError(f"--dialect {dialect!r}: use keras or torch", filename)
    if len(source) > limits.file_bytes:
        raise ReadError(f"the source is longer than {limits.file_bytes:,} characters "
                        f"({limits.describe('file_bytes')})", filename)
    tree = parse(source, filename, limits)
    if dialect is None:
        dialect = "keras" if keras is not None or not _imports_torch(tree, filename, limits) else "torch"
    if dialect == "torch":
        if keras is not None:
            raise ReadError("--keras is for Keras files; this one is read as PyTorch (--dialect torch)",
                            filename)
        if input_shape is not None:
            raise ReadError("--input-shape is for Keras files; give a PyTorch model's input with the "
                            "batch axis, e.g. --input-size 1,3,224,224", filename)
        # Each framework's reader loads when a file needs it (a Keras summary never loads PyTorch's).
        from .torch.reader import read_torch_source
        return read_torch_source(source, filename, bindings, limits, ignore_unused, tree,
                                 input_size=input_size, model=model, symbolic=symbolic, machine=machine)
    if input_size:
        raise ReadError("--input-size is for PyTorch files; give a Keras model's input without the "
                        "batch axis, e.g. --input-shape 28,28,1", filename)
    from .keras import read_keras_source
    return read_keras_source(source, filename, bindings, strict, limits, ignore_unused,
                             input_shape=input_shape, keras=keras, tree=tree, symbolic=symbolic,
                             machine=machine)


def _imports_torch(tree, filename: str, limits: Limits) -> bool:
    """Whether the file imports PyTorch, itself or through its project's files."""
    if is_torch_source(tree):
        return True
    from .python.project import imported_trees

    def parse_file(path):
        return parse(read_text(str(path), limits)[0], str(path), limits)
    return any(is_torch_source(t) for t in imported_trees(tree, filename, parse_file))
