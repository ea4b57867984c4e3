"""Run the must-flag / must-not-flag examples that rule files carry."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, Sequence

from .ruleset import Rule, load_rules


@dataclass(frozen=True)
class ExampleCase:
    rule: Rule
    text: str
    expect: bool  # True: must flag, False: must not flag

    @property
    def label(self) -> str:
        return f"{self.rule.id}:{'flag' if self.expect else 'pass'}:{self.text[:50]}"


def example_cases(rules: Iterable[Rule]) -> Iterator[ExampleCase]:
    for rule in rules:
        for text in rule.flag_examples:
            yield ExampleCase(rule, text, True)
        for text in rule.pass_examples:
            yield ExampleCase(rule, text, False)


def fired_ids(nlp, engine, text: str) -> set[str]:
    """Every rule, strength and marker id that fires on ``text``."""
    _, _, resolved = engine.run(nlp(text))
    return {rule_id for rule_id, hits in resolved.items() if hits}


def run_examples(paths: Sequence[str | Path] = (), *, builtin: bool | None = None) -> list[str]:
    """Check every example of the given rule files (default: the built-in ones).

    Returns one line per failing example; an empty list means all passed.
    """
    from .detect import RuleEngine
    from .nlp import load_pipeline

    # extra files may refer to built-in strengths and markers, so load those too
    ruleset = load_rules(paths, builtin=True if builtin is None else builtin)
    if paths and builtin is None:
        wanted = {str(Path(p)) for p in paths}
        selected = [r for r in ruleset.rules if any(r.source.startswith(w) for w in wanted)]
    else:
        selected = list(ruleset.rules)
    nlp = load_pipeline()
    engine = RuleEngine(nlp.vocab, ruleset)
    failures = []
    for case in example_cases(selected):
        fired = case.rule.id in fired_ids(nlp, engine, case.text)
        if fired != case.expect:
            verb = "did not flag" if case.expect else "flagged"
            failures.append(f"{case.rule.source}: {case.rule.id} {verb}: {case.text!r}")
    return failures
