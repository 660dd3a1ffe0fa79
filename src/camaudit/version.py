"""The camaudit version, in a module of its own so that nothing importing it pulls in the package API."""

__version__ = "0.1.0"
