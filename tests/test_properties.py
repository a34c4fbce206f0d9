"""Properties on generated hostile input (hypothesis; bounded example counts, a few seconds each).

- the YAML reader and the manifest parser raise nothing but their documented errors, on any bytes, any text
  and on structured-but-wrong manifests, and every finding points at a line inside the file;
- the schema comparison never raises on JSON-ish schemas, whatever their keywords hold ($ref to missing,
  remote or ``file:`` targets, cycles, wrong types);
- the ``/rollout`` parser answers every text with nothing, a command or a refusal;
- the PR comment renderer, fed hostile strings everywhere, stays under 60,000 characters, starts with the
  marker, and shows no raw HTML and no live mention.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.compat import MODES, POLICIES, compare
from bot.manifests.models import NAME_RE
from bot.manifests.parse import parse_manifest
from bot.manifests.yamlread import YamlError, read_yaml
from bot.report import MARKER, render_comment
from bot.result import Approval, AuditEntry, Change, Finding, Impacted, Result
from bot.rollout.parse import FIXED_VERBS, PREFIX, Command, Refusal, parse

BOUNDED = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FEW = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
STAGES = ("shadow", "canary", "production")
OWN_HTML = re.compile(r"</?(?:details|summary|sub|code)>|<!-- modelgate:report -->")
LIVE_MENTION = re.compile(r"(?<![\w`])@[A-Za-z0-9]")
FENCED = re.compile(r"^```.*?^```", re.M | re.S)

# Text that tries everything: markdown, HTML, mentions, links, control and bidi characters, the marker.
NASTY = st.sampled_from([
    "@everyone", "@acme/admins", "<script>alert(1)</script>", "<img src=x onerror=alert(1)>",
    "<!-- modelgate:report -->",
    "[x](javascript:alert(1))", "![i](http://evil/x.png)", "| a | b |", "`code`", "**b**", "\n# heading\n", "\r\n",
    "\x1b[31m", "\x00", "\u202e", "\u200b", "https://evil.example", "www.evil.example", "&amp;", "--> ", "```",
    "<details>", "</details>", "\\", "%0A", "::error::", "a" * 300,
])
HOSTILE_TEXT = st.lists(st.one_of(NASTY, st.text(max_size=20)), max_size=6).map("".join)


def _yaml_line_count(text: str) -> int:
    return max(1, len(text.splitlines()))


def _assert_manifest_outcome(data: bytes) -> None:
    manifest, findings = parse_manifest("models/x.yaml", "0" * 40, data)
    assert (manifest is None) == bool(findings)
    try:
        lines = _yaml_line_count(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        lines = data.count(b"\n") + 1
    for finding in findings:
        assert finding.rule == "MG001" and finding.file == "models/x.yaml"
        assert finding.line is None or 1 <= finding.line <= lines, (finding, lines)
        assert finding.message and len(finding.message) < 1000


# --- the YAML reader and the manifest parser ----------------------------------------------------------------

YAML_BITS = st.sampled_from([
    "apiVersion: modelgate/v1\n", "kind: Model\n", "kind: Contract\n", "metadata:\n", "  name: x\n", "spec:\n",
    "  version: 1.0\n", "- ", "  - ", ": ", "&a ", "*a ", "<<: *a\n", "!!int ", "!!python/object:os.system ",
    "{", "}", "[", "]", "'", '"', "---\n", "...\n", "\t", "\r\n", "\ufeff", "\x00", "on: ", "? ", "|\n", ">-\n",
    "%YAML 1.1\n", "!!binary ", "2026-02-30", ".nan", "1e999", "0x", "~", "#", "\n",
])
YAML_TEXT = st.lists(st.one_of(YAML_BITS, st.text(max_size=8)), max_size=30).map("".join)


@BOUNDED
@given(YAML_TEXT)
def test_read_yaml_raises_only_yaml_error(text):
    try:
        read_yaml(text, max_depth=8, max_nodes=500, want_lines=True)
    except YamlError as exc:
        assert exc.line is None or 1 <= exc.line <= _yaml_line_count(text)


@BOUNDED
@given(st.binary(max_size=400))
def test_parse_manifest_on_any_bytes(data):
    _assert_manifest_outcome(b"apiVersion: modelgate/v1\n" + data)


@BOUNDED
@given(YAML_TEXT)
def test_parse_manifest_on_yaml_looking_text(text):
    _assert_manifest_outcome(text.encode("utf-8", "surrogatepass"))


JSONISH = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-10**30, 10**30), st.floats(allow_nan=True), st.text(max_size=12),
              st.dates(), st.sampled_from(["1.0.0", "modelgate/v1", "@acme/x", "x", "active", "deprecated"])),
    lambda children: st.one_of(st.lists(children, max_size=3),
                               st.dictionaries(st.sampled_from(["name", "owners", "version", "schema", "status",
                                                                "contract", "versions", "slo", "fallback", "x"]),
                                               children, max_size=3)),
    max_leaves=10,
)


@st.composite
def wrong_manifests(draw: st.DrawFn) -> dict[str, Any]:
    """Mappings shaped like a manifest whose parts hold anything."""
    doc: dict[str, Any] = {"apiVersion": "modelgate/v1", "kind": draw(st.sampled_from(["Model", "Contract", "Other"]))}
    for key in draw(st.lists(st.sampled_from(["metadata", "spec", "status", "extra"]), unique=True, max_size=4)):
        doc[key] = draw(JSONISH)
    if draw(st.booleans()):
        doc["metadata"] = {"name": draw(st.one_of(st.text(max_size=70), JSONISH)), "owners": draw(JSONISH)}
    return doc


@BOUNDED
@given(wrong_manifests())
def test_parse_manifest_on_structured_but_wrong_yaml(doc):
    _assert_manifest_outcome(yaml.safe_dump(doc, allow_unicode=True).encode())


# --- the schema comparison ---------------------------------------------------------------------------------

REFS = st.sampled_from(["#", "#/$defs/a", "#/$defs/missing", "#/properties/a", "https://evil.example/s.json",
                        "file:///etc/passwd", "other.json#/x", "#/definitions/%ZZ", "#/$defs/a/properties/a", ""])
KEYWORD_VALUES = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.floats(allow_nan=True),
                           st.sampled_from(["string", "object", "array", "number", "integer", "null", "nope"]),
                           st.lists(st.sampled_from(["string", "a", 1, None]), max_size=3))


def _schema_nodes(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    names = st.sampled_from(["a", "b", "$ref", "~1", "a/b"])
    return st.one_of(
        st.fixed_dictionaries({"type": st.just("object"), "properties": st.dictionaries(names, children, max_size=3)},
                              optional={"required": st.lists(names, max_size=2), "additionalProperties": children,
                                        "$defs": st.dictionaries(st.just("a"), children, max_size=1)}),
        st.fixed_dictionaries({"items": children}, optional={"type": st.just("array"),
                                                             "prefixItems": st.lists(children, max_size=2)}),
        st.fixed_dictionaries({"$ref": REFS}, optional={"$defs": st.dictionaries(st.just("a"), children, max_size=1)}),
        st.builds(lambda k, v: {k: v}, st.sampled_from(["allOf", "anyOf", "oneOf"]), st.lists(children, max_size=3)),
        st.builds(lambda v: {"not": v}, children),
        st.dictionaries(st.sampled_from(["type", "enum", "const", "minimum", "maxLength", "properties", "items",
                                         "required", "additionalProperties", "allOf", "$ref", "format", "pattern"]),
                        KEYWORD_VALUES, max_size=4),  # keywords holding the wrong types
    )


SCHEMAS = st.recursive(st.one_of(st.booleans(), st.just({}), st.builds(lambda t: {"type": t}, KEYWORD_VALUES)),
                       _schema_nodes, max_leaves=10)


@BOUNDED
@given(SCHEMAS, SCHEMAS, st.sampled_from(MODES), st.sampled_from(POLICIES))
def test_compare_never_raises_on_jsonish_schemas(old, new, mode, policy):
    result = compare(old, new, mode=mode, policy=policy)
    assert result.compatible == all(c.compatible for c in result.changes)
    assert all(c.path.startswith("#") for c in result.changes)


# --- the /rollout command parser ---------------------------------------------------------------------------

WORDS = st.sampled_from([*STAGES, *FIXED_VERBS, "scorer", "router", "--percent", "--reason", "--note", "50", "101",
                         "-1", "MG101", "MG9", '"', "'", "\\", ";", "$(id)", "`id`", "@everyone", "<b>", "\x00",
                         "\x1b", "\t", "\u200b", "\r", "\n", " "])
COMMENTS = st.builds(lambda lead, words, tail: lead + " ".join(words) + tail,
                     st.sampled_from([PREFIX + " ", PREFIX, " " + PREFIX + " ", "/Rollout ", "", "\ufeff" + PREFIX]),
                     st.lists(st.one_of(WORDS, st.text(max_size=6)), max_size=8), st.text(max_size=20))


@BOUNDED
@given(COMMENTS)
def test_the_command_parser_answers_every_text(body):
    parsed = parse(body, STAGES)
    assert parsed is None or isinstance(parsed, Command | Refusal)
    if isinstance(parsed, Command):
        assert parsed.verb in (*STAGES, *FIXED_VERBS)
        assert all(NAME_RE.match(m) for m in parsed.models)
        assert parsed.percent is None or 1 <= parsed.percent <= 100
    if isinstance(parsed, Refusal):
        assert parsed.reason and len(parsed.line) <= 120
        assert not any(unicodedata.category(ch) == "Cc" for ch in parsed.line)


# --- the PR comment renderer -------------------------------------------------------------------------------

OWNERS = st.lists(st.one_of(NASTY, st.just("@alice"), st.just("@acme/risk")), max_size=3).map(tuple)


@st.composite
def hostile_results(draw: st.DrawFn) -> Result:
    text = HOSTILE_TEXT
    findings = [Finding(draw(st.sampled_from(["MG001", "MG101", "MG201", "MG005"])),
                        draw(st.sampled_from(["error", "warning", "notice"])), draw(text), draw(text),
                        draw(st.integers(1, 10**6)), draw(text))
                for _ in range(draw(st.integers(0, 12)))] * draw(st.integers(1, 300))  # repeated: size, cheaply
    changes = [Change(draw(text), "schema", draw(text), draw(text), draw(st.booleans()), draw(text), draw(text), 3)
               for _ in range(draw(st.integers(0, 6)))] * draw(st.integers(1, 20))
    direct = [Impacted(draw(text), draw(OWNERS), 1, (draw(text), draw(text)), draw(text), (draw(text),))
              for _ in range(draw(st.integers(0, 6)))] * draw(st.integers(1, 10))
    approvals = [Approval("MG302", draw(text), draw(OWNERS), draw(text), draw(st.booleans()), draw(OWNERS), draw(text))
                 for _ in range(draw(st.integers(0, 6)))] * draw(st.integers(1, 5))
    audit = [AuditEntry(draw(text), "2026-11-28T10:00:00Z", draw(text), "refused", draw(text))
             for _ in range(draw(st.integers(0, 5)))]
    return Result(draw(st.sampled_from(["pass", "pending", "fail"])), draw(text), draw(text), date(2026, 11, 28),
                  findings=findings, changes=changes, direct=direct, transitive=direct[:5], approvals=approvals,
                  audit=audit, notes=[draw(text)], stages={draw(text): draw(text)})


@FEW
@given(hostile_results())
def test_the_comment_is_bounded_marked_and_inert(result):
    body = render_comment(result)
    assert len(body) <= 60_000
    assert body.startswith(MARKER) and body.count(MARKER) == 1
    shown = OWN_HTML.sub("", body)
    assert "<" not in shown
    outside_code = FENCED.sub("", shown)  # GitHub notifies no one from a code block (the mermaid graph)
    assert not LIVE_MENTION.search(outside_code), LIVE_MENTION.search(outside_code)
    assert not set(shown) & {"\x00", "\x1b"}

