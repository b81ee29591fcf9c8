"""The kit's version: the one place it is written (pyproject.toml reads it from here, as
``[tool.setuptools.dynamic]``), so ``kit --version`` need not search the installed
distributions with ``importlib.metadata``."""

__version__ = "0.1.0"
