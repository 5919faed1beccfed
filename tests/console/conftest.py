"""Fixtures of the console tests: config/local.yaml deployed on the module's chain (as `make deploy` does), the
console's names bound to it and printing into a recording console, and call traces off as in `ape console`."""

import pytest

from ballast import console_hooks
from ballast.console import init_console
from ballast.deploy import run_deploy

from support.deploy import LOCAL_CONFIG, deploy_context, quiet_console


@pytest.fixture(scope="module")
def deployments(tmp_path_factory):
    """A directory for this module's manifests (never the repository's deployments/)."""
    return tmp_path_factory.mktemp("deployments")


@pytest.fixture(scope="module")
def deployed(project, chain, accounts, deployments):
    return run_deploy(deploy_context(project, chain, accounts[0]), LOCAL_CONFIG, deployments)


@pytest.fixture(scope="module")
def names(deployed, project, chain, accounts, deployments):
    """What `ape console` holds: the console's names (printing into `names["console"]`) and ape's own."""
    console = quiet_console()
    names = init_console(chain, project, deployments, console, price_sender=accounts[0])
    return {**names, "console": console, "accounts": accounts, "chain": chain, "project": project}


@pytest.fixture
def output(names):
    """What the console printed during the test (read it with `output()`)."""
    console = names["console"]
    start = len(console.file.getvalue())
    return lambda: console.file.getvalue()[start:]


@pytest.fixture
def traces_off():
    """Call traces off, as `ape console` starts; back as they were after the test."""
    was = console_hooks.traces()
    console_hooks.traces(False)
    yield
    console_hooks.traces(was)
