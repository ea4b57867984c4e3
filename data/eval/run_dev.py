"""Run the rules over a dev list (TSV: label<TAB>reply) and print misses, extra findings and false alarms.

    python data/eval/run_dev.py data/eval/dev_round3.tsv

Dev lists were written to find what the rules miss and were used to change them;
lead_heldout.jsonl is the held-out set that was not.
"""
import sys, collections
sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[2] / "src"))
from sävy import Analyzer
a = Analyzer(models=None)
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
miss = collections.Counter(); tot = collections.Counter(); fa = 0
for label, text in rows:
    got = {f.rule for f in a.critique(text).findings}
    tot[label] += 1
    if label == "clean":
        if got:
            fa += 1; print("FALSE ALARM", got, "|", text)
    else:
        if label not in got:
            miss[label] += 1; print("MISS", label, "| got", got or "-", "|", text)
        extra = got - {label}
        if extra: print("   extra", extra, "|", text)
print({k: f"{tot[k]-miss[k]}/{tot[k]}" for k in tot if k != "clean"}, "false alarms", fa, "/", tot["clean"])
