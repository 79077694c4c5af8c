"""``python -m cpguide`` runs the command line."""

from cpguide.cli import main

main()
