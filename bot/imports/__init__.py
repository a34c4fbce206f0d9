"""Manifests from other tools' metadata: dbt's ``manifest.json``, MLflow's ``MLmodel``, ODCS v3 contracts.

Pure: each importer turns the source files it is given (bytes, read by the shell) into the manifest documents an
import writes (:class:`bot.imports.model.Imported`); rendering, the overlay and the comparison with what is already
on disk (``--check``) are shared by every importer. ``bot.commands.import_`` is the shell.
"""
