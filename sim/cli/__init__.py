"""The command-line door. Not imported by ``import sim``."""
