"""The trained signal classifiers: held-out quality, calibration, safe loading."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from sävy.classifier import LinearScorer, default_model_dir, load_models, verify_manifest
from sävy.errors import ModelIntegrityError

REPO = Path(__file__).resolve().parents[1]

#: Floors a little under the figures measured on the test split (models/README.md).
FLOORS = {
    "missing-apology_f1": 0.95,
    "missing-empathy_f1": 0.88,
    "apology_roc_auc": 0.99,
    "empathy_roc_auc": 0.99,
    "complaint_roc_auc": 0.99,
}


@pytest.fixture(scope="module")
def models():
    return load_models()


@pytest.fixture(scope="module")
def test_split():
    """The test pairs of every training file (composed and free), as training splits them."""
    from sävy.train import DEFAULT_FILES, load_records

    return [r for path in DEFAULT_FILES for r in load_records(path) if r["split"] == "test"]


def test_manifest_metrics_meet_the_floors(models):
    metrics = models.manifest["metrics"]
    for key, floor in FLOORS.items():
        assert metrics[key] >= floor, f"{key} {metrics[key]} < {floor}"


def test_free_written_test_pairs_meet_their_floors(models):
    """The pairs written whole by another author (not composed from banks) hold up too."""
    free = models.manifest["metrics"]["by_origin"]["free"]
    assert models.manifest["metrics"]["test_by_origin"]["free"] >= 150
    assert free["missing-apology_f1"] >= 0.90 and free["missing-empathy_f1"] >= 0.90
    assert free["apology_roc_auc"] >= 0.99 and free["empathy_roc_auc"] >= 0.99


def test_second_free_written_set_meets_its_floors(models):
    """A third author's pairs (free2): measured 0.957 / 0.809 F1 and AUC 0.9998 / 0.991 at training."""
    free2 = models.manifest["metrics"]["by_origin"]["free2"]
    assert models.manifest["metrics"]["test_by_origin"]["free2"] >= 200
    assert free2["missing-apology_f1"] >= 0.93 and free2["missing-empathy_f1"] >= 0.78
    assert free2["apology_roc_auc"] >= 0.99 and free2["empathy_roc_auc"] >= 0.98


def test_findings_on_test_split_recomputed_end_to_end(analyzer, test_split):
    """Re-measure missing-apology / missing-empathy F1 through the public API."""
    items = [{"reply": r["reply"], "customer": r["customer"]} for r in test_split]
    tp = {"missing-apology": 0, "missing-empathy": 0}
    fp = dict(tp)
    fn = dict(tp)
    for record, critique in zip(test_split, analyzer.critique_many(items, batch_size=128)):
        found = {f.rule for f in critique.findings if f.source == "model"}
        truth = {
            "missing-apology": record["complaint"] == 1 and record["apology"] == 0,
            "missing-empathy": record["customer_feeling"] == 1 and record["empathy"] == 0,
        }
        for rule, expected in truth.items():
            hit = rule in found
            tp[rule] += hit and expected
            fp[rule] += hit and not expected
            fn[rule] += expected and not hit
    for rule, floor in (("missing-apology", FLOORS["missing-apology_f1"]), ("missing-empathy", FLOORS["missing-empathy_f1"])):
        f1 = 2 * tp[rule] / (2 * tp[rule] + fp[rule] + fn[rule])
        assert f1 >= floor - 0.01, f"{rule} F1 {f1:.3f}"


def test_probabilities_are_calibrated(analyzer, test_split):
    """Expected calibration error of the apology signal under 0.1 on the test split."""
    probs = np.array([c.signals["apology"] for c in analyzer.critique_many(
        [{"reply": r["reply"], "customer": r["customer"]} for r in test_split])])
    labels = np.array([r["apology"] for r in test_split])
    bins = np.clip((probs * 10).astype(int), 0, 9)
    ece = sum(abs(probs[bins == b].mean() - labels[bins == b].mean()) * (bins == b).mean()
              for b in range(10) if (bins == b).any())
    assert ece < 0.1


def test_fast_scorer_equals_scikit_learn(models, nlp):
    from sävy.features import feature_text

    for text in ["Pahoittelen viivettä, tarkistan asian.", "Lähetä kuva.", "Ikävä kuulla! Olemme pahoillamme.", ""]:
        feature = feature_text(nlp(text))
        for name, model in models.models.items():
            scorer = models.scorers[name]
            if not isinstance(scorer, LinearScorer):
                continue
            fast, why = scorer.score((feature, text))
            slow = model.predict_proba(np.array([[feature, text]], dtype=object))[0, 1]
            assert fast == pytest.approx(slow, abs=1e-9)
            assert scorer.explain((feature, text)) == why


def test_char_ngrams_equal_scikit_learns_analyzer(models):
    from sklearn.feature_extraction.text import TfidfVectorizer

    from sävy.classifier import char_wb_ngrams

    texts = ["", " ", "Pahoittelen  viivettä!\n\tHoidan\u00a0asian.", "a bb ccc dddd eeeee", "ÄÖ åäö 😀 x",
             "Hei,\r\nkiitos", "  reunat  ", "I" * 9]
    for low, high in ((2, 5), (1, 3), (3, 3)):
        analyze = TfidfVectorizer(analyzer="char_wb", ngram_range=(low, high)).build_analyzer()
        for text in texts:
            assert char_wb_ngrams(text, low, high) == analyze(text), (text, low, high)


def test_word_ngrams_equal_scikit_learns_analyzer():
    from sklearn.feature_extraction.text import TfidfVectorizer

    from sävy.classifier import word_ngrams

    texts = ["", " ", "pahoitella viive _p1_ _s:apology_", "A  b\n\tc\u00a0d\x1ce\u2028f", "yksi", "ÄÖ åäö 😀 x y",
             "_q_ _q_ _q_ _excl_"]
    for low, high in ((1, 2), (1, 1), (2, 3), (1, 4)):
        analyze = TfidfVectorizer(token_pattern=r"\S+", ngram_range=(low, high)).build_analyzer()
        for text in texts:
            assert word_ngrams(text, low, high) == analyze(text), (text, low, high)


def test_grouped_scoring_equals_each_model_alone(models, nlp):
    """The models of one input, scored in one pass, give each model's own probability."""
    from sävy.features import feature_text

    assert set(models.groups) == {"reply", "customer"}
    for text in ["Pahoittelen viivettä, tarkistan asian.", "Lähetä kuva.", "Olen tosi pettynyt!!", "", "ok"]:
        columns = (feature_text(nlp(text)), text)
        for which, group in models.groups.items():
            together = group.score(columns)
            for name in group.names:
                alone, _ = models.scorers[name].score(columns)
                assert together[name] == pytest.approx(alone, abs=1e-9), (which, name, text)
            assert group.score(columns) == together  # the second time from the per-word index cache


def test_grouped_scoring_survives_a_full_index_cache(models, nlp, monkeypatch):
    """The per-word cache is bounded; clearing it when full changes no probability."""
    from sävy.classifier import _BlockIndexer
    from sävy.features import feature_text

    text = "Pahoittelen viivettä, tarkistan asian ja palaan huomenna. Pahoittelen vielä."
    columns = (feature_text(nlp(text)), text)
    group = models.groups["reply"]
    before = group.score(columns)
    monkeypatch.setattr(_BlockIndexer, "MAX_CACHED", 3)
    for _, indexer in group.indexers:
        indexer.cache.clear()
    assert group.score(columns) == pytest.approx(before, abs=1e-12)
    assert all(len(indexer.cache) <= 3 for _, indexer in group.indexers)


@pytest.mark.parametrize("customer, reply, rule, expected", [
    ("Paketti tuli rikki ja olen todella pettynyt.", "Lähetä kuva rikkoutuneesta tuotteesta.", "missing-apology", True),
    ("Paketti tuli rikki ja olen todella pettynyt.", "Pahoittelen! Lähetä kuva, niin hoidan uuden tilalle.", "missing-apology", False),
    ("Mihin aikaan olette auki?", "Olemme auki arkisin 9–17.", "missing-apology", False),
    ("Olen tosi huolissani, ehtiikö lahja jouluksi?", "Tilaus lähtee huomenna.", "missing-empathy", True),
    ("Olen tosi huolissani, ehtiikö lahja jouluksi?", "Ymmärrän huolen! Tilaus lähtee huomenna ja ehtii hyvin.", "missing-empathy", False),
])
def test_model_findings(analyzer, customer, reply, rule, expected):
    c = analyzer.critique(reply, customer=customer)
    found = [f for f in c.findings if f.rule == rule]
    assert bool(found) == expected
    for f in found:
        assert f.source == "model" and reply[f.start:f.end] == f.text and f.explanation


def test_reply_only_finding_says_so(models, nlp):
    """Without a customer message the reply-only models decide, and the finding says so."""
    from sävy.classifier import SignalModels

    manifest = json.loads(json.dumps(models.manifest))
    manifest["thresholds"]["missing-apology/reply-only"] = {"present": 0.0, "covered": 1.01}
    eager = SignalModels(models.models, manifest)
    _, findings = eager.assess(nlp("Lähetä kuva rikkinäisestä näytöstä."), None, [])
    (f,) = [f for f in findings if f.rule == "missing-apology"]
    assert "asiakkaan viestiä ei annettu" in f.message and "complaint_from_reply" in f.explanation


def test_reply_only_findings_need_validation_precision(models):
    """A reply-only finding is on only where validation precision reached the floor."""
    for key in ("missing-apology/reply-only", "missing-empathy/reply-only"):
        t = models.thresholds[key]
        assert t["present"] > 1.0 or t["val_recall_at_precision"] > 0


def test_tampered_model_is_refused(tmp_path):
    copy = tmp_path / "models"
    shutil.copytree(default_model_dir(), copy)
    target = next(copy.glob("*.joblib"))
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0xFF
    target.write_bytes(bytes(data))
    with pytest.raises(ModelIntegrityError, match="SHA-256"):
        load_models(copy, trust=True)


def test_unlisted_model_file_is_refused(tmp_path):
    copy = tmp_path / "models"
    shutil.copytree(default_model_dir(), copy)
    (copy / "extra.joblib").write_bytes(b"not a model")
    with pytest.raises(ModelIntegrityError, match="not listed"):
        verify_manifest(copy)


def test_other_directory_needs_trust(tmp_path):
    copy = tmp_path / "models"
    shutil.copytree(default_model_dir(), copy)
    with pytest.raises(ModelIntegrityError, match="trust=True"):
        load_models(copy)
    assert load_models(copy, trust=True).thresholds


def test_model_size_under_20_mb():
    total = sum(p.stat().st_size for p in default_model_dir().glob("*.joblib"))
    assert 0 < total < 20_000_000


def test_loads_in_a_fresh_process():
    code = ("import json, sävy; c = sävy.critique('Lähetä kuva.', customer='Paketti tuli rikki, olen tosi pettynyt!');"
            "print(json.dumps(c.to_dict()))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    d = json.loads(out.stdout)
    assert d["version"]["model"].startswith("signals-")
    assert "missing-apology" in {f["rule"] for f in d["findings"]}


def test_manifest_records_data_files_relative_to_the_repo(tmp_path, monkeypatch):
    from sävy.train import REPO, repo_path

    monkeypatch.chdir(REPO)
    assert repo_path(Path("data/classifier/free_pairs.jsonl")) == "data/classifier/free_pairs.jsonl"
    assert repo_path(REPO / "data" / "classifier" / "free_pairs.jsonl") == "data/classifier/free_pairs.jsonl"
    outside = tmp_path / "x.jsonl"
    assert repo_path(outside) == str(outside)


@pytest.mark.slow
def test_held_out_fourth_author_meets_its_floors(analyzer):
    """free3_pairs.jsonl is never trained on (a new author's phrasing); measured 0.886 / 0.795 F1."""
    from sklearn.metrics import f1_score

    from sävy.train import DEFAULT_FILES, load_records

    path = REPO / "data" / "classifier" / "free3_pairs.jsonl"
    assert path not in DEFAULT_FILES
    rows = load_records(path)
    crits = list(analyzer.critique_many({"reply": r["reply"], "customer": r["customer"]} for r in rows))
    for finding, truth in (("missing-apology", lambda r: r["complaint"] and not r["apology"]),
                           ("missing-empathy", lambda r: r["customer_feeling"] and not r["empathy"])):
        y = [bool(truth(r)) for r in rows]
        pred = [any(f.rule == finding for f in c.findings) for c in crits]
        floor = {"missing-apology": 0.85, "missing-empathy": 0.75}[finding]
        assert f1_score(y, pred) >= floor, finding
