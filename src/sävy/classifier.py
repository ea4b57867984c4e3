"""Trained signal models (apology, empathy, complaint) — see issue 3.

Placeholder until the trained models land: ``load_default_models`` returns
``None`` when no bundled model exists, so the analyzer falls back to the
strength rules for its signals.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

MODELS_DIR = Path(__file__).resolve().parents[2] / "models"


def load_default_models() -> Any:
    manifest = MODELS_DIR / "MANIFEST.json"
    if not manifest.exists():
        return None
    raise NotImplementedError("model loading lands with the classifier issue")
