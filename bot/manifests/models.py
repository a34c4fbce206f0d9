"""Typed models of the two manifest kinds (docs/manifests.md). Strict: an unknown field is an error.

Owner syntax is deliberately *not* validated here: a malformed owner is MG007, not MG001, so
``bot.owners`` checks it. Everything else about shape and type is MG001 and lives here.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictInt,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic.config import JsonValue
from pydantic_core import PydanticCustomError

NAME_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}\Z")  # \Z: "$" would let a trailing newline in
SEMVER_RE = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?\Z"
)
API_VERSION = "modelgate/v1"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


def _name(value: Any) -> Any:
    if isinstance(value, str) and not NAME_RE.match(value):
        raise ValueError(
            f"{value[:80]!r}{'…' if len(value) > 80 else ''} is not a valid name: lower-case letters, digits and "
            "'-', starting with a letter or digit, at most 63 characters"
        )
    return value


def _date(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) else value
        except ValueError as exc:
            raise ValueError(f"{value!r} is not a calendar date (YYYY-MM-DD)") from exc
    if isinstance(value, dt.datetime):  # YAML reads 2026-12-20T10:00:00Z (or "2026-12-20 10:00") as a timestamp
        raise ValueError(f"{value.isoformat()!r} is a timestamp: write a date (YYYY-MM-DD), not a timestamp")
    return value


def _number(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("expected a number, not a boolean")
    return value


def json_pattern(regex: re.Pattern[str]) -> str:
    """``regex`` (anchored with ``^`` and ``\\Z``) as JSON Schema writes it: ECMA-262's ``$`` ends only the string."""
    return regex.pattern.removesuffix(r"\Z") + "$"


def _present(*keys: str) -> list[JsonValue]:
    """JSON Schema for "``key`` is given, and not null", one subschema per key (the validators' None is absent)."""
    return [{"required": [key], "properties": {key: {"not": {"type": "null"}}}} for key in keys]


# What the validators below check, as JSON Schema too (``modelgate schema``), so that an editor flags it as well
Name = Annotated[str, BeforeValidator(_name), WithJsonSchema({"type": "string", "pattern": json_pattern(NAME_RE)})]
Day = Annotated[dt.date, BeforeValidator(_date),
                WithJsonSchema({"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"})]
Number = Annotated[float, BeforeValidator(_number)]
Owners = list[str]


class Metadata(Strict):
    name: Name
    owners: Owners | None = None
    description: str | None = None
    labels: dict[str, str] | None = None


class ModelMetadata(Metadata):
    tier: Literal["critical", "high", "standard", "experimental"] = "standard"


class Consume(Strict):
    contract: Name
    version: StrictInt = Field(ge=1)
    fields: list[str] | None = None


class Provide(Strict):
    contract: Name
    version: StrictInt = Field(ge=1)


class Bound(Strict):
    model_config = ConfigDict(json_schema_extra={"anyOf": _present("min", "max", "max_delta")})

    min: Number | None = None
    max: Number | None = None
    max_delta: Number | None = None

    @model_validator(mode="after")
    def _one_bound(self) -> Bound:
        if self.min is None and self.max is None and self.max_delta is None:
            raise ValueError("a gate needs at least one of min, max, max_delta")
        return self


class Rollout(Strict):
    stages: list[Name] | None = None
    gates: dict[str, dict[str, Bound]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _gates_name_stages(self) -> Rollout:
        if self.stages is not None:
            if len(set(self.stages)) != len(self.stages):
                raise ValueError("rollout stages must be distinct")
            unknown = sorted(set(self.gates) - set(self.stages))
            if unknown:
                raise ValueError(f"gates for stages not in rollout.stages: {', '.join(unknown)}")
        return self


class ModelSpec(Strict):
    version: Annotated[str, Field(json_schema_extra={"pattern": json_pattern(SEMVER_RE)})]
    consumes: list[Consume] = Field(default_factory=list)
    provides: list[Provide] = Field(default_factory=list)
    rollout: Rollout | None = None

    @field_validator("version", mode="before")
    @classmethod
    def _semver(cls, value: Any) -> Any:
        if isinstance(value, float | int) and not isinstance(value, bool):
            raise ValueError(
                f"version {value!r} was read as a number; quote it as a string, e.g. \"{value}.0\""
                if isinstance(value, float) else f"version {value!r} was read as a number; quote it"
            )
        if isinstance(value, str) and not SEMVER_RE.match(value):
            raise ValueError(f"{value!r} is not a semantic version (MAJOR.MINOR.PATCH)")
        return value

    @property
    def major(self) -> int:
        return int(self.version.split(".", 1)[0])


class Model(Strict):
    """A model: anything that produces or reads data under a contract (a feature pipeline, a scorer, a router, a
    dashboard), the contract versions it consumes and provides, and its staged rollout."""

    apiVersion: Literal["modelgate/v1"]
    kind: Literal["Model"]
    metadata: ModelMetadata
    spec: ModelSpec


class Slo(Strict):
    latency_p99_ms: Number | None = Field(default=None, ge=0)
    availability: Number | None = Field(default=None, ge=0, le=1)
    freshness_s: Number | None = Field(default=None, ge=0)


class Fallback(Strict):
    model_config = ConfigDict(json_schema_extra={
        "if": {"properties": {"strategy": {"const": "default_value"}}}, "then": {"allOf": _present("value")}})

    strategy: Literal["default_value", "last_known_good", "skip", "fail"]
    value: Any = None
    when: list[Literal["timeout", "error", "unavailable"]] = Field(default_factory=list)

    @model_validator(mode="after")
    def _value_for_default(self) -> Fallback:
        if self.strategy == "default_value" and self.value is None:
            raise ValueError("fallback strategy default_value needs a value")
        return self


class Deprecation(Strict):
    announced: Day | None = None
    sunset: Day | None = None
    replacement: StrictInt | None = None
    migration: str | None = None


class Drift(Strict):
    psi_max: dict[str, Annotated[Number, Field(ge=0)]] = Field(default_factory=dict)


class Quality(Strict):
    min_records: StrictInt | None = Field(default=None, ge=0)
    null_rate_max: dict[str, Number] = Field(default_factory=dict)
    drift: Drift | None = None

    @field_validator("null_rate_max")
    @classmethod
    def _rates(cls, value: dict[str, float]) -> dict[str, float]:
        for key, rate in value.items():
            if not 0 <= rate <= 1:
                raise ValueError(f"null_rate_max.{key} must be between 0 and 1")
        return value


class ContractVersion(Strict):
    version: StrictInt = Field(ge=1)
    status: Literal["active", "deprecated", "retired"] = "active"
    stability: Literal["alpha", "beta", "stable"] = "stable"
    schema_: dict[str, Any] | bool | None = Field(default=None, alias="schema")
    schema_ref: str | None = None
    slo: Slo | None = None
    fallback: Fallback | None = None
    deprecation: Deprecation | None = None
    quality: Quality | None = None

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, populate_by_name=True,
                              json_schema_extra={"oneOf": _present("schema", "schema_ref")})

    @model_validator(mode="after")
    def _one_schema(self) -> ContractVersion:
        if (self.schema_ is None) == (self.schema_ref is None):
            raise ValueError("give exactly one of schema or schema_ref")
        return self


class ContractCompat(Strict):
    """``spec.compat``: this contract's own ``compat`` settings; one it leaves out is the configuration's."""

    format: Literal["assert", "annotate"] | None = None


class ContractSpec(Strict):
    compatibility: Literal["forward", "backward", "full"] = "forward"
    compat: ContractCompat = Field(default_factory=ContractCompat)
    versions: list[ContractVersion] = Field(min_length=1)

    @field_validator("versions")
    @classmethod
    def _distinct(cls, value: list[ContractVersion]) -> list[ContractVersion]:
        seen: set[int] = set()
        for index, v in enumerate(value):
            if v.version in seen:  # ``at`` points the message at the second entry, not at ``versions:``
                raise PydanticCustomError("duplicate_version", "version {version} is listed twice",
                                          {"version": v.version, "at": (index, "version")})
            seen.add(v.version)
        return value


class Contract(Strict):
    """A contract: the records one model hands to others, version by version (a JSON Schema per version, service
    levels, a fallback, deprecation, data quality)."""

    apiVersion: Literal["modelgate/v1"]
    kind: Literal["Contract"]
    metadata: Metadata
    spec: ContractSpec

    def version(self, number: int) -> ContractVersion | None:
        return self._by_number.get(number)

    @cached_property
    def _by_number(self) -> dict[int, ContractVersion]:
        return {v.version: v for v in self.spec.versions}


KINDS: dict[str, type[Model] | type[Contract]] = {"Model": Model, "Contract": Contract}
