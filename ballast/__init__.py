"""ballast: tooling for a multi-asset collateral pool backing derivative positions."""

__version__ = "0.1.0"
