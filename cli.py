"""`python cli.py ...` from a checkout behaves exactly like the installed `egov-rules`."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from egov_rules.cli import main

if __name__ == "__main__":
    main()
