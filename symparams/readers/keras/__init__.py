"""Read Keras 1, 2 and 3 source into symparams models, without running it.

:func:`read_source` parses the file with ``ast`` and interprets it with
:class:`~symparams.readers.interpreter.Interpreter`; this package supplies what
the names mean: the Keras API (under any import spelling, or none), Python
builtins, and the attributes of models, layers and tensors that model code
uses. Names the file never binds become positive integer symbols.

:mod:`.read` reads a file (:func:`read_keras_source`, :class:`ReadResult`);
:mod:`.reader` is the host, :class:`KerasReader`, put together from :mod:`.names`,
:mod:`.attributes`, :mod:`.calls`, :mod:`.classes` and :mod:`.models`; :mod:`.api` holds
the Keras API's tables and :mod:`.helpers` the small functions its parts share.
"""

from .api import (BACKEND, IMPORTS, KERAS_API, KERAS_ROOTS, LayerClass, accepted_arguments, closest,
                  missing_import, own_arguments)
from .read import ReadResult, read_keras_source
from .reader import KerasReader

__all__ = ["BACKEND", "IMPORTS", "KERAS_API", "KERAS_ROOTS", "KerasReader", "LayerClass", "ReadResult",
           "accepted_arguments", "closest", "missing_import", "own_arguments", "read_keras_source"]
