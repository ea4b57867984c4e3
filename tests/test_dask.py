"""sävy.dask on a real 2-process LocalCluster gives the records of the single-process path."""

from __future__ import annotations

import json

import pytest

dask = pytest.importorskip("dask")
distributed = pytest.importorskip("distributed")
pd = pytest.importorskip("pandas")

from sävy.batch.readers import ReadOptions, _object_records  # noqa: E402
from sävy.batch.score import score_in_process  # noqa: E402
from sävy.dask import score_bag, score_dataframe  # noqa: E402

REPLIES = [
    "Se ei ole minun vastuullani.", "Pahoittelen viivettä, hoidan asian tänään.", "En tiedä.",
    "Katsokaa ohjeet nettisivuilta.", "Ymmärrän, että tilanne on turhauttava.", "Ei onnistu.",
    "Olisitte lukeneet ehdot.", "Kiitos viestistä, palaan huomenna klo 12 mennessä.",
]


def items():
    out = []
    for i in range(48):
        item = {"id": f"x{i}", "reply": REPLIES[i % len(REPLIES)], "team": i % 3}
        if i % 4 == 0:
            item["customer"] = "Paketti on taas myöhässä, olen tosi pettynyt."
        if i == 13:
            item = {"id": "bad"}
        out.append(item)
    out.append({"id": "c", "turns": [{"role": "customer", "text": "Lasku on väärin!"},
                                      {"role": "agent", "text": "Sääntö on sääntö."}]})
    return out


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=None, memory_limit="3GiB")
    with distributed.Client(cluster) as c:
        yield c
    cluster.close()


@pytest.mark.slow
def test_score_bag_matches_the_single_process_path(client, analyzer):
    import dask.bag as db

    data = items()
    expected = list(score_in_process(
        [r for p, it in enumerate(data, 1) for r in _object_records(it, p, "dask", ReadOptions())], analyzer))
    got = score_bag(db.from_sequence(data, npartitions=4)).compute()
    # positions are per partition in the bag; everything else must be equal
    for record in expected + got:
        if "error" in record:
            record["error"].pop("line")
    assert got == expected
    built = client.run(lambda: len(__import__("sävy.dask", fromlist=["_ANALYZERS"])._ANALYZERS))
    assert len(built) == 2 and all(n == 1 for n in built.values())  # both workers scored, one Analyzer each


@pytest.mark.slow
def test_score_dataframe_adds_columns_in_row_order(client, analyzer):
    import dask.dataframe as dd

    frame = pd.DataFrame([{"reply": it.get("reply"), "customer": it.get("customer"), "id": it["id"]}
                          for it in items()[:48]])
    scored = score_dataframe(dd.from_pandas(frame, npartitions=3), customer_col="customer").compute()
    assert list(scored["id"]) == list(frame["id"])
    for row in scored.itertuples():
        if row.id == "bad":
            assert row.error == "missing field 'reply'" and pd.isna(row.risk)
            continue
        c = analyzer.critique(row.reply, None if pd.isna(row.customer) else row.customer)
        assert row.risk == round(c.risk, 4)
        assert row.rules == " ".join(c.rules)
        assert [f["rule"] for f in json.loads(row.findings)] == [f.rule for f in c.findings]


def test_score_dataframe_names_a_missing_column():
    import dask.dataframe as dd

    with pytest.raises(KeyError, match="reply_col"):
        score_dataframe(dd.from_pandas(pd.DataFrame({"text": ["a"]}), npartitions=1))
