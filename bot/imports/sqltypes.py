"""SQL column types into JSON Schema: a small table of base types per family, no SQL parser.

``json_schema_of(data_type)`` gives the JSON Schema keywords a column of that SQL type has (``type``, and
``format: date`` for a date; a timestamp is a string without a format, as writers spell it many ways), or ``None``
when the type is not in the table (the caller leaves the JSON type open and says so). The base type is read as the
compatibility engine reads it (:func:`bot.compat.sqltypes.base_type`: size, precision and scale dropped), then
aliases are resolved here:
``int4`` and ``integer`` are both a JSON integer, ``character varying`` and ``varchar`` both a string.
"""

from __future__ import annotations

import re
from typing import Any, Final

from bot.compat.sqltypes import base_type

_FAMILIES: Final[dict[str, tuple[str, ...]]] = {
    "integer": ("int", "integer", "int2", "int4", "int8", "int16", "int32", "int64", "int128", "smallint", "bigint",
                "tinyint", "mediumint", "byteint", "hugeint", "uhugeint", "utinyint", "usmallint", "uinteger",
                "ubigint", "serial", "serial4", "serial8", "bigserial", "smallserial", "long", "short",
                "signed", "unsigned", "uint8", "uint16", "uint32", "uint64"),
    "number": ("numeric", "decimal", "dec", "number", "bignumeric", "bigdecimal", "float", "float4", "float8",
               "float32", "float64", "real", "double", "double precision", "money", "smallmoney"),
    "boolean": ("bool", "boolean", "logical"),
    "string": ("text", "string", "varchar", "char", "character", "character varying", "nvarchar", "nchar", "bpchar",
               "national character", "national character varying", "varchar2", "nvarchar2", "clob", "nclob",
               "ntext", "tinytext", "mediumtext", "longtext", "citext", "name", "uuid", "uniqueidentifier",
               "binary", "varbinary", "bytea", "blob", "bytes", "long varchar", "interval", "time",
               "time without time zone", "time with time zone", "timetz", "inet", "cidr", "macaddr", "xml",
               "timestamp", "timestamp without time zone", "timestamp_ntz", "datetime", "datetime2", "smalldatetime",
               "timestamp_ltz", "timestamp with time zone", "timestamptz", "timestamp_tz", "datetimeoffset"),
    "date": ("date",),
    "object": ("object", "struct", "map", "record", "row"),
    "array": ("array", "list"),
    "any": ("json", "jsonb", "variant", "super", "any", "union"),
}
_FAMILY_OF: Final = {name: family for family, names in _FAMILIES.items() for name in names}
_SCHEMAS: Final[dict[str, dict[str, Any]]] = {
    "integer": {"type": "integer"}, "number": {"type": "number"}, "boolean": {"type": "boolean"},
    "string": {"type": "string"}, "date": {"type": "string", "format": "date"},
    "object": {"type": "object"},
    "array": {"type": "array"}, "any": {},
}
# ``bit`` is one bit (a boolean) as ``bit`` or ``bit(1)`` (postgres, MySQL; SQL Server's ``bit``); ``bit(n)`` is a
# string of n bits in postgres and an n-bit number in MySQL: no one JSON type, so it is left open (a notice).
_ONE_BIT: Final = re.compile(r"^\s*bit\s*(?:\(\s*1\s*\))?\s*$", re.IGNORECASE)
_HEAD: Final = re.compile(r"^([a-z_][a-z0-9_ ]*?)\s*(?:[<(].*)?$")  # struct<a int> -> struct; array(int) -> array


def json_schema_of(data_type: str) -> dict[str, Any] | None:
    """The JSON Schema keywords of a column of ``data_type`` (a fresh dict), or ``None`` for a type not known."""
    if _ONE_BIT.match(data_type):
        return {"type": "boolean"}
    base = base_type(data_type)
    if base.endswith("[]"):  # postgres: integer[], text[][]
        return {"type": "array"}
    match = _HEAD.match(base)
    family = _FAMILY_OF.get(match.group(1)) if match else None
    if family is None:
        return None
    return dict(_SCHEMAS[family])
