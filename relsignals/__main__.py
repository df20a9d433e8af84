"""``python -m relsignals``: see :mod:`relsignals.cli`."""

import sys

from .cli import main

sys.exit(main())
