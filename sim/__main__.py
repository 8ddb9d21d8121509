"""``python -m sim``: the same as the ``promise-sim`` command."""

import sys

from sim.cli.app import main

sys.exit(main())
