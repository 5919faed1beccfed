"""Fixtures of the deployment tests."""

import pytest


@pytest.fixture(scope="module")
def deployments(tmp_path_factory):
    """A directory for this module's manifests (never the repository's deployments/)."""
    return tmp_path_factory.mktemp("deployments")
