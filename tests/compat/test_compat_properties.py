"""Properties every comparison keeps, on generated schemas (bounded, fast)."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.compat import compare

NAMES = st.sampled_from(["a", "b", "c"])
SCALARS = st.one_of(
    st.builds(lambda t: {"type": t}, st.sampled_from(["string", "number", "integer", "boolean", "null"])),
    st.builds(lambda n: {"type": "string", "maxLength": n}, st.integers(0, 5)),
    st.builds(lambda lo, hi: {"type": "number", "minimum": lo, "maximum": lo + hi}, st.integers(0, 3),
              st.integers(0, 3)),
    st.builds(lambda vs: {"enum": vs}, st.lists(st.sampled_from(["x", "y", "z"]), min_size=1, max_size=3, unique=True)),
    st.booleans(),
)


def _extend(children):
    return st.one_of(
        st.builds(lambda props, req, closed: {
            "type": "object", "properties": props, "required": sorted(set(req) & set(props)),
            **({"additionalProperties": False} if closed else {})},
            st.dictionaries(NAMES, children, max_size=3), st.lists(NAMES, max_size=2), st.booleans()),
        st.builds(lambda item, n: {"type": "array", "items": item, **({"maxItems": n} if n else {})},
                  children, st.integers(0, 3)),
        st.builds(lambda prefix, more: {"type": "array", "prefixItems": prefix, "items": more},
                  st.lists(children, max_size=2), st.booleans()),
        st.builds(lambda crit, subs: {crit: subs}, st.sampled_from(["allOf", "anyOf", "oneOf"]),
                  st.lists(children, min_size=1, max_size=3)),
        st.builds(lambda inner: {"not": inner}, children),
        st.builds(lambda ts: {"type": ts}, st.lists(st.sampled_from(["string", "number", "null"]), min_size=1,
                                                     max_size=3, unique=True)),
    )


SCHEMAS = st.recursive(SCALARS, _extend, max_leaves=8)
FAST = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _triples(result):
    return [(c.type, c.path, c.compatible) for c in result.changes]


@FAST
@given(SCHEMAS)
def test_a_schema_has_no_difference_with_itself(schema):
    result = compare(schema, schema)
    assert result.changes == []
    assert result.compatible


@FAST
@given(SCHEMAS, SCHEMAS, st.sampled_from(["strict", "lenient"]))
def test_forward_is_backward_swapped(a, b, policy):
    assert _triples(compare(a, b, mode="forward", policy=policy)) == _triples(compare(b, a, policy=policy))


@FAST
@given(SCHEMAS, SCHEMAS)
def test_full_is_compatible_iff_both_directions_are(a, b):
    both = compare(a, b).compatible and compare(b, a).compatible
    assert compare(a, b, mode="full").compatible is both
