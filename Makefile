# sävy — `make demo` and `make test` are all a new machine needs.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.savy-setup

.PHONY: setup demo test train bench morph-eval rules-eval clean

setup: $(STAMP)

$(STAMP): pyproject.toml constraints.txt scripts/setup.sh
	PYTHON=$(PYTHON) VENV=$(VENV) sh scripts/setup.sh
	touch $(STAMP)

DEMO := build/demo

demo: setup
	@mkdir -p $(DEMO)
	$(BIN)/savy score data/samples/transcripts.jsonl -o $(DEMO)/scored.jsonl --no-progress
	$(BIN)/savy report $(DEMO)/scored.jsonl -o $(DEMO)/report.html
	$(BIN)/savy check --file data/samples/replies.txt
	@echo "demo: open $(DEMO)/report.html in a browser"

test: setup
	$(BIN)/python -m pytest -q

train: setup
	$(BIN)/python -m sävy.train

bench: setup
	$(BIN)/python -m sävy.bench
	$(BIN)/python -m sävy.batch.bench

morph-eval: setup
	$(BIN)/python -m sävy.morph_eval ../shared/data/ud_finnish_tdt/fi_tdt-ud-test.conllu

rules-eval: setup
	$(BIN)/python -m sävy.rules_eval data/eval/heldout_v2.jsonl --markdown
	$(BIN)/python -m sävy.rules_eval data/eval/lead_heldout.jsonl --markdown

clean:
	rm -rf $(VENV) build dist .pytest_cache
