"""``python -m symparams``: the same program as the ``symparams`` command."""

import sys

from .cli import main

sys.exit(main())
