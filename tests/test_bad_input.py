"""critique never crashes on any str, and offsets always hold (property tests)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

FINNISH_BITS = [
    "En tiedä.", "Se ei kuulu minulle", "!!!", "🙂", "ÄÄKKÖSET", "ei onnistu", "\u0000", "\r\n", "\t",
    "Pahoittelen", "katso netistä", "https://esim.fi", "“lainaus”", "–", "Mä en tiiä", "\u200b", "e\u0301",
]

texts = st.one_of(
    st.text(max_size=300),
    st.lists(st.sampled_from(FINNISH_BITS), max_size=30).map(" ".join),
    st.lists(st.one_of(st.sampled_from(FINNISH_BITS), st.text(max_size=10)), max_size=20).map("".join),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(reply=texts, customer=st.one_of(st.none(), texts))
def test_any_text_gives_valid_critique(analyzer, reply, customer):
    c = analyzer.critique(reply, customer=customer)
    assert 0.0 <= c.risk <= 1.0
    for f in c.findings:
        assert 0 <= f.start <= f.end <= len(reply)
        assert reply[f.start:f.end] == f.text
    for s in c.strengths:
        assert reply[s.start:s.end] == s.text
    assert all(0.0 <= v <= 1.0 for v in c.signals.values())
    c.to_dict()


@pytest.mark.parametrize("reply", [
    "", " ", "\n\n\n", "\u0000\u0001\u0002", "🙂" * 1000, "a" * 100_000,
    "Hello, this is English. Hej, det här är svenska. Tämä ei kuulu meille.",
    "\ud800" if False else "\udcff",  # lone surrogate
    "ei " * 20_000,
])
def test_edge_cases(analyzer, reply):
    c = analyzer.critique(reply)
    for f in c.findings:
        assert reply[f.start:f.end] == f.text
