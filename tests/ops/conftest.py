"""Operator checks run as a person runs the commands: `ape run ...` and `silverback run ...` in processes of their
own, against an anvil of the module's (`ballast.scenarios.node.lean_anvil`) on which the real `ape run deploy` put
config/local.yaml. The commands reach it as `ethereum:local:foundry` through `APE_FOUNDRY_HOST`, as they reach the
`make node` node, and read the manifest from a temporary deployments folder."""

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from ape.utils.testing import DEFAULT_TEST_HD_PATH, DEFAULT_TEST_MNEMONIC

from ballast.scenarios.node import lean_anvil

from support.commands import ROOT

BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class Node:
    uri: str
    deployments: Path

    def env(self, **extra: str) -> dict[str, str]:
        """The environment of a command on this node, with its manifests."""
        return {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "APE_FOUNDRY_HOST": self.uri,
            "BALLAST_DEPLOYMENTS_DIR": str(self.deployments),
            **extra,
        }


def run(args: list[str], env: dict[str, str], timeout: float = 300) -> subprocess.CompletedProcess:
    """`args` (a tool of the venv: ape, silverback, make) from the repository root."""
    tool = BIN / args[0] if (BIN / args[0]).exists() else args[0]
    return subprocess.run(
        [str(tool), *args[1:]], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )


@pytest.fixture(scope="module")
def node(tmp_path_factory):
    """A fresh anvil with config/local.yaml deployed on it by `ape run deploy` (the manifest in a temporary folder)."""
    deployments = tmp_path_factory.mktemp("deployments")
    with lean_anvil(DEFAULT_TEST_MNEMONIC, DEFAULT_TEST_HD_PATH) as uri:
        here = Node(uri, deployments)
        started = time.monotonic()
        result = run(["ape", "run", "deploy", "--network", "ethereum:local:foundry"], here.env(), timeout=600)
        assert result.returncode == 0, result.stderr + result.stdout
        assert (deployments / "local.json").exists(), f"deployed in {time.monotonic() - started:.0f} s"
        yield here
