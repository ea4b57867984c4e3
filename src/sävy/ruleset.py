"""Rule files: loading, validation and the :class:`Rule` data they hold.

A rule file is YAML with one rule family::

    family: responsibility
    kind: finding            # finding (default) | strength | marker; a rule may override it
    rules:
      - id: responsibility-deflection
        name: vastuun välttely
        severity: high
        message: "..."
        suggestion: "..."
        patterns:
          - name: ei-kuulu-minulle
            pattern: [{LEMMA: ei}, {LEMMA: kuulua}, {LEMMA: minä}]
        unless:                      # no finding when any condition holds
          - any: [ownership, escalation]
            scope: after
        downgrade:                   # lower severity when a condition holds
          - any: [url]
            scope: reply
            severity: low
        examples:
          flag: ["Se ei kuulu minulle."]
          pass: ["Tämä kuuluu minulle, hoidan sen."]

Token patterns use spaCy's ``Matcher`` syntax (LEMMA, LOWER, TEXT, POS,
MORPH, OP, IN, REGEX, ...) and are validated by spaCy. *Strengths* are the
positive signals of TAXONOMY.md; *markers* (a reason, an alternative, a URL,
a time) are internal signals that conditions refer to by id; a condition may
also name a finding loaded before its rule (``flat-refusal`` yields to
``rigid-policy``). Every error names the file and the rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import yaml

from .errors import RuleFileError

SEVERITIES: tuple[str, ...] = ("low", "medium", "high")
KINDS: tuple[str, ...] = ("finding", "strength", "marker")
SCOPES: tuple[str, ...] = (
    "sentence", "clause", "after", "before", "reply", "following", "preceding", "match",
)
STRENGTH_IDS: tuple[str, ...] = (
    "apology", "empathy", "ownership", "concrete-next-step", "paraphrase",
    "follow-up-check", "escalation", "feedback-request",
)

_FILE_KEYS = {"family", "kind", "description", "rules"}
_RULE_KEYS = {
    "id", "name", "severity", "message", "suggestion", "note", "patterns",
    "unless", "requires", "downgrade", "examples", "skip_reported", "enabled", "kind",
}
_REQUIRED = {
    "finding": ("id", "name", "severity", "message", "suggestion", "patterns"),
    "strength": ("id", "patterns"),
    "marker": ("id", "patterns"),
}
_PATTERN_KEYS = {"name", "pattern"}
_CONDITION_KEYS = {"any", "patterns", "scope", "severity"}
_EXAMPLE_KEYS = {"flag", "pass"}


@dataclass(frozen=True)
class Condition:
    """A context test: any of ``ids`` (strengths/markers) or ``patterns`` in ``scope``."""

    ids: tuple[str, ...] = ()
    patterns: tuple[tuple[Mapping[str, Any], ...], ...] = ()
    scope: str = "sentence"
    severity: str | None = None  # only for downgrade conditions


@dataclass(frozen=True)
class Pattern:
    name: str
    tokens: tuple[Mapping[str, Any], ...]


@dataclass(frozen=True)
class Rule:
    """One detector: a finding rule, a strength, or an internal marker."""

    id: str
    kind: str
    family: str
    source: str
    patterns: tuple[Pattern, ...]
    name: str = ""
    severity: str = "medium"
    message: str = ""
    suggestion: str = ""
    note: str = ""
    unless: tuple[Condition, ...] = ()
    requires: tuple[Condition, ...] = ()
    downgrade: tuple[Condition, ...] = ()
    flag_examples: tuple[str, ...] = ()
    pass_examples: tuple[str, ...] = ()
    skip_reported: bool = True
    enabled: bool = True


#: The order in which the engine resolves rule kinds (conditions see only earlier hits).
KIND_ORDER = {"marker": 0, "strength": 1, "finding": 2}


@dataclass(frozen=True)
class RuleSet:
    """All rules of a configuration, by id, in load order."""

    rules: tuple[Rule, ...]
    sources: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        seen: dict[str, str] = {}
        for rule in self.rules:
            if rule.id in seen:
                raise RuleFileError(rule.source, f"duplicate rule id (also in {seen[rule.id]})", rule.id)
            seen[rule.id] = rule.source
        known = set(seen)
        # the engine resolves markers, then strengths, then findings, each kind in load order;
        # a condition can only see the hits of rules resolved before its own
        position = {r.id: (KIND_ORDER[r.kind], i) for i, r in enumerate(self.rules)}
        for rule in self.rules:
            for cond in (*rule.unless, *rule.requires, *rule.downgrade):
                missing = [i for i in cond.ids if i not in known]
                if missing:
                    raise RuleFileError(
                        rule.source,
                        f"condition refers to unknown id(s) {missing}; known ids: {sorted(known)}",
                        rule.id,
                    )
                later = [i for i in cond.ids if position[i] >= position[rule.id]]
                if later:
                    raise RuleFileError(
                        rule.source,
                        f"condition refers to {later}, resolved after this rule (markers come first, then "
                        "strengths, then findings in load order): refer only to markers, strengths or "
                        "findings loaded earlier",
                        rule.id,
                    )

    def by_id(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(f"no rule {rule_id!r}; known: {[r.id for r in self.rules]}")

    def of_kind(self, kind: str) -> tuple[Rule, ...]:
        return tuple(r for r in self.rules if r.kind == kind)

    def replace(self, rules: Iterable[Rule]) -> "RuleSet":
        return RuleSet(tuple(rules), self.sources)


def _check_keys(data: Mapping[str, Any], allowed: set[str], path: object, rule: str | None, what: str) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise RuleFileError(path, f"unknown key(s) {unknown} in {what}; allowed: {sorted(allowed)}", rule)


def _token_patterns(raw: Any, path: object, rule: str, what: str) -> tuple[tuple[Mapping[str, Any], ...], ...]:
    if not isinstance(raw, list) or not raw:
        raise RuleFileError(path, f"{what} must be a non-empty list of token patterns", rule)
    out = []
    for i, pattern in enumerate(raw):
        if not isinstance(pattern, list) or not pattern or not all(isinstance(t, dict) for t in pattern):
            raise RuleFileError(path, f"{what}[{i}] must be a non-empty list of token dicts", rule)
        out.append(tuple(pattern))
    return tuple(out)


def _conditions(raw: Any, path: object, rule: str, key: str) -> tuple[Condition, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise RuleFileError(path, f"{key!r} must be a list of conditions", rule)
    out = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict):
            raise RuleFileError(path, f"{key}[{i}] must be a mapping with 'any' or 'patterns'", rule)
        _check_keys(item, _CONDITION_KEYS, path, rule, f"{key}[{i}]")
        ids = item.get("any", [])
        if isinstance(ids, str):
            ids = [ids]
        if not isinstance(ids, list) or not all(isinstance(x, str) for x in ids):
            raise RuleFileError(path, f"{key}[{i}].any must be a list of rule ids (markers, strengths, earlier findings)", rule)
        patterns = _token_patterns(item["patterns"], path, rule, f"{key}[{i}].patterns") if "patterns" in item else ()
        if not ids and not patterns:
            raise RuleFileError(path, f"{key}[{i}] needs 'any' or 'patterns'", rule)
        scope = item.get("scope", "sentence")
        if scope not in SCOPES:
            raise RuleFileError(path, f"{key}[{i}].scope {scope!r} is not one of {list(SCOPES)}", rule)
        severity = item.get("severity")
        if key == "downgrade":
            if severity not in SEVERITIES:
                raise RuleFileError(path, f"downgrade[{i}].severity must be one of {list(SEVERITIES)}", rule)
        elif severity is not None:
            raise RuleFileError(path, f"{key}[{i}] cannot set a severity (only downgrade can)", rule)
        out.append(Condition(tuple(ids), patterns, scope, severity))
    return tuple(out)


def _examples(raw: Any, path: object, rule: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    if raw is None:
        return (), ()
    if not isinstance(raw, dict):
        raise RuleFileError(path, "'examples' must map 'flag' and 'pass' to lists of texts", rule)
    _check_keys(raw, _EXAMPLE_KEYS, path, rule, "examples")
    lists = []
    for key in ("flag", "pass"):
        items = raw.get(key) or []
        if not isinstance(items, list) or not all(isinstance(x, str) and x.strip() for x in items):
            raise RuleFileError(path, f"examples.{key} must be a list of non-empty strings", rule)
        lists.append(tuple(items))
    return lists[0], lists[1]


def parse_rule(raw: Any, *, kind: str, family: str, path: object) -> Rule:
    """Validate one rule mapping and build a :class:`Rule`."""
    if not isinstance(raw, dict):
        raise RuleFileError(path, "each entry of 'rules' must be a mapping")
    rule_id = raw.get("id")
    if not isinstance(rule_id, str) or not rule_id.strip():
        raise RuleFileError(path, "a rule has no 'id'")
    _check_keys(raw, _RULE_KEYS, path, rule_id, "the rule")
    for key in _REQUIRED[kind]:
        if key not in raw or raw[key] in (None, "", []):
            raise RuleFileError(path, f"missing required key {key!r} (a {kind} rule needs {list(_REQUIRED[kind])})", rule_id)
    if kind == "strength" and rule_id not in STRENGTH_IDS:
        raise RuleFileError(path, f"unknown strength id; strengths are {list(STRENGTH_IDS)}", rule_id)
    severity = raw.get("severity", "low" if kind != "finding" else "medium")
    if severity not in SEVERITIES:
        raise RuleFileError(path, f"severity {severity!r} must be one of {list(SEVERITIES)}", rule_id)
    patterns_raw = raw["patterns"]
    if not isinstance(patterns_raw, list) or not patterns_raw:
        raise RuleFileError(path, "'patterns' must be a non-empty list", rule_id)
    patterns = []
    for i, entry in enumerate(patterns_raw):
        if isinstance(entry, list):
            entry = {"name": f"p{i + 1}", "pattern": entry}
        if not isinstance(entry, dict) or "pattern" not in entry:
            raise RuleFileError(path, f"patterns[{i}] must be a token list or a mapping with 'pattern'", rule_id)
        _check_keys(entry, _PATTERN_KEYS, path, rule_id, f"patterns[{i}]")
        (tokens,) = _token_patterns([entry["pattern"]], path, rule_id, f"patterns[{i}]")
        name = str(entry.get("name", f"p{i + 1}"))
        if any(p.name == name for p in patterns):
            raise RuleFileError(path, f"duplicate pattern name {name!r}", rule_id)
        patterns.append(Pattern(name, tokens))
    flag, passing = _examples(raw.get("examples"), path, rule_id)
    for key in ("name", "message", "suggestion", "note"):
        if key in raw and not isinstance(raw[key], str):
            raise RuleFileError(path, f"{key!r} must be a string", rule_id)
    return Rule(
        id=rule_id,
        kind=kind,
        family=family,
        source=str(path),
        patterns=tuple(patterns),
        name=raw.get("name", rule_id),
        severity=severity,
        message=(raw.get("message") or "").strip(),
        suggestion=(raw.get("suggestion") or "").strip(),
        note=(raw.get("note") or "").strip(),
        unless=_conditions(raw.get("unless"), path, rule_id, "unless"),
        requires=_conditions(raw.get("requires"), path, rule_id, "requires"),
        downgrade=_conditions(raw.get("downgrade"), path, rule_id, "downgrade"),
        flag_examples=flag,
        pass_examples=passing,
        skip_reported=bool(raw.get("skip_reported", True)),
        enabled=bool(raw.get("enabled", True)),
    )


class _FinnishSafeLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """YAML 1.1 reads ``on``, ``no``, ``yes``, ``off`` as booleans; in Finnish
    ``on`` ("is") and ``no`` ("well") are words. Only ``true``/``false`` are booleans here."""


_FinnishSafeLoader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.copy().items()
}
_FinnishSafeLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def parse_rule_file(text: str, path: object) -> list[Rule]:
    """Parse and validate the text of one rule file."""
    try:
        data = yaml.load(text, Loader=_FinnishSafeLoader)
    except yaml.YAMLError as exc:
        raise RuleFileError(path, f"is not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise RuleFileError(path, "must be a mapping with 'family' and 'rules'")
    _check_keys(data, _FILE_KEYS, path, None, "the file")
    family = data.get("family")
    if not isinstance(family, str) or not family:
        raise RuleFileError(path, "missing 'family' (the rule family's name)")
    kind = data.get("kind", "finding")
    if kind not in KINDS:
        raise RuleFileError(path, f"kind {kind!r} must be one of {list(KINDS)}")
    rules = data.get("rules")
    if not isinstance(rules, list) or not rules:
        raise RuleFileError(path, "'rules' must be a non-empty list")
    out = []
    for raw in rules:
        rule_kind = raw.get("kind", kind) if isinstance(raw, dict) else kind
        if rule_kind not in KINDS:
            raise RuleFileError(path, f"kind {rule_kind!r} must be one of {list(KINDS)}", raw.get("id"))
        out.append(parse_rule(raw, kind=rule_kind, family=family, path=path))
    return out


def builtin_rule_files() -> list[Path]:
    """The rule files shipped with sävy, sorted by name."""
    root = resources.files("sävy").joinpath("rules")
    return sorted(Path(str(p)) for p in root.iterdir() if p.name.endswith((".yaml", ".yml")))


def load_rules(paths: Sequence[str | Path] | None = None, *, builtin: bool = True) -> RuleSet:
    """Load the built-in rule files and any extra ``paths`` (files or folders)."""
    files: list[Path] = builtin_rule_files() if builtin else []
    for p in paths or ():
        p = Path(p)
        if p.is_dir():
            files.extend(sorted(x for x in p.iterdir() if x.suffix in (".yaml", ".yml")))
        elif p.is_file():
            files.append(p)
        else:
            raise RuleFileError(p, "no such rule file or folder")
    # a built-in file named again as an extra path is read once
    files = list({p.resolve(): p for p in files}.values())
    rules: list[Rule] = []
    for path in files:
        rules.extend(parse_rule_file(path.read_text(encoding="utf-8"), path))
    return RuleSet(tuple(rules), tuple(str(f) for f in files))
