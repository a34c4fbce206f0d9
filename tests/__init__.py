"""The test suite: a package, so pytest --import-mode=append finds ``tests`` after the installed ``bot``."""
