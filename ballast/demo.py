"""The main job behind `make demo`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.console import Console
from rich.table import Table

# Mock assets of a local deployment: symbol -> (name, decimals).
LOCAL_TOKENS: dict[str, tuple[str, int]] = {
    "USDC": ("USD Coin", 6),
    "WBTC": ("Wrapped BTC", 8),
    "WETH": ("Wrapped Ether", 18),
}


@dataclass(frozen=True)
class Deployed:
    name: str
    address: str
    detail: str


def run_demo(cli_ctx: Any, console: Console | None = None) -> list[Deployed]:
    """Deploy the contracts that exist to the connected (local) network and print a table of them."""
    console = console or Console()
    project, chain = cli_ctx.local_project, cli_ctx.chain_manager
    if not cli_ctx.network_manager.network.is_local:
        cli_ctx.abort(
            "the demo deploys mock tokens and runs only on a local network (e.g. ethereum:local:foundry)"
        )
    deployer = cli_ctx.account_manager.test_accounts[0]

    deployed = []
    for symbol, (name, decimals) in LOCAL_TOKENS.items():
        token = project.MockERC20.deploy(name, symbol, decimals, sender=deployer)
        deployed.append(Deployed(f"MockERC20 {symbol}", token.address, f"{decimals} decimals"))

    table = Table(
        title=f"ballast demo: deployed on {chain.provider.network.choice} (block {chain.blocks.height})"
    )
    for column in ("contract", "address", "detail"):
        table.add_column(column)
    for row in deployed:
        table.add_row(row.name, row.address, row.detail)
    console.print(table)
    return deployed
