"""``python -m srcad``, the same as the ``srcad`` command."""
import sys

from .cli import main

sys.exit(main())
