"""Version strings reported in every critique."""

__version__ = "0.1.0"
RULES_VERSION = "1"
