"""Rule packs and detectors from an installed package, and the project config file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sävy.config import ConfigError, find_config, load_config
from sävy.plugins import PluginError, check_detector, run_detector

EXAMPLE = Path(__file__).parent / "plugin_example"


@pytest.fixture(scope="module")
def plugin_site(tmp_path_factory) -> Path:
    """The example plugin installed into a folder of its own (the test venv stays clean)."""
    target = tmp_path_factory.mktemp("site")
    build = tmp_path_factory.mktemp("build")
    done = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
                           "--target", str(target), str(EXAMPLE)],
                          capture_output=True, text=True, timeout=300, cwd=build)
    assert done.returncode == 0, done.stderr
    assert list(target.glob("savy_plugin_example-*.dist-info"))
    return target


def savy_with_plugin(site: Path, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(site)}
    return subprocess.run([sys.executable, "-m", "sävy.cli", *args], capture_output=True, text=True, env=env,
                          timeout=300, cwd=cwd)


def test_installed_plugin_rule_and_detector_fire(plugin_site, tmp_path):
    done = savy_with_plugin(plugin_site, "check", "--json", "Paketti lähtee heti. Tämä on TÄRKEÄÄ.", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    findings = json.loads(done.stdout)["findings"]
    assert [(f["rule"], f["text"], f["source"]) for f in findings] == [
        ("example-heti-lupaus", "lähtee heti", "rule"), ("example-shouting", "TÄRKEÄÄ", "detector")]


def test_rules_list_shows_plugin_rules_and_detectors(plugin_site, tmp_path):
    done = savy_with_plugin(plugin_site, "rules", "list", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "example-heti-lupaus" in done.stdout and "toimitus.yaml" in done.stdout
    assert "detector example-shouting" in " ".join(done.stdout.split())
    off = savy_with_plugin(plugin_site, "rules", "list", "--no-plugins", cwd=tmp_path)
    assert "example-" not in off.stdout


def test_rules_test_runs_a_plugin_files_examples(plugin_site, tmp_path):
    done = savy_with_plugin(plugin_site, "rules", "test", str(EXAMPLE / "savy_plugin_example" / "toimitus.yaml"),
                            cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip().endswith("ok: 0 example(s) failed")


def test_project_config_disables_and_changes_severity(plugin_site, tmp_path):
    (tmp_path / "local.yaml").write_text((EXAMPLE / "savy_plugin_example" / "toimitus.yaml").read_text(
        encoding="utf-8").replace("example-heti-lupaus", "local-heti").replace("family: example", "family: local"),
        encoding="utf-8")
    (tmp_path / "savy.toml").write_text(
        'rules = ["local.yaml"]\ndisable = ["example-shouting"]\nplugins = true\n'
        '[severities]\nexample-heti-lupaus = "high"\n', encoding="utf-8")
    sub = tmp_path / "deeper"
    sub.mkdir()
    done = savy_with_plugin(plugin_site, "check", "--json", "Lähetämme sen pian. TÄRKEÄÄ.", cwd=sub)
    assert done.returncode == 0, done.stderr
    findings = {f["rule"]: f["severity"] for f in json.loads(done.stdout)["findings"]}
    assert findings == {"example-heti-lupaus": "high", "local-heti": "low"}
    ignored = savy_with_plugin(plugin_site, "check", "--json", "--no-config", "Lähetämme sen pian. TÄRKEÄÄ.",
                               cwd=sub)
    assert {f["rule"] for f in json.loads(ignored.stdout)["findings"]} == {"example-heti-lupaus", "example-shouting"}


def test_pyproject_tool_table_is_found(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n[tool.savy]\ndisable = ["minimizing"]\n',
                                             encoding="utf-8")
    (tmp_path / "a" / "b").mkdir(parents=True)
    assert find_config(tmp_path / "a" / "b") == tmp_path / "pyproject.toml"
    assert load_config(tmp_path / "pyproject.toml").disable == ("minimizing",)


@pytest.mark.parametrize("text, message", [
    ('disabel = ["x"]', "unknown key"),
    ('rules = "one.yaml"', "list of strings"),
    ('plugins = "yes"', "true or false"),
    ('[severities]\nminimizing = 3', "severities"),
    ("rules = [", "cannot read"),
])
def test_bad_config_names_file_and_key(tmp_path, text, message):
    path = tmp_path / "savy.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message) as info:
        load_config(path)
    assert str(path) in str(info.value)


def test_detector_objects_are_checked():
    class NoSeverity:
        id, message, suggestion = "x", "m", "s"

        def __call__(self, doc):
            return []

    with pytest.raises(PluginError, match="severity"):
        check_detector(NoSeverity, "test")


def test_detector_spans_are_checked(nlp):
    class Wrong:
        id, severity, message, suggestion = "x", "low", "m", "s"

        def __call__(self, doc):
            return [(0, 999)]

    with pytest.raises(PluginError, match="bad span"):
        run_detector(check_detector(Wrong, "test"), nlp("Hei."))


def test_detectors_passed_to_the_analyzer(nlp):
    from sävy import Analyzer

    class Exclaim:
        id, severity, message, suggestion = "many-exclamations", "low", "Liikaa huutomerkkejä.", "Yksi riittää."

        def __call__(self, doc):
            return [{"start": t.idx, "end": t.idx + len(t.text), "explanation": "!!"} for t in doc if t.text == "kvak"]

    analyzer = Analyzer(nlp=nlp, models=None, plugins=False, detectors=[Exclaim()],
                        severities={"many-exclamations": "medium"})
    critique = analyzer.critique("Kiitos kvak hyvää päivää.")
    from sävy.schema import validate

    validate(critique.to_dict())  # detector findings are part of the published contract
    (finding,) = critique.findings
    assert (finding.rule, finding.severity, finding.text, finding.source) == ("many-exclamations", "medium", "kvak",
                                                                             "detector")
    off = Analyzer(nlp=nlp, models=None, plugins=False, detectors=[Exclaim()], disable=["many-exclamations"])
    assert off.critique("Kiitos kvak hyvää päivää.").findings == ()
