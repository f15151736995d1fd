"""egov-rules: checks e-government submissions against Fujian Decree No. 156."""

__version__ = "0.1.0"
