"""Build policy briefs and decks: ``python build.py --help``."""

import sys

from policybrief.cli import main

if __name__ == "__main__":
    sys.exit(main())
