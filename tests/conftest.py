"""Shared fixtures: one pipeline and one analyzer per test session."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def nlp():
    from sävy.nlp import load_pipeline

    return load_pipeline()


@pytest.fixture(scope="session")
def analyzer(nlp):
    """The default analyzer (rules and the bundled classifiers)."""
    from sävy import Analyzer

    return Analyzer(nlp=nlp)


@pytest.fixture(scope="session")
def rules_analyzer(nlp):
    """Rules only: no classifier findings."""
    from sävy import Analyzer

    return Analyzer(nlp=nlp, models=None)
