"""`ape run bench_receipts`: the gas of the bench scenario from transaction receipts on a local anvil, a cross-check of the forge figures of `make bench` (see ballast/bench/receipts.py)."""

import click
from ape.cli import ape_cli_context, network_option

from ballast.bench.receipts import BENCHES, print_rows
from ballast.cli import BallastCommand


@click.command(cls=BallastCommand, short_help="Gas benchmarks of the contracts")
@ape_cli_context()
@network_option(default="ethereum:local:foundry")
@click.option("--only", type=click.Choice(list(BENCHES)), multiple=True, help="Run only these benchmarks")
def cli(cli_ctx, network, only) -> None:  # noqa: ANN001 - click passes ape's context objects
    if not cli_ctx.network_manager.network.is_local:
        cli_ctx.abort("benchmarks deploy mock tokens and feeds: run them on a local network")
    project, chain = cli_ctx.local_project, cli_ctx.chain_manager
    accounts = cli_ctx.account_manager.test_accounts
    selected = set(only) or set(BENCHES)
    for name, bench in BENCHES.items():
        if name in selected:
            first_arg = accounts[0] if name == "oracle" else accounts
            print_rows(bench(project, chain, first_arg), f"{name} gas")
