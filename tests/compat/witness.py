"""A real validator's word on a verdict: an instance valid under the writer's schema and rejected by the reader's.

BACKWARD compatibility (a reader holding ``new`` reads data written under ``old``) fails exactly when such an
instance exists; ``counterexample`` checks a given one with jsonschema-rs, so a test's verdict cannot be wrong.
"""

from __future__ import annotations

from typing import Any

import jsonschema_rs


def counterexample(writer: Any, reader: Any, instance: Any) -> bool:
    """Whether ``instance`` is valid under ``writer`` and invalid under ``reader``."""
    return bool(jsonschema_rs.validator_for(writer).is_valid(instance)
                and not jsonschema_rs.validator_for(reader).is_valid(instance))


def none_breaks(writer: Any, reader: Any, *instances: Any) -> bool:
    """Whether every one of ``instances`` valid under ``writer`` is valid under ``reader`` too (and some are valid:
    a sample of instances the writer rejects proves nothing)."""
    write, read = jsonschema_rs.validator_for(writer), jsonschema_rs.validator_for(reader)
    valid = [i for i in instances if write.is_valid(i)]
    return bool(valid) and all(read.is_valid(i) for i in valid)
