"""Allow ``python -m policybrief``."""

import sys

from policybrief.cli import main

sys.exit(main())
