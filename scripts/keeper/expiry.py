"""`ape run keeper expiry`: settle every expired series of the deployment's OptionsBook (see ballast/keepers/expiry/).

    ape run keeper expiry --network ethereum:local:foundry --account TEST::4 --once
    ape run keeper expiry --network ... --account keeper --book 0x... --grace 600

Without --book the book comes from the network's deployment manifest. Logs are JSON lines on stderr; SIGINT (Ctrl-C)
or SIGTERM stops it within a moment (exit 0, a last `keeper_stopped` line).
"""

import logging
from pathlib import Path

import click
from ape.cli import account_option, ape_cli_context, network_option
from ape.exceptions import ApeException

from ballast.accounts import keeper_signer
from ballast.cli import NodeCommand
from ballast.keepers.common import configure_json_logging, stop_on_signals
from ballast.keepers.expiry import LOGGER_NAME, build_expiry_keeper
from ballast.keepers.expiry.wiring import book_address
from ballast.manifest import DEPLOYMENTS_ENV


@click.command(cls=NodeCommand, short_help="Settle the expired options series of a deployment")
@ape_cli_context()
@network_option(default="ethereum:local:foundry")
@account_option(prompt=False)
@click.option("--book", help="OptionsBook address (default: the network's deployment manifest)")
@click.option("--state", "state_path", type=click.Path(dir_okay=False, path_type=Path), help="State file")
@click.option("--grace", type=click.IntRange(min=0), help="Seconds to wait for the oracle after expiry")
@click.option("--poll-interval", type=click.FloatRange(min=0.1), default=2.0, show_default=True)
@click.option("--once", is_flag=True, help="Process the current block once and exit")
@click.option("--deployments", type=click.Path(file_okay=False, path_type=Path), envvar=DEPLOYMENTS_ENV)
def cli(
    cli_ctx,  # noqa: ANN001 - click passes ape's objects
    network,  # noqa: ANN001
    account,  # noqa: ANN001
    book: str | None,
    state_path: Path | None,
    grace: int | None,
    poll_interval: float,
    once: bool,
    deployments: Path | None,
) -> None:
    configure_json_logging(LOGGER_NAME, logging.INFO)
    network_manager = cli_ctx.network_manager
    account = keeper_signer(cli_ctx, account)
    address = book_address(cli_ctx.local_project, network_manager.network.name, book, deployments)
    try:
        with stop_on_signals() as stop:
            keeper = build_expiry_keeper(
                cli_ctx.local_project, cli_ctx.chain_manager, address, sender=account, state_path=state_path,
                grace=grace, poll_interval=poll_interval,
            )  # fmt: skip
            code = keeper.run(max_steps=1 if once else None, stop=stop)
    except ApeException as err:
        raise click.ClickException(f"expiry keeper stopped: {type(err).__name__}: {err}") from None
    raise SystemExit(code)
