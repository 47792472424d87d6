"""`python -m compliance` runs the CLI."""

from .cli import main

main()
