"""critique_many(n_process > 1): kept worker processes, same results as one process."""

from __future__ import annotations

import os

import pytest

from sävy import Analyzer, parallel

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not parallel.fork_available(), reason="worker pool needs fork (Linux)"),
]

REPLIES = ["En tiedä.", "Pahoittelen, hoidan asian heti ja palaan huomenna klo 12.", "Ei onnistu.",
           "Katso netistä.", "Toi ei kuulu mulle.", "", "Hei! 😀 Tilaus 12345 on matkalla."]
ITEMS = [{"id": f"r{i}", "reply": t, "customer": "Lasku on väärin ja olen tosi vihainen!" if i % 3 == 0 else None}
         for i, t in enumerate(REPLIES * 6)]


@pytest.fixture()
def pooled(nlp):
    with Analyzer(nlp=nlp) as analyzer:
        yield analyzer


def _pid(chunk: list[object]) -> int:
    return os.getpid()


def test_two_processes_give_the_same_critiques_in_order(pooled):
    one = [c.to_dict() for c in pooled.critique_many(ITEMS, batch_size=5)]
    two = [c.to_dict() for c in pooled.critique_many(ITEMS, batch_size=5, n_process=2)]
    assert two == one
    assert [c["id"] for c in two] == [i["id"] for i in ITEMS]


def test_plain_strings_and_a_generator_are_accepted(pooled):
    got = list(pooled.critique_many((r for r in REPLIES), batch_size=2, n_process=2))
    assert [c.reply for c in got] == REPLIES


def test_workers_are_kept_between_calls_and_stopped_by_close(pooled):
    list(pooled.critique_many(ITEMS[:4], n_process=2))
    pool = pooled._pool
    pids = set(pool.ordered(_pid, [[0]] * 8))
    list(pooled.critique_many(ITEMS[:4], n_process=2))
    assert pooled._pool is pool and set(pool.ordered(_pid, [[0]] * 8)) <= pids
    assert os.getpid() not in pids and len(pids) == 2
    pooled.close()
    assert pool.closed and pooled._pool is None
    pooled.close()  # idempotent


def test_another_process_count_restarts_the_pool(pooled):
    list(pooled.critique_many(ITEMS[:3], n_process=2))
    first = pooled._pool
    got = list(pooled.critique_many(ITEMS[:6], batch_size=1, n_process=3))
    assert first.closed and pooled._pool.size == 3 and len(got) == 6


def test_bad_items_raise_type_error_here(pooled):
    with pytest.raises(TypeError, match="item 2 'reply' must be a str"):
        list(pooled.critique_many(["a", "b", {"reply": 7}], n_process=2))
    with pytest.raises(TypeError, match="item 0 must be a dict"):
        list(pooled.critique_many([3.5], n_process=2))
    with pytest.raises(ValueError, match="n_process must be at least 1"):
        list(pooled.critique_many(["a"], n_process=0))


def test_detectors_need_not_be_picklable(nlp):
    class Shouting:
        id, severity = "shouting", "low"
        message, suggestion = "Isot kirjaimet kuulostavat huutamiselta.", "Kirjoita tavallisin kirjaimin."
        check = staticmethod(lambda token: token.is_upper and len(token) > 3)  # a lambda: not picklable

        def __call__(self, doc):
            return [(t.idx, t.idx + len(t.text)) for t in doc if self.check(t)]

    with Analyzer(nlp=nlp, models=None, detectors=[Shouting()]) as analyzer:
        got = list(analyzer.critique_many(["EI ONNISTU nyt.", "Hyvä on."], n_process=2))
    assert [f.text for f in got[0].findings if f.rule == "shouting"] == ["ONNISTU"]
    assert not [f for f in got[1].findings if f.rule == "shouting"]


def test_without_fork_spacy_runs_the_workers(pooled, monkeypatch):
    monkeypatch.setattr(parallel, "fork_available", lambda: False)
    one = [c.to_dict() for c in pooled.critique_many(ITEMS, batch_size=4)]
    two = [c.to_dict() for c in pooled.critique_many(ITEMS, batch_size=4, n_process=2)]
    assert two == one and pooled._pool is None
