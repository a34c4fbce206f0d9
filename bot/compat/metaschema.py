"""Whether a schema is valid under its metaschema: JSON Schema 2020-12 by default, or the draft its ``$schema`` names.

The one check of validity (MG008 in ``modelgate lint``, and ``modelgate schema-diff`` before it compares): a
schema that names no metaschema is accepted when it is valid under 2020-12 or under draft-07's. Nothing is ever
fetched: a ``$schema`` modelgate does not know is judged as 2020-12.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

import jsonschema_rs

if TYPE_CHECKING:
    from jsonschema.exceptions import SchemaError
    from jsonschema.protocols import Validator


_KNOWN_METASCHEMAS = frozenset({
    "https://json-schema.org/draft/2020-12/schema", "https://json-schema.org/draft/2019-09/schema",
    "http://json-schema.org/draft-07/schema", "http://json-schema.org/draft-06/schema",
    "http://json-schema.org/draft-04/schema",
})


def _surely_valid(schema: dict[str, Any] | bool) -> bool:
    """jsonschema-rs's metaschema check, about a thousand times faster than jsonschema's.

    Used only to say yes quickly: a no (and every message) comes from jsonschema below. It is asked only
    about schemas that name no metaschema or a well-known one, because it would fetch any other.
    """
    declared = schema.get("$schema") if isinstance(schema, dict) else None
    if declared is not None and (not isinstance(declared, str) or declared.rstrip("#") not in _KNOWN_METASCHEMAS):
        return False
    try:
        return bool(jsonschema_rs.meta.is_valid(schema))
    except (ValueError, jsonschema_rs.ReferencingError):
        return False


def metaschema_error(schema: Any) -> SchemaError | None:
    """Why ``schema`` is not valid under its metaschema (the error's ``path`` and ``message``); None when it is."""
    if isinstance(schema, dict | bool) and _surely_valid(schema):
        return None
    from jsonschema import Draft7Validator, Draft202012Validator  # only when jsonschema-rs cannot say yes
    from jsonschema.exceptions import SchemaError
    from jsonschema.validators import validator_for

    if not isinstance(schema, dict | bool):
        return SchemaError(f"{schema!r} is not an object or a boolean")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # an unknown $schema falls back to the default
        # default=None: the stubs allow only a class, but validator_for returns the default as given when
        # $schema is absent or unknown, and None is how that is told here
        declared: type[Validator] | None = \
            validator_for(schema, default=None) if isinstance(schema, dict) else None  # type: ignore[arg-type]
    candidates: list[type[Validator]] = [declared] if declared is not None else [Draft202012Validator, Draft7Validator]
    first: SchemaError | None = None
    for validator in candidates:
        try:
            validator.check_schema(schema)  # type: ignore[arg-type]  # the stubs' protocol forgets boolean schemas
        except SchemaError as exc:
            first = first or exc
        else:
            return None
    return None if first is None else _plainer(first)


def _plainer(error: SchemaError) -> SchemaError:
    """Of a keyword the metaschema allows in several shapes (``anyOf``), what the shape the value comes closest to
    says of it: "'objekt' is not one of ['array', ...]" at ``/type`` rather than "'objekt' is not valid under any of
    the given schemas", "'nope' is not one of [...]" at ``/type/1`` for ``type: [string, nope]``."""
    if error.validator not in ("anyOf", "oneOf"):
        return error
    near = [sub for sub in error.context or () if sub.path or sub.validator != "type"]  # not another shape
    if not near:
        return error
    closest = max(near, key=lambda sub: len(sub.path))  # the first of the deepest
    error.message = closest.message
    error.path.extend(closest.path)
    return error
