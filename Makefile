# ballast — every entry point. `make demo` and `make test` are the two commands a person needs;
# both run `setup` first, which is idempotent (a second run takes a few seconds).
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON      ?= python3.11
VENV        := .venv
BIN         := $(CURDIR)/$(VENV)/bin
UV_VERSION  := 0.13.8
SOLC_VERSION := $(shell sed -n 's/^ *"solc": "\([0-9.]*\)".*/\1/p' package.json)
FOUNDRY_TOOLS := anvil forge cast
OZ_SOURCES  := .deps/openzeppelin-contracts

# Everything below runs with the venv (ape, anvil, forge, cast) first on PATH.
export PATH := $(BIN):$(PATH)
# The project never fetches anything at run time; say so to the tools that might try.
export HYPOTHESIS_STORAGE_DIRECTORY ?= $(CURDIR)/.hypothesis

.PHONY: help setup setup-python setup-contracts foundry-links tools versions test check lint-and-unit-tests test-python lint-and-test-python test-contracts test-forge analyze slither-gate mutate lint demo node deploy bench lock clean

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

setup: setup-python setup-contracts ## create .venv, install pinned Python + npm sets, the solc bridge, tool links
	@$(MAKE) --no-print-directory versions

# The gas anchors that ship as sources only (Morpho Blue), compiled with the compiler they pin into out-anchors/ for
# the forge gas harness (tests/forge/gas/AnchorGas.t.sol) by tools/build-anchors.cjs: rebuilt only when the script or
# the npm set changes (the script itself also skips when its compiler input is unchanged).
ANCHORS_BUILT := out-anchors/morpho-blue/manifest.json

# The two halves of the set-up, so that `make test` starts the forge build while the Python packages install.
setup-python: $(VENV)/.installed $(OZ_SOURCES)/.installed tools setup-browser
setup-contracts: node_modules/.installed foundry-links $(ANCHORS_BUILT)

$(ANCHORS_BUILT): tools/build-anchors.cjs node_modules/.installed
	@node tools/build-anchors.cjs
	@touch $@

# Headless Chromium for the scenario report's page test (tests/report; driven over the DevTools protocol, so no
# chromedriver), part of the Python half of the set-up: Debian's package, installed (as root, from the Debian registry)
# only when /usr/bin/chromium is absent. The pin is bookworm-security's build; Debian's security archive keeps only the
# newest build, so when the pin is gone the current build of the same package is installed, and the line says so.
CHROMIUM_VERSION := 156.0.8078.129-1~deb12u1
CHROMIUM := /usr/bin/chromium
.PHONY: setup-browser
setup-browser: ## install headless Chromium (Debian, pinned) when /usr/bin/chromium is absent
	@if [ ! -x $(CHROMIUM) ]; then \
	  if [ "$$(id -u)" != 0 ]; then \
	    echo "ballast: the report test needs Chromium: run 'sudo make setup-browser' (Debian's chromium package)"; exit 1; fi; \
	  apt-get update -qq || { echo "ballast: apt-get update failed: Chromium (Debian's chromium) is not installed"; exit 1; }; \
	  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	      chromium=$(CHROMIUM_VERSION) >/dev/null 2>&1; then \
	    echo "ballast: chromium $(CHROMIUM_VERSION) is no longer in Debian's archive; installing its current build"; \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null; fi; \
	  echo "chromium $$(dpkg-query -W -f='$${Version}' chromium)"; fi

$(BIN)/python:
	@$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.lock pyproject.toml | $(BIN)/python
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	@# Bytecode compiled once here: the environment may forbid writing it (PYTHONDONTWRITEBYTECODE), and every
	@# ape process would then compile its imports again (about 2.5 s each; `make test` starts dozens).
	@$(BIN)/uv pip sync --quiet --compile-bytecode --python $(BIN)/python requirements.lock
	@$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps --no-build-isolation -e .
	@touch $@

node_modules/.installed: package.json package-lock.json
	@npm ci --no-fund --no-audit --loglevel=error
	@touch $@

# ape's OpenZeppelin dependency: only the Solidity sources of the pinned npm package (see ape-config.yaml).
$(OZ_SOURCES)/.installed: node_modules/.installed
	@rm -rf $(OZ_SOURCES) contracts/.cache && mkdir -p $(OZ_SOURCES)
	@cd node_modules/@openzeppelin/contracts && find . -name '*.sol' -not -path './build/*' -exec cp --parents {} $(CURDIR)/$(OZ_SOURCES)/ \;
	@touch $@

# anvil, forge and cast from their npm packages, on the venv's PATH (forge compiles through tools/solc).
foundry-links: node_modules/.installed | $(BIN)/python
	@for t in $(FOUNDRY_TOOLS); do \
	  ln -sfn $(CURDIR)/node_modules/@foundry-rs/$$t-linux-amd64/bin/$$t $(BIN)/$$t; done

tools: $(VENV)/.installed node_modules/.installed foundry-links
	@tools/install-solc-bridge.sh $(SOLC_VERSION)
	@# slither-analyzer brings solc-select, whose `solc` shim downloads compilers: make `solc` the pinned bridge.
	@ln -sfn $${SOLCX_BINARY_PATH:-$$HOME/.solcx}/solc-v$(SOLC_VERSION) $(BIN)/solc

versions: ## print the pinned tool versions
	@echo "python  $$($(BIN)/python -c 'import platform; print(platform.python_version())')"
	@echo "ape     $$($(BIN)/python -c 'import importlib.metadata as m; print(m.version("eth-ape"), "| ape-solidity", m.version("ape-solidity"), "| ape-foundry", m.version("ape-foundry"))')"
	@echo "solc    $$(solc_bin=$${SOLCX_BINARY_PATH:-$$HOME/.solcx}/solc-v$(SOLC_VERSION); $$solc_bin --version | sed -n 's/^Version: //p') (solc-js bridge)"
	@for t in $(FOUNDRY_TOOLS); do echo "$$t   $$($$t --version | head -n1 | sed 's/^[a-z]* Version: //')"; done

# Two halves side by side on the two cores: lint then the pytest suites (two pytest workers, each with its anvil),
# and the contract half (solc-js, then the forge VM). The slither gate (its own forge build) takes the first core the
# Python half frees. Each command's output is printed whole when it ends.
test: ## run the whole suite (set-up included): lint + ape test, beside forge build + forge test + gas guard, then the slither gate
	@$(MAKE) --no-print-directory -j2 --output-sync=line lint-and-test-python test-contracts slither-gate

lint-and-test-python: setup-python setup-contracts # the Python half of `make test`
	@$(MAKE) --no-print-directory versions
	@$(MAKE) --no-print-directory lint
	@$(MAKE) --no-print-directory test-python

test-contracts: setup-contracts ## forge build + forge tests, then the gas guard
	@$(MAKE) --no-print-directory test-forge
	@$(MAKE) --no-print-directory gas-check

# `ape test` over the whole tree, its test files shared out between two pytest workers (pytest-xdist; a file stays on
# one worker, so module-scoped deployments behave as in one process). The contracts are compiled first, once.
test-python: ## the pytest suites: `ape test` over tests/ on two workers (plain `ape test` runs the same in one process)
	@$(BIN)/ape compile
	@$(BIN)/ape test -n 2 --dist loadfile

# The fast tier: lint, the forge build and tests, and the Python tests that need neither the test chain nor a process
# of their own (the `chain` marker comes from each test's fixtures, see tests/conftest.py; `slow` is set by hand).
# Lint and those tests run beside forge.
check: setup ## the fast tier: lint, forge build + tests, the Python unit tests (no chain)
	@$(MAKE) --no-print-directory -j2 --output-sync=line lint-and-unit-tests test-forge

lint-and-unit-tests: # the Python half of `make check`
	@$(MAKE) --no-print-directory lint
	@$(BIN)/ape test -m "not chain and not slow" -q

test-forge: ## forge build (warnings are errors) and the forge tests under tests/forge
	@forge build
	@if compgen -G 'tests/forge/**/*.t.sol' >/dev/null || compgen -G 'tests/forge/*.t.sol' >/dev/null; then forge test; fi

analyze: setup ## slither over the contracts: every High/Medium finding fixed or triaged in security/slither-triage.yaml
	@$(MAKE) --no-print-directory slither-gate

slither-gate: setup-python # `analyze` without the whole set-up; slither builds in .build/slither
	@$(BIN)/python -m ballast.analysis

# MUTATE_ARGS narrows or resumes a campaign, e.g. "--contracts Pool,Liquidator" or "--retest-survivors".
mutate: setup ## mutation score (not in CI; hours): slither-mutate's mutants of the core vs the forge suite -> security/mutation/summary.md
	@nice -n 19 $(BIN)/python security/mutation/campaign.py run $(MUTATE_ARGS)
	@$(BIN)/python security/mutation/campaign.py summary

PY_SOURCES := ballast scripts tests bots ape_console_extras.py

lint: $(VENV)/.installed ## ruff (lint and format), mypy --strict over ballast/, forge fmt --check (.pre-commit-config.yaml runs the same)
	@$(BIN)/ruff check $(PY_SOURCES)
	@$(BIN)/ruff format --check $(PY_SOURCES)
	@$(BIN)/mypy
	@forge fmt --check

demo: setup ## a liquidation cascade with 200 accounts on a local anvil; prints where the report is
	@$(BIN)/ape run scenario crash --accounts 200

# The project's local node: the network `make deploy`, the keepers and `ape console --network ethereum:local` (with
# APE_FOUNDRY_HOST, see docs/operations.md) work on. The accounts are ape's test accounts (the same mnemonic), and
# the chain is written to NODE_STATE when anvil stops (Ctrl-C) and every NODE_STATE_INTERVAL seconds, then loaded
# again by the next `make node`: a deployment survives a restart. `rm -rf .ballast/node` starts a fresh chain.
NODE_PORT           ?= 8545
NODE_STATE          := .ballast/node/state.json
NODE_STATE_INTERVAL := 10
export BALLAST_NODE_URI := http://127.0.0.1:$(NODE_PORT)
NODE_LISTENING = (exec 3<>/dev/tcp/127.0.0.1/$(NODE_PORT)) 2>/dev/null

node: foundry-links ## keep the local node (anvil on 127.0.0.1:8545, chain 31337) running in this terminal; its chain is saved in .ballast/node/
	@if $(NODE_LISTENING); then echo "Error: 127.0.0.1:$(NODE_PORT) is taken (a node started before?): stop it, or use another NODE_PORT"; exit 1; fi
	@mkdir -p $(dir $(NODE_STATE))
	@echo "ballast node: $(BALLAST_NODE_URI), chain 31337, state $(NODE_STATE)$$(test -f $(NODE_STATE) && echo ' (loaded)'); Ctrl-C stops it and saves the chain"
	@echo "in another terminal: make deploy; APE_FOUNDRY_HOST=$(BALLAST_NODE_URI) ape console --network ethereum:local"
	@exec anvil --host 127.0.0.1 --port $(NODE_PORT) --accounts 10 --balance 10000 --hardfork prague \
	  --block-base-fee-per-gas 0 --gas-price 0 --state $(NODE_STATE) --state-interval $(NODE_STATE_INTERVAL)

deploy: setup ## deploy config/local.yaml to the running `make node` node (writes deployments/local.json)
	@$(NODE_LISTENING) || { echo "Error: no node at $(BALLAST_NODE_URI): start it with \`make node\` (in another terminal), then run \`make deploy\` again"; exit 1; }
	@$(BIN)/ape run deploy

bench: setup ## gas vs anchors and targets, scaling, liquidations per block, driver and keeper throughput on anvil (writes bench/results.*)
	@forge build
	@$(BIN)/ape run bench

.PHONY: gas-check gas-snapshot
gas-check: ## fail when an operation's gas rose more than 2 % over bench/gas-snapshot.json (forge harness, seconds)
	@forge build
	@$(BIN)/python -m ballast.bench check

gas-snapshot: ## rewrite bench/gas-snapshot.json from the forge gas harness
	@forge build
	@$(BIN)/python -m ballast.bench snapshot

lock: ## re-resolve requirements.lock from requirements.in (needs the registry)
	@$(BIN)/uv pip compile --quiet --python-version 3.11 --generate-hashes --no-header requirements.in -o requirements.lock

clean: ## remove build outputs (keeps .venv and node_modules)
	rm -rf .build contracts/.cache out out-anchors cache reports .hypothesis .deps
