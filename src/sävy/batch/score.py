"""Turn a stream of :class:`Record` into output records, in order, in one or more processes.

One process: the records go through one :class:`sävy.Analyzer`'s
``critique_many`` lazily. ``jobs > 1``: chunks of records go to a pool of
worker processes, each with its own Analyzer (and its own Voikko handle and
cache), and come back in order. Error records are made where they stand, so
every input record yields exactly one output record.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator, Mapping

from .readers import Record

#: The keys sävy writes; input fields with these names do not pass through.
OWN_KEYS = ("id", "reply", "customer", "risk", "findings", "signals", "strengths", "version", "error")


@dataclass(frozen=True)
class AnalyzerSpec:
    """How to build an Analyzer in a worker process (picklable)."""

    rule_files: tuple[str, ...] = ()
    disable: tuple[str, ...] = ()
    severities: Mapping[str, str] = field(default_factory=dict)
    models: bool = True
    plugins: bool = True

    def build(self) -> Any:
        from ..analyzer import Analyzer

        return Analyzer(rule_files=self.rule_files, disable=self.disable, severities=dict(self.severities),
                        models="default" if self.models else None, plugins=self.plugins)


def error_record(rec: Record) -> dict[str, Any]:
    """The output record standing in for a record that could not be critiqued."""
    out: dict[str, Any] = {"id": rec.id}
    out.update((k, v) for k, v in rec.extra.items() if k not in OWN_KEYS)
    out["error"] = {"line": rec.line, "source": rec.source, "message": rec.error}
    return out


def critique_record(rec: Record, critique: Any) -> dict[str, Any]:
    """The output record for a critiqued reply: id, pass-through fields, texts, critique."""
    out: dict[str, Any] = {"id": rec.id}
    out.update((k, v) for k, v in rec.extra.items() if k not in OWN_KEYS)
    out["reply"] = rec.reply
    out["customer"] = rec.customer
    body = critique.to_dict()
    body.pop("id", None)
    out.update(body)
    return out


def score_in_process(records: Iterable[Record], analyzer: Any, *, batch_size: int = 64) -> Iterator[dict[str, Any]]:
    """Critique records lazily with one Analyzer; yields output records in input order."""
    queue: deque[Record] = deque()

    def good() -> Iterator[dict[str, Any]]:
        for rec in records:
            queue.append(rec)
            if rec.error is None:
                yield {"reply": rec.reply, "customer": rec.customer, "id": rec.id}

    for critique in analyzer.critique_many(good(), batch_size=batch_size):
        while queue[0].error is not None:
            yield error_record(queue.popleft())
        yield critique_record(queue.popleft(), critique)
    while queue:
        yield error_record(queue.popleft())


# -- worker processes ---------------------------------------------------------

_WORKER_ANALYZER: Any = None
_WORKER_BATCH = 64


def _init_worker(spec: AnalyzerSpec, batch_size: int) -> None:
    global _WORKER_ANALYZER, _WORKER_BATCH
    _WORKER_ANALYZER = spec.build()
    _WORKER_BATCH = batch_size
    _WORKER_ANALYZER.critique("Hei.")  # load the pipeline and models before the clock matters


def _score_chunk(chunk: list[Record]) -> list[dict[str, Any]]:
    return list(score_in_process(chunk, _WORKER_ANALYZER, batch_size=_WORKER_BATCH))


def score_records(records: Iterable[Record], *, spec: AnalyzerSpec = AnalyzerSpec(), analyzer: Any = None,
                  jobs: int = 1, batch_size: int = 64, chunk_size: int = 256) -> Iterator[dict[str, Any]]:
    """Output records for ``records``, in order, using ``jobs`` processes.

    With ``jobs == 1`` the given ``analyzer`` (or one built from ``spec``) is
    used in this process. With more, each worker builds its own from ``spec``.
    """
    if jobs < 1:
        raise ValueError(f"jobs must be at least 1, got {jobs}")
    if jobs == 1:
        yield from score_in_process(records, analyzer or spec.build(), batch_size=batch_size)
        return
    from ..parallel import chunked, in_order

    context = multiprocessing.get_context("spawn")
    with context.Pool(jobs, initializer=_init_worker, initargs=(spec, batch_size)) as pool:
        for scored in in_order(pool, _score_chunk, chunked(records, chunk_size), depth=2 * jobs):
            yield from scored
