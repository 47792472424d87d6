"""One module per command group; ``compliance.cli`` adds their commands to the ``compliance`` group."""
