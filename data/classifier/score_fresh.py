"""Score a pair file with the bundled models, as a fresh set (before it is used for training).

    python data/classifier/score_fresh.py data/classifier/free3_pairs.jsonl [--models DIR]

Prints missing-apology and missing-empathy precision, recall and F1 from
``Analyzer.critique`` (reply + customer), and the signals' ROC-AUC.
"""
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src"))
from sklearn.metrics import precision_recall_fscore_support, roc_auc_score  # noqa: E402

from sävy import Analyzer  # noqa: E402
from sävy.classifier import load_models  # noqa: E402

rows = [json.loads(line) for line in open(sys.argv[1], encoding="utf-8") if line.strip()]
# --models DIR: models trained elsewhere (e.g. leaving this file out), trusted as our own build
models = load_models(sys.argv[sys.argv.index("--models") + 1], trust=True) if "--models" in sys.argv else "default"
analyzer = Analyzer(models=models)
crits = list(analyzer.critique_many({"id": r["id"], "reply": r["reply"], "customer": r["customer"]} for r in rows))
out = {"pairs": len(rows), "model": crits[0].version.get("model")}
for finding, truth in (("missing-apology", lambda r: r["complaint"] and not r["apology"]),
                       ("missing-empathy", lambda r: r["customer_feeling"] and not r["empathy"])):
    y = [int(bool(truth(r))) for r in rows]
    pred = [int(any(f.rule == finding for f in c.findings)) for c in crits]
    p, rec, f1, _ = precision_recall_fscore_support(y, pred, average="binary", zero_division=0)
    out[finding] = {"cases": sum(y), "P": round(p, 3), "R": round(rec, 3), "F1": round(f1, 3)}
for signal, label in (("apology", "apology"), ("empathy", "empathy"), ("complaint", "complaint")):
    out[f"auc_{signal}"] = round(roc_auc_score([r[label] for r in rows], [c.signals[signal] for c in crits]), 3)
print(json.dumps(out, indent=1))
