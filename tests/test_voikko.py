"""Missing libvoikko or dictionary gives one clear error, never a ctypes trace."""

from __future__ import annotations

import pytest

from sävy import voikko
from sävy.errors import VoikkoUnavailableError


@pytest.fixture
def fresh_handle(monkeypatch):
    monkeypatch.setattr(voikko, "_handle", None)
    yield
    voikko._handle = None


@pytest.mark.parametrize("exc", [OSError("libvoikko.so.1: cannot open shared object file"), RuntimeError("no dictionary")])
def test_missing_library_or_dictionary(monkeypatch, fresh_handle, exc):
    import libvoikko

    def broken(*args, **kwargs):
        raise exc

    monkeypatch.setattr(libvoikko, "Voikko", broken)
    with pytest.raises(VoikkoUnavailableError, match="apt-get install libvoikko1 voikko-fi"):
        voikko.check_available()


def test_handle_is_per_process_and_analyses_are_cached(fresh_handle):
    first = voikko.handle()
    assert voikko.handle() is first
    voikko.analyze.cache_clear()
    a = voikko.analyze("tilanne")
    assert {x["BASEFORM"] for x in a} >= {"tila", "tilanne"}
    assert voikko.analyze("tilanne") is a
