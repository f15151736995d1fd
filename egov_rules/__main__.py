"""`python -m egov_rules` == `egov-rules`."""

from .cli import main

main()
