"""The repository configuration, ``.modelgate.yml`` (docs/manifests.md). Read from the base: it is trusted."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictInt,
    TypeAdapter,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from bot.result import SEVERITIES, Severity
from bot.rules import APPROVAL, RULE_ID_RE, catalog

CONFIG_PATH = ".modelgate.yml"
RuleSeverity = Literal[Severity, "off"]  # what ``rules:`` may set a rule to


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class ManifestGlobs(_Strict):
    include: list[str] = Field(default_factory=lambda: ["**/*.yaml", "**/*.yml"])
    exclude: list[str] = Field(default_factory=list)


class Limits(_Strict):
    max_manifest_bytes: StrictInt = Field(default=1_000_000, ge=1)
    max_depth: StrictInt = Field(default=64, ge=2)


class DeprecationDays(_Strict):
    stable: StrictInt = Field(default=90, ge=0)
    beta: StrictInt = Field(default=30, ge=0)
    alpha: StrictInt = Field(default=0, ge=0)


class ApprovalSettings(_Strict):
    """``transitive``: whether the owners of transitively impacted models are only listed (``notify``) or must
    approve too (``require``: MG302 for them, down to ``max_depth``, an impact's own depth: direct consumers are
    depth 1). ``max_depth`` bounds ``require`` and nothing else, so it is refused under ``notify``."""

    invalidate_on_push: bool = True
    allow_author: bool = False
    transitive: Literal["notify", "require"] = "notify"
    max_depth: StrictInt | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _bounds_require(self) -> ApprovalSettings:
        if self.max_depth is not None and self.transitive != "require":
            raise PydanticCustomError(
                "max_depth_without_require",
                "max_depth bounds `transitive: require`; under `transitive: notify` no transitive model "
                "is asked to approve, so it would do nothing (set `transitive: require`, or remove max_depth)",
                {"at": ("max_depth",)})
        return self

    def requires(self, depth: int) -> bool:
        """Whether the owners of a model impacted at ``depth`` (direct consumers: 1) must approve (MG302)."""
        if depth <= 1:
            return True
        return self.transitive == "require" and (self.max_depth is None or depth <= self.max_depth)


class RolloutSettings(_Strict):
    stages: list[str] = Field(default_factory=lambda: ["shadow", "canary", "production"], min_length=1)
    command_permission: Literal["read", "triage", "write", "maintain", "admin"] = "write"

    @field_validator("stages")
    @classmethod
    def _distinct(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("rollout stages must be distinct")
        return value


class CompatSettings(_Strict):
    """``compat``: how schema changes are judged beyond Confluent's keywords. ``format``: ``assert`` (a ``format`` a
    validator checks constrains what consumers parse, so adding or changing one breaks) or ``annotate``."""

    format: Literal["assert", "annotate"] = "assert"

    @property
    def format_assertion(self) -> bool:
        return self.format == "assert"


# A label: no comma, no control character, no whitespace at either end (GitHub would trim it: a label that never
# matches its own issue).
LABEL_PATTERN = r"^[^,\s\x00-\x1f\x7f-\x9f](?:[^,\x00-\x1f\x7f-\x9f]*[^,\s\x00-\x1f\x7f-\x9f])?$"


class CalendarSettings(_Strict):
    """``calendar``: the scheduled run's tracking issue of upcoming sunsets (docs/calendar.md). ``label`` marks the
    issue (no comma: GitHub's issue list takes labels comma-separated; no control character, no whitespace at
    either end); ``notify_days``: how many days before a
    sunset its remaining consumers are told, on the issue (the sunset day itself is always told);
    ``mention_owners``: whether those announcements @-mention the owners or only name them."""

    enabled: bool = True
    label: str = Field(default="modelgate-calendar", min_length=1, max_length=50, pattern=LABEL_PATTERN)
    notify_days: list[Annotated[StrictInt, Field(ge=1, le=3650)]] = Field(default_factory=lambda: [30, 7, 1],
                                                                          max_length=10)
    mention_owners: bool = True

    @field_validator("notify_days")
    @classmethod
    def _distinct_days(cls, value: list[int]) -> list[int]:
        if len(set(value)) != len(value):
            raise ValueError("notify_days must be distinct")
        return sorted(value, reverse=True)


def _severity(value: Any) -> Any:
    return "off" if value is False else value


Setting = Annotated[RuleSeverity, BeforeValidator(_severity)]
_SETTINGS: list[Any] = [*SEVERITIES[::-1], "off", False]  # what a severity may be written as (JSON Schema enum)


class Escalated(_Strict):
    """``rules: {MG201: {before: S, after: S}}``: the severity of a rule whose catalogue entry has an
    ``escalation`` (MG201: from the sunset day on), before it and after it. One side may be left out
    (``{after: warning}``): it keeps the catalogue's (before: the rule's severity; after: its escalation's)."""

    before: Setting | None = None
    after: Setting | None = None

    @model_validator(mode="after")
    def _one_side_at_least(self) -> Escalated:
        if self.before is None and self.after is None:
            raise ValueError("give `before`, `after` or both (each error, warning, notice or off)")
        return self

    @property
    def off(self) -> bool:
        return self.before == self.after == "off"


_SETTING: TypeAdapter[RuleSeverity] = TypeAdapter(Setting, config=ConfigDict(strict=True))


def _rule_setting(value: Any, _: ValidatorFunctionWrapHandler) -> RuleSeverity | Escalated:
    """A severity, ``off`` (``false``), or the mapping ``{before, after}``; a wrong value gets the one error of the
    form it was written in, not one per form of the union (the mapping is for escalating rules only:
    ``_known_ids``). A wrap validator that never calls the union's own: it keeps the union's serializer."""
    if isinstance(value, dict):
        return Escalated.model_validate(value)
    try:
        return _SETTING.validate_python(value)
    except ValidationError as exc:
        raise PydanticCustomError(
            "rule_setting", "expected a severity: error, warning, notice or off (false); a rule whose severity "
            "escalates ({rules}) also takes `{before: S, after: S}` (either side may be left out)",
            {"rules": ", ".join(escalating())}) from exc


RuleSetting = Annotated[RuleSeverity | Escalated, WrapValidator(_rule_setting)]


def escalating() -> list[str]:
    """The rules whose catalogue entry declares an ``escalation``: those ``rules:`` may give ``{before, after}``."""
    return [key for key, rule in catalog().items() if rule.escalation is not None]


def _rules_schema(schema: dict[str, Any]) -> None:
    """``rules:`` as JSON Schema (``modelgate schema --kind config``): the catalogue's ids, each to a severity or
    ``off`` (``false``), the approvals only to ``off``, the escalating rules also to ``{before, after}``, as
    ``_known_ids`` checks."""
    rules = catalog()
    schema["propertyNames"] = {"enum": list(rules)}
    schema["additionalProperties"] = {"enum": _SETTINGS}
    schema["properties"] = {key: {"enum": ["off", False]} for key, rule in rules.items() if rule.severity == APPROVAL}
    both = {"type": "object", "properties": {"before": {"enum": _SETTINGS}, "after": {"enum": _SETTINGS}},
            "anyOf": [{"required": ["before"]}, {"required": ["after"]}], "additionalProperties": False}
    schema["properties"].update({key: {"anyOf": [{"enum": _SETTINGS}, both]} for key in escalating()})


class Config(_Strict):
    manifests: ManifestGlobs = Field(default_factory=ManifestGlobs)
    limits: Limits = Field(default_factory=Limits)
    deprecation_days: DeprecationDays = Field(default_factory=DeprecationDays)
    compatibility_policy: Literal["strict", "lenient"] = "strict"
    rules: dict[str, RuleSetting] = Field(default_factory=dict, json_schema_extra=_rules_schema)
    approvals: ApprovalSettings = Field(default_factory=ApprovalSettings)
    compat: CompatSettings = Field(default_factory=CompatSettings)
    rollout: RolloutSettings = Field(default_factory=RolloutSettings)
    calendar: CalendarSettings = Field(default_factory=CalendarSettings)
    admins: list[str] = Field(default_factory=list)
    status_context: str = Field(default="modelgate", min_length=1, max_length=100)

    @field_validator("rules")
    @classmethod
    def _known_ids(cls, value: dict[str, RuleSeverity | Escalated]) -> dict[str, RuleSeverity | Escalated]:
        rules = catalog()
        problems = [
            ([key for key in value if not RULE_ID_RE.match(key)], "not a rule id: {keys} (rule ids look like MG101)"),
            ([key for key in value if key not in rules], "no rule {keys} in the catalogue (see `modelgate rules`)"),
            ([key for key, rule in rules.items() if rule.severity == APPROVAL and value.get(key, "off") != "off"],
             "{keys} can only be turned off: approvals have no severity"),
            ([key for key, setting in value.items() if isinstance(setting, Escalated) and key not in escalating()
              and rules[key].severity != APPROVAL],
             "{keys} takes one severity (error, warning, notice or off): `{before, after}` is only for a rule "
             "whose severity escalates (" + ", ".join(escalating()) + ")"),
        ]
        for keys, message in problems:
            if keys:  # ``at`` points the message at the first offending key, not at ``rules:``
                raise PydanticCustomError("rule_id", message, {"keys": ", ".join(keys), "at": (keys[0],)})
        return value

    def enabled(self, rule_id: str) -> bool:
        """Whether ``rule_id`` runs: every rule does unless ``rules:`` turns it ``off`` (before and after)."""
        setting = self.rules.get(rule_id)
        return not (setting == "off" or (isinstance(setting, Escalated) and setting.off))

    def severity(self, rule_id: str, found: Severity, escalated: bool = False) -> RuleSeverity:
        """The severity of a finding of ``rule_id`` found with ``found`` under ``rules:`` (``off``: dropped).
        ``{before, after}`` sets it before the rule's escalation and after; a single severity replaces the
        catalogue's, except on an ``escalated`` finding (MG201 from the sunset day on), which keeps its
        escalation: ``MG201: warning`` warns until the sunset, then fails."""
        setting = self.rules.get(rule_id)
        if isinstance(setting, Escalated):  # a side left out keeps what the rule found (its catalogue severity)
            side = setting.after if escalated else setting.before
            return found if side is None else side
        if setting is None or (escalated and setting != "off"):
            return found
        return setting

    def window_days(self, stability: str) -> int:
        return int(getattr(self.deprecation_days, stability))
