"""Loading the Finnish spaCy pipeline that the detectors run on.

The stock ``spacy_fi_experimental_web_md`` pipeline runs tok2vec, tagger,
morphologizer, parser, attribute_ruler, its own Voikko lemmatizer and NER. The
detectors read only POS, morphology, lemmas and sentence boundaries, so the
default sävy pipeline drops the parser and NER (most of the cost), replaces
the stock lemmatizer with :mod:`sävy.lemmatizer` (cached, disambiguated by
POS and morphology, spoken forms) and splits sentences with the rule-based
``sentencizer``. ``python -m sävy.bench`` measures the difference.
"""

from __future__ import annotations

from typing import Sequence

from spacy.language import Language

from . import voikko
from .errors import PipelineUnavailableError

MODEL_PACKAGE = "spacy_fi_experimental_web_md"
#: Stock components the detectors do not need.
EXCLUDED_COMPONENTS: tuple[str, ...] = ("parser", "ner", "lemmatizer")


def load_pipeline(
    model: str = MODEL_PACKAGE, exclude: Sequence[str] = EXCLUDED_COMPONENTS
) -> Language:
    """Load the Finnish pipeline with the sävy lemmatizer and sentence splitter."""
    voikko.check_available()
    import spacy

    from . import lemmatizer  # noqa: F401  (registers the savy_lemmatizer factory)

    try:
        nlp = spacy.load(model, exclude=list(exclude))
    except OSError as exc:
        raise PipelineUnavailableError(
            f"The Finnish spaCy pipeline {model!r} is not installed ({exc}). "
            "Install it with `pip install spacy-fi-experimental-web-md==0.15.0` "
            "(or run `make setup`)."
        ) from exc
    add_savy_components(nlp)
    return nlp


def add_savy_components(nlp: Language) -> Language:
    """Give any Finnish pipeline what the detectors need, in place."""
    from . import lemmatizer  # noqa: F401

    if "lemmatizer" in nlp.pipe_names:
        nlp.remove_pipe("lemmatizer")
    has_sents = any(n in nlp.pipe_names for n in ("parser", "senter", "sentencizer"))
    if not has_sents:
        nlp.add_pipe("sentencizer", first=True)
    if "savy_lemmatizer" not in nlp.pipe_names:
        nlp.add_pipe("savy_lemmatizer", last=True)
    return nlp


def load_stock_pipeline(model: str = MODEL_PACKAGE) -> Language:
    """The model exactly as shipped: the baseline the benchmark compares with."""
    import spacy

    voikko.check_available()
    return spacy.load(model)
