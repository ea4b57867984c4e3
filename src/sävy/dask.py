"""Scoring beyond one machine with Dask (optional extra: ``pip install 'savy[dask]'``).

    import dask.bag as db
    from sävy.dask import score_bag, score_dataframe

    scored = score_bag(db.read_text("chats-*.jsonl").map(json.loads))   # same records as `savy score`
    df = score_dataframe(ddf, reply_col="reply", customer_col="customer")  # adds risk, rules, findings...

Each worker process builds one :class:`sävy.Analyzer` the first time it
scores a partition and keeps it (its Voikko handle and caches too), so a
cluster pays the model loading once per worker, not per partition.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Iterable

from .batch.readers import ReadOptions, _object_records
from .batch.score import AnalyzerSpec, score_in_process

if TYPE_CHECKING:  # pragma: no cover
    import dask.bag
    import dask.dataframe

__all__ = ["score_bag", "score_dataframe", "worker_analyzer", "DATAFRAME_COLUMNS"]

_ANALYZERS: dict[str, Any] = {}

#: Columns :func:`score_dataframe` adds, with their dtypes.
DATAFRAME_COLUMNS = {
    "risk": "float64", "n_findings": "int64", "rules": "string", "findings": "string",
    "apology": "float64", "empathy": "float64", "complaint": "float64", "strengths": "string",
    "error": "string",
}


def worker_analyzer(spec: AnalyzerSpec = AnalyzerSpec()) -> Any:
    """This process's Analyzer for ``spec`` (built once per process)."""
    key = json.dumps([spec.rule_files, spec.disable, sorted(spec.severities.items()), spec.models])
    if key not in _ANALYZERS:
        _ANALYZERS[key] = spec.build()
    return _ANALYZERS[key]


def _score_items(items: Iterable[Any], spec: AnalyzerSpec, batch_size: int, max_chars: int) -> list[dict]:
    opts = ReadOptions(max_chars=max_chars)
    records = [rec for position, item in enumerate(items, start=1)
               for rec in _object_records(item, position, "dask", opts)]
    return list(score_in_process(records, worker_analyzer(spec), batch_size=batch_size))


def score_bag(bag: "dask.bag.Bag", *, spec: AnalyzerSpec = AnalyzerSpec(), batch_size: int = 64,
              max_chars: int = 100_000) -> "dask.bag.Bag":
    """A bag of output records for a bag of reply or conversation dicts (as ``savy score`` reads).

    A conversation yields one record per agent turn; anything unreadable
    yields an error record in its place, as in ``savy score``.
    """
    return bag.map_partitions(_score_items, spec, batch_size, max_chars)


def _score_frame(frame: Any, reply_col: str, customer_col: str | None, spec: AnalyzerSpec,
                 batch_size: int, max_chars: int) -> Any:
    import pandas as pd

    items = []
    for position, (reply, customer) in enumerate(zip(
            frame[reply_col], frame[customer_col] if customer_col else [None] * len(frame))):
        item = {"id": str(position), "reply": None if _missing(reply) else reply}
        if customer_col and not _missing(customer):
            item["customer"] = customer
        items.append(item)
    out = _score_items(items, spec, batch_size, max_chars)
    columns: dict[str, list[Any]] = {name: [] for name in DATAFRAME_COLUMNS}
    for record in out:
        error = record.get("error")
        findings = record.get("findings") or []
        signals = record.get("signals") or {}
        columns["risk"].append(float("nan") if error else record["risk"])
        columns["n_findings"].append(len(findings))
        columns["rules"].append(" ".join(dict.fromkeys(f["rule"] for f in findings)))
        columns["findings"].append(json.dumps(findings, ensure_ascii=False))
        for name in ("apology", "empathy", "complaint"):
            columns[name].append(signals.get(name, float("nan")))
        columns["strengths"].append(" ".join(dict.fromkeys(s["strength"] for s in record.get("strengths") or [])))
        columns["error"].append(error["message"] if error else None)
    added = pd.DataFrame({name: pd.Series(values, dtype=DATAFRAME_COLUMNS[name], index=frame.index)
                          for name, values in columns.items()})
    return pd.concat([frame, added], axis=1)


def _missing(value: Any) -> bool:
    try:
        import pandas as pd

        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def score_dataframe(ddf: "dask.dataframe.DataFrame", *, reply_col: str = "reply", customer_col: str | None = None,
                    spec: AnalyzerSpec = AnalyzerSpec(), batch_size: int = 64,
                    max_chars: int = 100_000) -> "dask.dataframe.DataFrame":
    """``ddf`` with the critique columns of :data:`DATAFRAME_COLUMNS` added (``map_partitions``).

    Rows that cannot be critiqued (missing or non-string reply, too long)
    keep their place with ``error`` set and ``risk`` NaN.
    """
    import pandas as pd

    if reply_col not in ddf.columns:
        raise KeyError(f"no column {reply_col!r}; name the reply column with reply_col=")
    if customer_col is not None and customer_col not in ddf.columns:
        raise KeyError(f"no column {customer_col!r}")
    meta = ddf._meta.copy()
    for name, dtype in DATAFRAME_COLUMNS.items():
        meta[name] = pd.Series(dtype=dtype)
    return ddf.map_partitions(_score_frame, reply_col, customer_col, spec, batch_size, max_chars, meta=meta)
