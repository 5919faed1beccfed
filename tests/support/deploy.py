"""Helpers of the deployment tests (imported by the modules of tests/deploy): config paths, deploy contexts on the
test chain or one that believes it is live, quiet consoles."""

import io
from pathlib import Path
from types import SimpleNamespace

import ape
from rich.console import Console

from ballast.deploy import DeployContext

ROOT = Path(__file__).resolve().parents[2]
LOCAL_CONFIG = ROOT / "config" / "local.yaml"
TESTNET_CONFIG = ROOT / "config" / "ballast-testnet.yaml"


def quiet_console() -> Console:
    """A console that records instead of printing (read it back with `.file.getvalue()`)."""
    return Console(file=io.StringIO(), width=200, color_system=None)


def deploy_context(project, chain, gov, console=None) -> DeployContext:
    return DeployContext(
        project=project,
        chain=chain,
        accounts=ape.accounts,
        deployer=gov,
        config_manager=ape.config,
        console=console or quiet_console(),
    )


def off_local_context(project, gov, name: str = "sepolia") -> DeployContext:
    """A context that believes it is connected to a live network (nothing is sent through it)."""
    network = SimpleNamespace(name=name, is_local=False, ecosystem=SimpleNamespace(name="ethereum"))
    chain = SimpleNamespace(provider=SimpleNamespace(network=network), chain_id=11155111)
    return deploy_context(project, chain, gov)
