"""Reading the tab-separated data tables shipped in ``sävy/resources``."""

from __future__ import annotations

from importlib import resources
from typing import Iterator


def resource_rows(name: str) -> Iterator[list[str]]:
    """Stripped columns of each non-empty line of ``resources/<name>``; ``#`` starts a comment."""
    text = resources.files("sävy").joinpath("resources", name).read_text("utf-8")
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            yield [part.strip() for part in line.split("\t")]
