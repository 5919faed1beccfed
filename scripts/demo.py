"""`ape run demo`: the main job of `make demo` (deploy tokens, feeds and the oracle to a local anvil, run oracle
updates, print what was deployed and the stored prices; see ballast/demo.py)."""

import click
from ape.cli import ape_cli_context, network_option

from ballast.cli import BallastCommand
from ballast.demo import run_demo


@click.command(cls=BallastCommand, short_help="Deploy ballast to a local anvil and summarize")
@ape_cli_context()
@network_option(default="ethereum:local:foundry")
def cli(cli_ctx, network) -> None:  # noqa: ANN001 - click passes ape's context objects
    run_demo(cli_ctx)
