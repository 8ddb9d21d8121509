# The two commands: `make demo` and `make test`. Everything else is set up from here.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test seeds plots lint bench clean

# The install hides setuptools' notice that sim/ here shadows the editable install: that is
# this layout's intent, and a newcomer's first command should print nothing to worry about.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	PYTHONWARNINGS='ignore:Editable installation' $(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/promise-sim run scenarios/zappos_vs_competitor.yaml --out results/zappos_vs_competitor

seeds: $(STAMP)
	$(BIN)/promise-sim seeds --out results/seeds

# Every comparison plot of scenarios/, deterministically (same inputs, same image bytes),
# each run also as an offline HTML report. CI runs this and publishes results/ as artifacts.
plots: $(STAMP)
	$(BIN)/promise-sim run scenarios/zappos_vs_competitor.yaml -q -o results/zappos_vs_competitor
	$(BIN)/promise-sim report results/zappos_vs_competitor -q
	$(BIN)/promise-sim run scenarios/repeat_customers.yaml -q -o results/repeat_customers
	$(BIN)/promise-sim report results/repeat_customers -q
	$(BIN)/promise-sim seeds -q -o results/seeds
	$(BIN)/promise-sim sweep scenarios/headline_buffer_sweep.yaml -q
	$(BIN)/promise-sim optimize scenarios/optimize_promise.yaml -q
	$(BIN)/promise-sim sensitivity scenarios/seeds_sensitivity.yaml -q

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest -n 2 -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: $(STAMP)
	$(BIN)/python benchmarks/throughput.py

clean:
	rm -rf $(VENV) results/*/
