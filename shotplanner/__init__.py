"""Shotplanner: plan a film as a storyboard of shots and generate each shot with the model that suits it."""

#: The one place the version is written: pyproject.toml reads it, ``shotplanner --version`` prints it.
__version__ = "0.1.0"
