"""What a rule says of an imported manifest: the entry of the import's overlay that supplies what it lacks.

An imported manifest (labelled ``modelgate.dev/imported-from``) is written again by every import, so a fix made in
the file is lost: a finding about what the source cannot know (an owner, a deprecation's announcement day and
migration guide) names the overlay entry instead (docs/importing.md, "The overlay"). Pure.
"""

from __future__ import annotations

import posixpath

from bot.imports.model import IMPORTED_FROM
from bot.imports.overlay import OVERLAY_FILE
from bot.manifests.snapshot import ManifestFile


def overlay_hint(manifest: ManifestFile, where: tuple[str | int, ...], value: str, what: str) -> str:
    """``""`` for a hand-written manifest; for an imported one, the sentence to append to a finding's message: add
    ``what`` to the overlay beside ``DIR`` (``DIR/models/NAME.yaml`` → ``DIR/modelgate-overlay.yaml``), as the one
    line of YAML that puts ``value`` at ``where`` (keys below the manifest's own entry) in the manifest's section."""
    tool = (manifest.doc.metadata.labels or {}).get(IMPORTED_FROM)
    if tool is None:
        return ""
    overlay = posixpath.join(posixpath.dirname(posixpath.dirname(manifest.path)), OVERLAY_FILE)
    flow = value
    for key in (*reversed(where), manifest.name):  # inside out, as YAML flow mappings
        flow = f"{{{key}: {flow}}}"
    section = "models" if manifest.doc.kind == "Model" else "contracts"
    return (f"; {manifest.path} is imported from {tool}: add {what} to {overlay} (the import's overlay), not to the "
            f"file, as {section}: {flow}")
