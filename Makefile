# treatydrafts — the two commands of the README:
#   make build   set up .venv if needed, parse every source, write data/ and figures/
#   make test    set up .venv if needed, run unit, golden and notebook (nbval) tests
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
# --dist loadfile: a notebook's cells stay on one worker; --no-loadscope-reorder: files run in
# collection order (xdist would otherwise start the files with most tests first, leaving the full
# rebuild of tests/test_build.py, one slow fixture and few tests, to run alone at the end)
PYTEST := $(BIN)/python -m pytest -n 2 --dist loadfile --no-loadscope-reorder --nbval --nbval-sanitize-with notebooks/sanitize.cfg

.PHONY: build rebuild test test-fast notebooks lab lock wheel benchmark benchmark-pipeline benchmark-linear clean-venv

$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $(STAMP)

build: $(STAMP)
	$(BIN)/treatydrafts build

# regenerate every table and figure, even when the manifest says they are up to date
rebuild: $(STAMP)
	$(BIN)/treatydrafts build --force

test: $(STAMP)
	$(PYTEST) tests notebooks

# library tests without the slow ones (marked @pytest.mark.slow: the full build, the wheel install,
# the long fuzz runs) and without the notebooks; `make test` runs everything
test-fast: $(STAMP)
	$(BIN)/python -m pytest -n 2 -m "not slow" tests

# re-execute every notebook in place to refresh its committed outputs
notebooks: $(STAMP)
	$(BIN)/python -m treatydrafts.release.notebooks

# open the notebooks in JupyterLab (pinned in requirements.lock, kernel: the .venv's python3)
lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/

# regenerate requirements.lock after editing requirements.in: keeps the current pins, adds what is
# new, and records this Python as the reference environment (see src/treatydrafts/store.py)
lock: $(STAMP)
	$(BIN)/python -m pip install --quiet -r requirements.in -c requirements.lock
	{ echo "# python $$($(BIN)/python -c 'import sys; print("%d.%d" % sys.version_info[:2])')"; \
	  echo "# The reference environment (Python minor version above, pins below): only a build on it writes"; \
	  echo "# data/build-manifest.json. Regenerate with \`make lock\` (pip freeze of .venv)."; \
	  $(BIN)/python -m pip freeze --exclude-editable; } > requirements.lock.new
	mv requirements.lock.new requirements.lock

# a wheel carrying the sources and the built tables (dist/); pip fetches the build backend
# from the configured index
wheel: $(STAMP)
	$(BIN)/python -m pip wheel --quiet --no-deps --wheel-dir dist .

benchmark: $(STAMP)
	$(BIN)/python benchmarks/bench_parse.py

# cold-start cost of README command 1 (per build step) and of the nbval run (per
# notebook), beside interpreter, import and kernel start-up; prints ratios only
benchmark-pipeline: $(STAMP)
	$(BIN)/python benchmarks/bench_pipeline.py

# linear time and memory on pathological input: each pattern at n and 2n in fresh processes
# (CPU time, peak RSS, tracemalloc peak and their ratios; see docs/reliability.md)
benchmark-linear: $(STAMP)
	$(BIN)/python benchmarks/bench_linear.py

clean-venv:
	rm -rf $(VENV)
