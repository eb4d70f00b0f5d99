"""``python -m symparams.cli``: the ``symparams`` command."""

import sys

from . import main

sys.exit(main())
