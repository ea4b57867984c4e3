"""Worker processes for ``Analyzer.critique_many(n_process=N)``.

The whole critique (parsing, rules, classifiers) runs in the workers; this
process only hands out replies and collects the critiques, in input order.
The workers are forked from the process that holds the loaded Analyzer, so
they share its pipeline, rules and models copy-on-write and start in
milliseconds, and nothing of the Analyzer is pickled (custom detectors need
not be picklable). Each worker opens its own Voikko handle on first use.

The pool belongs to one Analyzer and lives until :meth:`Analyzer.close`, a
call with another ``n_process``, or the end of the program. Where ``fork`` is
not available (Windows, macOS), ``critique_many`` uses spaCy's own
``n_process`` instead: parsing in workers, rules and classifiers here.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import sys
import weakref
from collections import deque
from typing import Any, Callable, Iterable, Iterator, Sequence

#: This worker's Analyzer (set in each forked worker, never in the parent).
_ANALYZER: Any = None


def fork_available() -> bool:
    """True where worker processes can be forked safely (Linux)."""
    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


def _adopt(analyzer: Any) -> None:
    global _ANALYZER
    _ANALYZER = analyzer
    analyzer._pool = None  # the parent's pool object is not this process's to use


def critique_chunk(items: list[dict[str, Any]], batch_size: int) -> list[Any]:
    """Critiques of ``items`` by this worker's Analyzer (runs in a worker)."""
    return list(_ANALYZER.critique_many(items, batch_size=batch_size))


def parse_chunk(texts: list[str], batch_size: int) -> int:
    """Parse ``texts`` with this worker's pipeline and return the token count (the benchmark's
    baseline: the same workers doing only the spaCy part)."""
    return sum(len(doc) for doc in _ANALYZER.nlp.pipe(texts, batch_size=batch_size))


def _shutdown(pool: Any, owner: int) -> None:
    if os.getpid() == owner:  # a process forked later inherits the finalizer, not the pool
        pool.terminate()
        pool.join()


class CritiquePool:
    """``size`` forked workers, each holding a copy of one loaded Analyzer."""

    def __init__(self, analyzer: Any, size: int) -> None:
        if size < 2:
            raise ValueError(f"a worker pool needs at least 2 processes, got {size}")
        analyzer.critique("Hei.")  # load pipeline, rules and models once, before forking
        self.size = size
        self._pool = multiprocessing.get_context("fork").Pool(size, initializer=_adopt, initargs=(analyzer,))
        self._finalizer = weakref.finalize(self, _shutdown, self._pool, os.getpid())

    def ordered(self, task: Callable[..., Any], chunks: Iterable[Sequence[Any]], *args: Any) -> Iterator[Any]:
        """``task(chunk, *args)`` for every chunk, run in the workers; results in chunk order.

        At most two chunks per worker are in flight, so a long input is read
        as it is consumed, not all at once.
        """
        return in_order(self._pool, task, chunks, args, depth=2 * self.size)

    def close(self) -> None:
        """Stop the workers (idempotent)."""
        self._finalizer()

    @property
    def closed(self) -> bool:
        return not self._finalizer.alive


def in_order(pool: Any, task: Callable[..., Any], chunks: Iterable[Any], args: tuple[Any, ...] = (),
             *, depth: int) -> Iterator[Any]:
    """``task(chunk, *args)`` for every chunk on a ``multiprocessing`` pool, results in chunk order,
    with at most ``depth`` chunks in flight (``Pool.imap`` would read the whole input ahead)."""
    in_flight: deque[Any] = deque()
    for chunk in chunks:
        in_flight.append(pool.apply_async(task, (chunk, *args)))
        if len(in_flight) >= depth:
            yield in_flight.popleft().get()
    while in_flight:
        yield in_flight.popleft().get()


def chunked(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    """Consecutive lists of ``size`` items (the last may be shorter)."""
    it = iter(items)
    while chunk := list(itertools.islice(it, size)):
        yield chunk
