"""``bot.compat.keywords``: numeric keywords that are no numbers never break the diff (invalid schemas, MG008
elsewhere); bounds judged by the bound they imply; an asserted ``format``; annotations that never break."""

import json
import random
from typing import Any

import jsonschema_rs
import pytest

from bot.compat import compare
from bot.compat.model import ASSERTED_FORMATS
from bot.compat.patterns import options


@pytest.mark.parametrize(("old", "new"), [
    ({"maxLength": False}, {"maxLength": "string"}),
    ({"minimum": "a"}, {"minimum": [1]}),
    ({"maxItems": None}, {"maxItems": True}),
])
def test_a_bound_that_is_no_number_reads_as_absent(old, new):
    assert [c.type for c in compare(old, new).changes] == []


def test_a_multiple_of_that_is_zero_or_negative_reads_as_absent():
    result = compare({"type": "number", "multipleOf": 0}, {"type": "number", "multipleOf": 2})
    assert [(c.type, c.path, c.compatible) for c in result.changes] == [("MULTIPLE_OF_ADDED", "#/multipleOf", False)]
    assert compare({"type": "number", "multipleOf": -1}, {"type": "number"}).changes == []


def test_numbers_still_compare():
    assert [c.type for c in compare({"maxLength": 3}, {"maxLength": 5}).changes] == ["MAX_LENGTH_INCREASED"]


def test_a_schema_nested_too_deeply_is_refused_with_a_clear_error_not_a_recursion_error():
    deep: dict = {"type": "object"}
    for _ in range(400):
        deep = {"type": "object", "properties": {"a": deep}}
    with pytest.raises(ValueError, match="nested deeper than 200 levels"):
        compare(deep, {"type": "object"})
    shallow = {"type": "object", "properties": {"a": {"type": "string"}}}
    assert compare(shallow, shallow).changes == []


# ---- Issue 14: a number's bounds judged by the bound its keywords imply; `format` asserted; annotations. ----
# Each verdict is checked with a real validator (jsonschema-rs, formats asserted): an instance valid under the
# writer and invalid under the reader is a counterexample; a compatible verdict must have none among the probes.

D4 = "http://json-schema.org/draft-04/schema#"
D2020 = "https://json-schema.org/draft/2020-12/schema"
NUMBERS = [x / 2 for x in range(-2, 45)]  # -1 to 22 by halves: both sides of every bound below
STRINGS = ["", "x", "not a value", "2024-02-29", "2024-02-29T12:00:00Z", "12:00:00Z", "P1D", "a@example.com",
           "example.com", "192.0.2.1", "2001:db8::1", "https://example.com/a", "/a/b", "0/a", "{a}", "^a+$", "(",
           "123e4567-e89b-12d3-a456-426614174000"]


def validator(schema: Any, *, formats: bool = True) -> Any:
    return jsonschema_rs.validator_for(schema, validate_formats=formats, pattern_options=options())


def counterexamples(writer: Any, reader: Any, probes: list[Any], *, formats: bool = True) -> list[Any]:
    """The probes valid under ``writer`` and rejected by ``reader`` (what breaks a reader holding ``reader``)."""
    w, r = validator(writer, formats=formats), validator(reader, formats=formats)
    return [p for p in probes if w.is_valid(p) and not r.is_valid(p)]


def number(**kw: Any) -> dict[str, Any]:
    return {"type": "number", **kw}


def integer(**kw: Any) -> dict[str, Any]:
    return {"type": "integer", **kw}


def draft4(**kw: Any) -> dict[str, Any]:
    return {"$schema": D4, "type": "number", **kw}


# (writer, reader, the reported changes): a compatible row's reverse is in the list too, as a breaking row.
BOUND_ROWS = [
    # draft-06+ numeric exclusive bound -> inclusive bound at the same value: every x > 10 has x >= 10
    (number(exclusiveMinimum=10), number(minimum=10), ["EXCLUSIVE_MINIMUM_REMOVED"]),
    (number(minimum=10), number(exclusiveMinimum=10), ["MINIMUM_REMOVED", "EXCLUSIVE_MINIMUM_ADDED"]),
    (number(exclusiveMaximum=10), number(maximum=10), ["EXCLUSIVE_MAXIMUM_REMOVED"]),
    (number(maximum=10), number(exclusiveMaximum=10), ["MAXIMUM_REMOVED", "EXCLUSIVE_MAXIMUM_ADDED"]),
    # draft-04's boolean flag on the bound, to an inclusive bound at the same value or below
    (draft4(minimum=10, exclusiveMinimum=True), draft4(minimum=10), ["EXCLUSIVE_MINIMUM_REMOVED"]),
    (draft4(minimum=10), draft4(minimum=10, exclusiveMinimum=True), ["MINIMUM_REMOVED", "EXCLUSIVE_MINIMUM_ADDED"]),
    (draft4(minimum=10, exclusiveMinimum=True), draft4(minimum=5), ["EXCLUSIVE_MINIMUM_REMOVED"]),
    (draft4(minimum=5), draft4(minimum=10, exclusiveMinimum=True), ["MINIMUM_REMOVED", "EXCLUSIVE_MINIMUM_ADDED"]),
    (draft4(maximum=10, exclusiveMaximum=True), draft4(maximum=10), ["EXCLUSIVE_MAXIMUM_REMOVED"]),
    (draft4(maximum=10), draft4(maximum=10, exclusiveMaximum=True), ["MAXIMUM_REMOVED", "EXCLUSIVE_MAXIMUM_ADDED"]),
    (draft4(maximum=10, exclusiveMaximum=True), draft4(maximum=15), ["EXCLUSIVE_MAXIMUM_REMOVED"]),
    (draft4(maximum=15), draft4(maximum=10, exclusiveMaximum=True), ["MAXIMUM_REMOVED", "EXCLUSIVE_MAXIMUM_ADDED"]),
    # across the two forms: an inclusive bound to a looser exclusive one, and back
    (number(maximum=10), number(exclusiveMaximum=11), ["MAXIMUM_REMOVED"]),
    (number(exclusiveMaximum=11), number(maximum=10), ["MAXIMUM_ADDED", "EXCLUSIVE_MAXIMUM_REMOVED"]),
    (number(minimum=10), number(exclusiveMinimum=9), ["MINIMUM_REMOVED"]),
    (number(exclusiveMinimum=9), number(minimum=10), ["MINIMUM_ADDED", "EXCLUSIVE_MINIMUM_REMOVED"]),
    # over the integers, x > 9 and x >= 10 are the same set (both ways compatible); x >= 9.5 is x >= 10
    (integer(exclusiveMinimum=9), integer(minimum=10), ["EXCLUSIVE_MINIMUM_REMOVED"]),
    (integer(minimum=10), integer(exclusiveMinimum=9), ["MINIMUM_REMOVED"]),
    (integer(exclusiveMaximum=11), integer(maximum=10), ["EXCLUSIVE_MAXIMUM_REMOVED"]),
    (integer(maximum=10), integer(exclusiveMaximum=11), ["MAXIMUM_REMOVED"]),
    (integer(minimum=9.5), integer(minimum=10), []),
    (integer(minimum=10), integer(minimum=9.5), ["MINIMUM_DECREASED"]),
    (integer(exclusiveMinimum=9), integer(exclusiveMinimum=10), ["EXCLUSIVE_MINIMUM_INCREASED"]),
    # an integer writer read as a number: the integers above 9 are all at least 10
    (integer(exclusiveMinimum=9), number(minimum=10), ["TYPE_EXTENDED", "EXCLUSIVE_MINIMUM_REMOVED"]),
    (number(minimum=10), integer(exclusiveMinimum=9), ["TYPE_NARROWED", "MINIMUM_REMOVED"]),
    # both keywords on one side: the tighter one is the bound
    (number(minimum=5, exclusiveMinimum=10), number(minimum=10), ["EXCLUSIVE_MINIMUM_REMOVED"]),
    (number(minimum=10), number(minimum=5, exclusiveMinimum=10), ["MINIMUM_DECREASED", "EXCLUSIVE_MINIMUM_ADDED"]),
    (number(minimum=12, exclusiveMinimum=5), number(minimum=12, exclusiveMinimum=8), []),  # 5 and 8 never bind
    (number(minimum=12, exclusiveMinimum=8), number(minimum=10, exclusiveMinimum=8), ["MINIMUM_DECREASED"]),
    (number(minimum=10, exclusiveMinimum=8), number(minimum=12, exclusiveMinimum=8), ["MINIMUM_INCREASED"]),
    (number(maximum=3, exclusiveMaximum=10), number(maximum=3, exclusiveMaximum=20), ["EXCLUSIVE_MAXIMUM_INCREASED"]),
    (number(maximum=3, exclusiveMaximum=10), number(maximum=5, exclusiveMaximum=4), ["MAXIMUM_INCREASED"]),
    (number(maximum=5, exclusiveMaximum=4), number(maximum=3, exclusiveMaximum=10), ["MAXIMUM_DECREASED",
                                                                                   "EXCLUSIVE_MAXIMUM_INCREASED"]),
    # Confluent's own readings stay: a bound added, removed, raised or lowered alone
    (number(), number(exclusiveMinimum=10), ["EXCLUSIVE_MINIMUM_ADDED"]),
    (number(exclusiveMinimum=10), number(), ["EXCLUSIVE_MINIMUM_REMOVED"]),
    (number(minimum=10), number(minimum=11), ["MINIMUM_INCREASED"]),
    (number(maximum=11), number(maximum=10), ["MAXIMUM_DECREASED"]),
]


@pytest.mark.parametrize(("writer", "reader", "types"), BOUND_ROWS)
def test_a_bound_is_judged_by_the_bound_its_keywords_imply(writer, reader, types):
    result = compare(writer, reader)
    assert [c.type for c in result.changes] == types
    found = counterexamples(writer, reader, NUMBERS)
    assert result.compatible is not found, f"counterexamples {found}"


def test_the_bound_rows_come_in_both_directions_and_with_both_verdicts():
    verdicts = {(json.dumps(w, sort_keys=True), json.dumps(r, sort_keys=True)): compare(w, r).compatible
                for w, r, _ in BOUND_ROWS}
    assert {True, False} <= set(verdicts.values())
    reversed_pairs = sum((r, w) in verdicts for w, r in verdicts)
    assert reversed_pairs >= 24


def test_a_bound_of_yaml_infinity_is_judged_keyword_by_keyword():
    inf = float("inf")
    assert [c.type for c in compare(number(minimum=-inf), number(exclusiveMinimum=0)).changes] == [
        "MINIMUM_REMOVED", "EXCLUSIVE_MINIMUM_ADDED"]
    assert not compare(number(maximum=inf), number(maximum=5)).compatible


def test_a_bound_change_nested_in_a_property_is_located_there():
    old = {"type": "object", "properties": {"score": number(exclusiveMinimum=0)}}
    new = {"type": "object", "properties": {"score": number(minimum=0)}}
    result = compare(old, new, "full")
    assert [(c.type, c.path, c.compatible, c.direction) for c in result.changes] == [
        ("EXCLUSIVE_MINIMUM_REMOVED", "#/properties/score/exclusiveMinimum", True, "backward"),
        ("MINIMUM_REMOVED", "#/properties/score/minimum", True, "forward"),
        ("EXCLUSIVE_MINIMUM_ADDED", "#/properties/score/exclusiveMinimum", False, "forward")]
    assert counterexamples(new, old, [{"score": 0}]) == [{"score": 0}]


def string(**kw: Any) -> dict[str, Any]:
    return {"type": "string", **kw}


FORMAT_ROWS = [
    (string(), string(format="date"), ["FORMAT_ADDED"]),
    (string(format="date"), string(), ["FORMAT_REMOVED"]),
    (string(format="date-time"), string(format="date"), ["FORMAT_CHANGED"]),
    (string(format="date"), string(format="date-time"), ["FORMAT_CHANGED"]),
    (string(format="email"), string(format="uuid"), ["FORMAT_CHANGED"]),
    (string(), string(format="x-unknown-format"), []),  # a format no validator checks is an annotation
    (string(format="x-unknown-format"), string(format="ipv4"), ["FORMAT_ADDED"]),
    ({"format": "date"}, {}, []),  # without a type, format constrains strings only: removing it widens
    ({"type": ["string", "null"]}, {"type": ["string", "null"], "format": "uuid"}, ["FORMAT_ADDED"]),
]


@pytest.mark.parametrize(("writer", "reader", "types"), FORMAT_ROWS)
def test_an_asserted_format_narrows_what_a_reader_accepts(writer, reader, types):
    result = compare(writer, reader)
    assert [c.type for c in result.changes] == types
    found = counterexamples(writer, reader, STRINGS)
    assert result.compatible is not found, f"counterexamples {found}"


@pytest.mark.parametrize(("writer", "reader", "types"), FORMAT_ROWS)
def test_under_annotate_a_format_is_never_a_change(writer, reader, types):
    for mode in ("backward", "forward", "full"):
        result = compare(writer, reader, mode, format_assertion=False)
        assert (result.compatible, [c.type for c in result.changes if c.type.startswith("FORMAT")]) == (True, [])
    assert counterexamples(writer, reader, STRINGS, formats=False) == []


@pytest.mark.parametrize("name", sorted(ASSERTED_FORMATS))
def test_every_asserted_format_is_one_a_validator_checks_and_adding_it_breaks(name):
    writer, reader = string(), string(format=name)
    assert counterexamples(writer, reader, ["not a value", "(", "{"]), f"{name} is not checked by jsonschema-rs"
    assert [(c.type, c.path, c.compatible) for c in compare(writer, reader).changes] == [
        ("FORMAT_ADDED", "#/format", False)]
    assert [(c.type, c.compatible) for c in compare(reader, writer).changes] == [("FORMAT_REMOVED", True)]


DRAFT_04 = "http://json-schema.org/draft-04/schema#"
DRAFT_2020 = "https://json-schema.org/draft/2020-12/schema"


def test_a_format_an_older_draft_does_not_check_is_an_annotation_there():
    """draft-04 defines no ``uuid``: its validator accepts "abc", so moving to 2020-12 asserts a new format."""
    old = {"$schema": DRAFT_04, "type": "object", "properties": {"id": string(format="uuid")}}
    new = {**old, "$schema": DRAFT_2020}
    assert counterexamples(old, new, [{"id": "abc"}]) == [{"id": "abc"}]
    assert [(c.type, c.path, c.compatible) for c in compare(old, new).changes] == [
        ("FORMAT_ADDED", "#/properties/id/format", False)]
    assert compare(new, old).compatible
    same_draft = {**old, "properties": {"id": string(format="date-time")}}  # draft-04 checks date-time
    assert compare(same_draft, {**same_draft, "$schema": DRAFT_2020}).compatible


def test_a_format_added_to_a_property_is_located_there():
    old = {"type": "object", "properties": {"day": string()}}
    new = {"type": "object", "properties": {"day": string(format="date")}}
    assert [(c.type, c.path) for c in compare(old, new).changes] == [("FORMAT_ADDED", "#/properties/day/format")]
    assert counterexamples(old, new, [{"day": "tuesday"}]) == [{"day": "tuesday"}]


# Annotations: each added, removed and changed, on its own and beside a constraint; never incompatible.
ANNOTATIONS = [
    ("contentEncoding", "base64", "base32"), ("contentMediaType", "application/json", "text/plain"),
    ("title", "a", "b"), ("description", "a", "b"), ("examples", ["a"], ["b"]), ("$comment", "a", "b"),
    ("deprecated", False, True), ("readOnly", False, True), ("writeOnly", False, True),
]


@pytest.mark.parametrize(("keyword", "first", "second"), ANNOTATIONS)
def test_an_annotation_never_makes_a_change_incompatible(keyword, first, second):
    base = {"$schema": D2020, "type": "string", "maxLength": 30}
    shapes = [base, {**base, keyword: first}, {**base, keyword: second}]
    for writer in shapes:
        for reader in shapes:
            result = compare(writer, reader, "full")
            assert result.compatible, (writer, reader, result.changes)
            assert {c.type for c in result.changes} <= {"TITLE_CHANGED", "DESCRIPTION_CHANGED"}
            assert counterexamples(writer, reader, ["%%%", "{}", "x", *STRINGS]) == []


def random_bounds(rng: random.Random) -> dict[str, Any]:
    """A number or integer schema with up to four bound keywords, in draft-04's or draft-06+'s spelling."""
    values = [None, None, 3, 5, 5.5, 8, 10, 10.5, 12]
    schema: dict[str, Any] = {"type": rng.choice(["number", "integer"])}
    if rng.random() < 0.3:
        schema["$schema"] = D4
        for inclusive, exclusive in (("minimum", "exclusiveMinimum"), ("maximum", "exclusiveMaximum")):
            if (value := rng.choice(values)) is not None:
                schema[inclusive] = value
                if rng.random() < 0.5:
                    schema[exclusive] = True
        return schema
    for keyword in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"):
        if (value := rng.choice(values)) is not None:
            schema[keyword] = value
    return schema


def test_no_random_pair_of_bounds_is_called_compatible_with_a_counterexample_and_each_break_has_one():
    """Seeded: 600 pairs. Sound (compatible: no probe breaks) and, for bounds and types alone, exact (incompatible:
    a probe breaks), the probes being every value on both sides of each bound used."""
    rng = random.Random(14)
    probes = [x / 4 for x in range(61)]  # 0 to 15 by quarters: 3, 5, 5.5, 8, 10, 10.5, 12 and between
    judged = {True: 0, False: 0}
    for _ in range(600):
        writer, reader = random_bounds(rng), random_bounds(rng)
        result = compare(writer, reader)
        found = counterexamples(writer, reader, probes)
        assert result.compatible is not found, (writer, reader, [c.type for c in result.changes], found)
        judged[result.compatible] += 1
    assert min(judged.values()) > 100


# draft-04's integer rejects a number with a zero fraction (1.0); draft-06 and later accept it (jsonschema-rs
# follows ``$schema``). Moving an integer to draft-04 narrows it; moving it off draft-04 widens it.
INTEGER_DRAFTS = [
    ({"type": "object", "properties": {"count": integer()}},
     {"$schema": D4, "type": "object", "properties": {"count": integer()}}, {"count": 1.0}),
    ({"$schema": DRAFT_2020, "items": {"items": integer(minimum=0)}},
     {"$schema": D4, "items": {"items": integer(minimum=0)}}, [[0, 2.0]]),
    ({"allOf": [{"properties": {"a": {"oneOf": [integer()]}}}]},
     {"$schema": D4, "allOf": [{"properties": {"a": {"oneOf": [integer()]}}}]}, {"a": 0.0}),
]


@pytest.mark.parametrize(("wide", "narrow", "instance"), INTEGER_DRAFTS)
def test_an_integer_moved_to_draft_04_stops_accepting_1_0(wide, narrow, instance):
    assert counterexamples(wide, narrow, [instance]) == [instance]
    result = compare(wide, narrow)
    assert not result.compatible
    # inside a oneOf, the narrowed subschema finds no compatible partner: reported as the combination's change
    assert {c.type for c in result.changes} <= {"TYPE_NARROWED", "COMBINED_TYPE_SUBSCHEMAS_CHANGED"}
    assert not compare(narrow, wide, "forward").compatible


@pytest.mark.parametrize(("wide", "narrow", "instance"), INTEGER_DRAFTS)
def test_an_integer_moved_off_draft_04_accepts_more(wide, narrow, instance):
    assert counterexamples(narrow, wide, [instance, 0, 1, 2.5, [[1]], {"a": 1}, {"count": 1}]) == []
    result = compare(narrow, wide)
    assert result.compatible
    assert {c.type for c in result.changes} == {"TYPE_EXTENDED"}
    assert compare(wide, narrow, "forward").compatible


def test_an_integer_on_the_same_reading_of_1_0_is_no_difference():
    d4 = {"$schema": D4, "type": "object", "properties": {"count": integer()}}
    assert compare(d4, {**d4, "title": "t"}).changes[0].type == "TITLE_CHANGED"
    assert compare(d4, dict(d4)).changes == []
    d6 = {**d4, "$schema": "http://json-schema.org/draft-06/schema#"}
    assert compare(d6, {**d6, "$schema": DRAFT_2020}).compatible  # 1.0 accepted on both sides


def test_a_number_made_a_draft_04_integer_is_narrowed_once_and_bounds_still_compare_over_the_integers():
    # a draft-04 integer writer "> 9" and a draft-07 integer reader ">= 10": the same integers, and 10.0 too
    d4 = {"$schema": D4, "type": "integer", "minimum": 9, "exclusiveMinimum": True}
    d7 = {"$schema": "http://json-schema.org/draft-07/schema#", "type": "integer", "minimum": 10}
    probes = [9, 9.5, 10, 10.0, 11, 11.0]
    assert counterexamples(d4, d7, probes) == []
    assert [c.type for c in compare(d4, d7).changes] == ["TYPE_EXTENDED", "EXCLUSIVE_MINIMUM_REMOVED"]
    assert compare(d4, d7).compatible
    assert counterexamples(d7, d4, probes) == [10.0, 11.0]
    assert not compare(d7, d4).compatible
    assert counterexamples(number(), {"$schema": D4, **integer()}, [1.5, 1.0]) == [1.5, 1.0]
    assert [c.type for c in compare(number(), {"$schema": D4, **integer()}).changes] == ["TYPE_NARROWED"]


def test_a_format_read_under_two_legacy_drafts_is_not_skipped_as_identical():
    """draft-04 and draft-07 share Confluent's legacy reading, but only draft-07 checks ``json-pointer``."""
    old = {"$schema": D4, "type": "object", "properties": {"p": string(format="json-pointer")}}
    new = {**old, "$schema": "http://json-schema.org/draft-07/schema#"}
    assert counterexamples(old, new, [{"p": "abc"}]) == [{"p": "abc"}]
    assert not compare(old, new).compatible
    assert compare(new, old).compatible
