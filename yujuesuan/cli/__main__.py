"""`python -m yujuesuan.cli …` runs the command."""

import sys

from yujuesuan.cli.main import main

sys.exit(main())
