"""`ape run keeper liquidate`: run the liquidation keeper against a deployment (see ballast/keepers/liquidation/).

    ape run keeper liquidate --network ethereum:local:foundry --account TEST::4
    ape run keeper liquidate --network ... --account keeper --engine 0x... --gas-budget 5000000 --once

Without --engine the addresses come from the network's deployment manifest. Logs are JSON lines on stderr; SIGINT
(Ctrl-C) or SIGTERM stops it within a moment (exit 0, a last `keeper_stopped` line), and a restart resumes from its
state file.
"""

import logging
from pathlib import Path

import click
from ape.cli import account_option, ape_cli_context, network_option
from ape.exceptions import ApeException

from ballast.accounts import keeper_signer
from ballast.cli import NodeCommand
from ballast.keepers.common import configure_json_logging, stop_on_signals
from ballast.keepers.liquidation import LOGGER_NAME, build_keeper, connect_contracts


@click.command(cls=NodeCommand, short_help="Liquidate unhealthy accounts of a deployment")
@ape_cli_context()
@network_option(default="ethereum:local:foundry")
@account_option(prompt=False)
@click.option("--engine", help="MarginEngine address (default: the network's deployment manifest)")
@click.option("--liquidator", help="Liquidator address (checked against the engine's)")
@click.option("--oracle", help="OracleAggregator address (checked against the engine's)")
@click.option("--pool", help="Pool address (checked against the engine's)")
@click.option(
    "--start-block", type=click.IntRange(min=0), help="First block to scan (default: the deploy block)"
)
@click.option("--state", "state_path", type=click.Path(dir_okay=False, path_type=Path), help="State file")
@click.option("--gas-budget", type=click.IntRange(min=1), default=10_000_000, show_default=True)
@click.option("--batch-size", type=click.IntRange(min=1), default=25, show_default=True)
@click.option("--poll-interval", type=click.FloatRange(min=0.1), default=2.0, show_default=True)
@click.option("--once", is_flag=True, help="Process the current block once and exit")
def cli(
    cli_ctx,  # noqa: ANN001 - click passes ape's objects
    network,  # noqa: ANN001
    account,  # noqa: ANN001
    engine: str | None,
    liquidator: str | None,
    oracle: str | None,
    pool: str | None,
    start_block: int | None,
    state_path: Path | None,
    gas_budget: int,
    batch_size: int,
    poll_interval: float,
    once: bool,
) -> None:
    configure_json_logging(LOGGER_NAME, logging.INFO)
    network_manager = cli_ctx.network_manager
    account = keeper_signer(cli_ctx, account)
    try:
        with stop_on_signals() as stop:
            contracts = connect_contracts(
                cli_ctx.local_project,
                network_manager.network.name,
                engine=engine,
                liquidator=liquidator,
                oracle=oracle,
                pool=pool,
                start_block=start_block,
            )
            keeper = build_keeper(
                contracts,
                account,
                state_path,
                gas_budget_per_block=gas_budget,
                batch_size=batch_size,
                poll_interval=poll_interval,
            )
            code = keeper.run(max_steps=1 if once else None, stop=stop)
    except ApeException as err:  # the node refused a transaction for good: one line, not a traceback
        raise click.ClickException(f"liquidation keeper stopped: {type(err).__name__}: {err}") from None
    raise SystemExit(code)
