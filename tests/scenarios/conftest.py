"""Scenario fixtures: one deployment of config/local.yaml per module; each run starts from a snapshot of it."""

import pytest
from rich.console import Console

from ballast.scenarios.population import deploy_scenario_system
from ballast.scenarios.runner import run_scenario


@pytest.fixture(scope="module")
def system(project, chain, accounts):
    return deploy_scenario_system(project, chain, accounts)


@pytest.fixture(scope="module")
def runs() -> dict:
    """The module's finished runs by scenario and settings: a run is deterministic (seeded, from the same snapshot),
    so tests that read the same run share it."""
    return {}


@pytest.fixture
def run(project, chain, accounts, system, runs):
    """`run(spec, settings)`: the scenario on the module's deployment, the chain restored afterwards; a run this
    module already made with the same spec and settings is returned again."""

    def _run(spec, settings):
        key = (
            id(spec),
            settings,
        )  # the same spec object: a spec built in a test is never confused with another
        if key not in runs:
            snapshot = chain.snapshot()
            try:
                result = run_scenario(
                    project,
                    chain,
                    accounts,
                    spec,
                    settings,
                    Console(quiet=True),
                    progress=False,
                    system=system,
                )
            finally:
                chain.restore(snapshot)
            runs[key] = (spec, result)  # the spec is kept alive, so its id is not reused
        return runs[key][1]

    return _run
