"""Placeholder until the command lands."""
COMMANDS = ()
