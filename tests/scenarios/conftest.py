"""Scenario fixtures: one deployment of config/local.yaml per module; each run starts from a snapshot of it."""

import pytest
from rich.console import Console

from ballast.scenarios.population import deploy_scenario_system
from ballast.scenarios.runner import run_scenario


@pytest.fixture(scope="module")
def system(project, chain, accounts):
    return deploy_scenario_system(project, chain, accounts)


@pytest.fixture
def run(project, chain, accounts, system):
    """`run(spec, settings)`: the scenario on the module's deployment, the chain restored afterwards."""

    def _run(spec, settings):
        snapshot = chain.snapshot()
        try:
            return run_scenario(
                project, chain, accounts, spec, settings, Console(quiet=True), progress=False, system=system
            )
        finally:
            chain.restore(snapshot)

    return _run
