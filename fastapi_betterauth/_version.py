"""The toolkit's version, read by the build (pyproject.toml `[tool.hatch.version]`) and by `__version__`."""

__version__ = "0.1.0"
