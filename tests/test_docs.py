"""The generated docs are up to date with the code and rules."""

from __future__ import annotations

from pathlib import Path

from sävy.rules_doc import render

ROOT = Path(__file__).parents[1]


def test_rules_reference_is_generated_from_the_rule_files():
    assert (ROOT / "docs" / "rules.md").read_text(encoding="utf-8") == render(), \
        "docs/rules.md is stale: run `python -m sävy.rules_doc > docs/rules.md`"


def test_readme_names_the_two_setup_commands_and_ci_runs_the_test_one():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make demo" in readme and "make test" in readme
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
