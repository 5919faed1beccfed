"""`ape run keeper rewards`: show the rewards a keeper holds in its MarginEngine account, and withdraw them.

    ape run keeper rewards --network ethereum:local:foundry --account TEST::4
    ape run keeper rewards --network ... --account keeper --withdraw --to 0x...

The Liquidator pays a keeper into its own engine account (settlement credit, or the collateral the reward came from),
so no token moves inside a liquidation. Without --engine the engine comes from the network's deployment manifest.
"""

import click
from ape.cli import account_option, ape_cli_context, network_option
from eth_utils import is_address, to_checksum_address
from rich.console import Console
from rich.table import Table

from ballast.accounts import keeper_signer
from ballast.cli import NodeCommand
from ballast.errors import KeeperError
from ballast.keepers.liquidation import connect_contracts
from ballast.keepers.liquidation.rewards import holdings_of, withdraw_all


@click.command(cls=NodeCommand, short_help="Show and withdraw a keeper's rewards")
@ape_cli_context()
@network_option(default="ethereum:local:foundry")
@account_option(prompt=False)
@click.option("--engine", help="MarginEngine address (default: the network's deployment manifest)")
@click.option("--withdraw", is_flag=True, help="Withdraw everything the account holds in the engine")
@click.option("--to", "recipient", help="Where withdrawals go (default: the account)")
def cli(
    cli_ctx,  # noqa: ANN001 - click passes ape's objects
    network,  # noqa: ANN001
    account,  # noqa: ANN001
    engine: str | None,
    withdraw: bool,
    recipient: str | None,
) -> None:
    if recipient is not None and not is_address(recipient):
        raise KeeperError(f"--to: {recipient!r} is not an address")
    account = keeper_signer(cli_ctx, account)
    project = cli_ctx.local_project
    contracts = connect_contracts(project, cli_ctx.network_manager.network.name, engine=engine)
    holdings = holdings_of(contracts.engine, account.address, project.MockERC20.at)
    table = Table(title=f"{account.address} in the MarginEngine at {contracts.engine.address}")
    for column in ("asset", "held as", "amount"):
        table.add_column(column, justify="right" if column == "amount" else "left")
    for h in holdings:
        table.add_row(h.symbol, "credit" if h.credit else "collateral", f"{h.tokens:,.6f}")
    console = Console()
    console.print(table)
    if not withdraw:
        return
    to = to_checksum_address(recipient) if recipient else account.address
    for h, tx in withdraw_all(contracts.engine, account, holdings, to):
        console.print(f"withdrew {h.tokens:,.6f} {h.symbol} to {to}: {tx}")
