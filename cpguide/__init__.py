"""cpguide: cited answers from corporate parenting guidance."""

__version__ = "0.1.0"
