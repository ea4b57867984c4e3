"""The critique JSON Schema (sävy.schema) matches what the analyzer really returns."""

from __future__ import annotations

import copy
import json

import pytest

pytest.importorskip("jsonschema")

from sävy.schema import SCHEMA_ID, SCHEMA_VERSION, load_schema, validate  # noqa: E402

# (reply, customer): plain and colloquial replies, with and without the customer
# message, rule and model findings, strengths, emoji, newlines, a URL, empty text.
REPLIES: list[tuple[str, str | None]] = [
    ("En tiedä.", None),
    ("Se ei kuulu minulle.", "Paketti tuli rikki ja olen todella vihainen!"),
    ("Lähetä kuva.", "Paketti on rikki!"),
    ("Pahoittelen tilannetta! Ymmärrän hyvin, että tämä harmittaa. Selvitän asian ja palaan teille "
     "huomenna klo 12 mennessä.", "Tilaukseni on myöhässä jo viikon."),
    ("Olisi pitänyt lukea ehdot ennen tilaamista.", "Miksi minulta veloitettiin kahdesti?"),
    ("Ei onnistu. Säännöt on säännöt.", None),
    ("Mä en tiiä, kysy joltain muulta 😅", None),
    ("Kiitos viestistä!\nKatsotaan asiaa mahdollisimman pian.\n\nTerveisin\nAsiakaspalvelu",
     "Hei, laskussani on virhe."),
    ("Vastaukset löytyvät UKK-sivultamme osoitteessa https://example.fi/ukk.", "Miten vaihdan salasanan?"),
    ("Tämä on vain pieni viive, ei mitään hätää.", "Lentoni peruttiin ja jäin jumiin!"),
    ("", None),
]


@pytest.fixture(scope="module")
def outputs(analyzer):
    """(reply, to_dict()) for every reply, one of them with an id."""
    out = []
    for i, (reply, customer) in enumerate(REPLIES):
        c = analyzer.critique(reply, customer, id=f"r{i}" if i % 2 else None)
        out.append((reply, c.to_dict()))
    return out


def test_schema_is_valid_draft_2020_12():
    from jsonschema import Draft202012Validator

    schema = load_schema()
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == SCHEMA_ID
    assert SCHEMA_ID.endswith(f"/{SCHEMA_VERSION}.json")
    assert SCHEMA_VERSION == "1"
    assert schema["title"]


def test_load_schema_returns_a_fresh_copy():
    schema = load_schema()
    schema["required"].append("nonsense")
    assert "nonsense" not in load_schema()["required"]


@pytest.mark.parametrize("index", range(len(REPLIES)))
def test_real_critiques_validate(outputs, index):
    reply, obj = outputs[index]
    validate(obj)
    validate(json.loads(json.dumps(obj, ensure_ascii=False)))  # and after a JSON round trip
    for f in obj["findings"]:
        assert f["end"] >= f["start"]
        assert f["text"] == reply[f["start"]:f["end"]]
    for s in obj["strengths"]:
        assert s["text"] == reply[s["start"]:s["end"]]


def test_outputs_cover_the_shape(outputs):
    """The replies above exercise every part of the schema, so the test means something."""
    findings = [f for _, o in outputs for f in o["findings"]]
    assert {f["source"] for f in findings} == {"rule", "model"}
    assert {f["severity"] for f in findings} == {"high", "medium", "low"}
    assert any(o["strengths"] for _, o in outputs)
    assert any(o["id"] is not None for _, o in outputs) and any(o["id"] is None for _, o in outputs)
    assert any(not o["findings"] for _, o in outputs)


def test_rules_only_analyzer_validates(rules_analyzer):
    obj = rules_analyzer.critique("En tiedä.", "Missä pakettini on?").to_dict()
    assert obj["version"]["model"] == "none"
    validate(obj)


DELETE = object()


def _changed(obj, path, value):
    """A deep copy of ``obj`` with the item at ``path`` set to ``value`` (or deleted)."""
    obj = copy.deepcopy(obj)
    target = obj
    for key in path[:-1]:
        target = target[key]
    if value is DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return obj


@pytest.mark.parametrize(
    "path, value, where",
    [
        (["risk"], DELETE, "$"),
        (["version"], DELETE, "$"),
        (["findings", 0, "message"], DELETE, "$.findings[0]"),
        (["signals", "complaint"], DELETE, "$.signals"),
        (["findings", 0, "severity"], "critical", "$.findings[0].severity"),
        (["findings", 0, "severity"], "HIGH", "$.findings[0].severity"),
        (["findings", 0, "source"], "human", "$.findings[0].source"),
        (["findings", 0, "rule"], "Dismissive_Unknowing", "$.findings[0].rule"),
        (["findings", 0, "start"], -1, "$.findings[0].start"),
        (["findings", 0, "end"], 3.5, "$.findings[0].end"),
        (["risk"], 1.5, "$.risk"),
        (["signals", "apology"], "0.5", "$.signals.apology"),
        (["id"], 7, "$.id"),
        (["extra"], 1, "$"),
        (["findings", 0, "extra"], 1, "$.findings[0]"),
        (["signals", "anger"], 0.5, "$.signals"),
        (["version", "model"], "", "$.version.model"),
        (["strengths"], [{"strength": "apology", "start": 0, "end": 1}], "$.strengths[0]"),
    ],
)
def test_invalid_critiques_are_rejected(outputs, path, value, where):
    good = next(o for _, o in outputs if o["findings"])
    validate(good)
    with pytest.raises(ValueError) as info:
        validate(_changed(good, path, value))
    assert str(info.value).startswith(where + ":"), str(info.value)
    assert info.value.path == where


@pytest.mark.parametrize("value", [None, [], "critique", 1])
def test_non_objects_are_rejected(value):
    with pytest.raises(ValueError, match=r"^\$"):
        validate(value)
