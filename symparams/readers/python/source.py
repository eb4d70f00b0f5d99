"""Model files as text and as ``ast``: read within a size limit, parsed within a nesting limit.

Only regular files are read (a device such as ``/dev/zero`` never ends, a
FIFO may never answer), never more than ``Limits.file_bytes``, and the syntax
tree is measured before anything walks it, so the interpreter's own recursion
is bounded by the file's nesting.
"""

from __future__ import annotations

import ast
import os
import re
import stat
import sys
import weakref
from collections import deque

from ...core.errors import ReadError
from .limits import Limits


def read_text(path: str, limits: Limits = Limits()) -> tuple[str, str]:
    """The text of a model file (``-`` for standard input) and the name to report it by."""
    if path == "-":
        stream = getattr(sys.stdin, "buffer", None)
        if stream is None:  # a text stream put in place of stdin (tests, notebooks)
            text = sys.stdin.read(limits.file_bytes + 1)
            return _decode(text.encode("utf-8", "surrogatepass"), "<stdin>", limits), "<stdin>"
        return _decode(stream.read(limits.file_bytes + 1), "<stdin>", limits), "<stdin>"
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise ReadError("no such file", path) from None
    except IsADirectoryError:
        raise ReadError("is a directory, not a model file", path) from None
    except OSError as exc:
        raise ReadError(exc.strerror or "cannot be opened", path) from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise ReadError("is a directory, not a model file", path)
        if not stat.S_ISREG(info.st_mode):
            raise ReadError("is not a regular file (a device, pipe or socket); "
                            "save the model code to a file", path)
        if info.st_size > limits.file_bytes:
            raise _too_large(path, limits)
        with os.fdopen(fd, "rb", closefd=True) as fh:
            fd = -1
            data = fh.read(limits.file_bytes + 1)
    except OSError as exc:
        raise ReadError(exc.strerror or "cannot be read", path) from None
    finally:
        if fd >= 0:
            os.close(fd)
    return _decode(data, path, limits), path


def _too_large(path: str, limits: Limits) -> ReadError:
    return ReadError(f"the file is larger than {limits.file_bytes:,} bytes "
                     f"({limits.describe('file_bytes')})", path)


def _decode(data: bytes, path: str, limits: Limits) -> str:
    if len(data) > limits.file_bytes:
        raise _too_large(path, limits)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise ReadError("is not UTF-8 text", path) from None


def parse(source: str, filename: str, limits: Limits = Limits()) -> ast.Module:
    """Parse, accepting the Python 2 ``print x`` statements of old snippets."""
    if "\0" in source:
        raise ReadError("the file contains a NUL character; is it a model's source code?", filename)
    try:
        tree = ast.parse(source, filename)
    except SyntaxError as first:
        fixed = _python2_prints(source)
        tree = None
        if fixed != source:
            try:
                tree = ast.parse(fixed, filename)
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                pass
        if tree is None:
            line = (first.text or "").strip()[:120]
            raise ReadError(f"syntax error: {first.msg}" + (f": {line}" if line else ""),
                            filename, first.lineno, first.offset) from None
    except (ValueError, RecursionError, MemoryError) as exc:
        raise ReadError("cannot parse the file: it nests too deeply or is too large"
                        if not isinstance(exc, ValueError) else f"cannot parse the file: {exc}",
                        filename) from None
    check_nesting(tree, filename, limits)
    return tree


def check_nesting(tree: ast.AST, filename: str, limits: Limits) -> None:
    """Refuse a syntax tree deeper than ``limits.nesting`` (``1+1+...+1`` nests too)."""
    # Breadth first, in ast.walk's order, so the nodes it visits are kept for the other
    # passes over the whole tree (the dialect's guess, the torch check): one walk, not three.
    found = []
    todo = deque([(tree, 0)])
    while todo:
        node, depth = todo.popleft()
        if depth > limits.nesting:
            raise ReadError(f"the code nests more than {limits.nesting} levels deep "
                            f"({limits.describe('nesting')})", filename,
                            getattr(node, "lineno", None))
        found.append(node)
        todo.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    _NODES[tree] = found[1:]


_NODES: "weakref.WeakKeyDictionary[ast.AST, list]" = weakref.WeakKeyDictionary()


def looks_like_config(text: str) -> bool:
    """Whether ``text`` is a JSON object (a config file), not Python source."""
    return text.lstrip().startswith("{")


def nodes(tree: ast.AST) -> list:
    """Every node of ``tree`` as parsed, in :func:`ast.walk`'s order (found once for a tree)."""
    # The tree itself is not kept in its own entry: a value that held its key would keep
    # the entry, and every node of every file read, alive for ever.
    below = _NODES.get(tree)
    if below is None:
        below = _NODES[tree] = list(ast.walk(tree))[1:]
    return [tree, *below]


_PRINT = re.compile(r"^(\s*)print\b(?!\s*\()\s*(.*?)\s*$")


def _python2_prints(source: str) -> str:
    lines = []
    for line in source.splitlines():
        m = _PRINT.match(line)
        if m and not m.group(2).startswith(("=", ".")):
            lines.append(f"{m.group(1)}print({m.group(2)})")
        else:
            lines.append(line)
    return "\n".join(lines)
