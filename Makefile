# Two commands set everything up: `make play` and `make test`.
# Each creates .venv on first use and re-installs when pyproject.toml changes.

PYTHON ?= python3
# Optional extras to install with the game: CI adds `scale` (Dask, pyarrow) for the sweep tests.
EXTRAS ?= dev
VENV := .venv
BIN := $(VENV)/bin
comma := ,
# One stamp per set of extras, so that asking for more extras installs them.
STAMP := $(VENV)/.installed-$(subst $(comma),-,$(EXTRAS))
MAP ?= maps/lakeside.tmx

.PHONY: play test lint slow art maps project bench clean-venv

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Rex needs Python 3.11 or newer (found " + sys.version.split()[0] + ")")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[$(EXTRAS)]'
	@touch $(STAMP)

play: $(STAMP)
	$(BIN)/rex play --map $(MAP)

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest -n auto

slow: $(STAMP)
	$(BIN)/python -m pytest -m slow

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

art: $(STAMP)
	$(BIN)/python -m tools.make_art

maps: $(STAMP)
	$(BIN)/python -m tools.make_maps

project: $(STAMP)
	$(BIN)/python -m tools.make_project

bench: $(STAMP)
	$(BIN)/python -m benchmarks.run --write-readme
	$(BIN)/python -m benchmarks.sizes --write
	$(BIN)/python -m benchmarks.reload --write

clean-venv:
	rm -rf $(VENV)
