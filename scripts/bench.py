"""`ape run bench`: gas of every user-facing operation from the forge harness, against the anchors and targets, and
the throughput measured on a local anvil (the scenario driver against naive ape calls, the keeper's reaction to a
-40 % shock), printed and written to bench/results.md and bench/results.json (see ballast/bench/).

ape run bench                                  # gas + throughput (reaction at 100 accounts)
ape run bench --no-throughput                  # gas only (forge: seconds)
ape run bench --reaction-accounts 100,1000     # also 1,000 accounts (minutes; see README on --steps-tracing)
"""

from typing import Any

import click
from ape.cli import ape_cli_context, network_option
from pydantic import ValidationError
from rich.console import Console

from ballast.accounts import is_local_network
from ballast.bench.breakdown import attach_breakdowns
from ballast.bench.files import BENCH_DIR
from ballast.bench.harness import run_forge
from ballast.bench.report import print_report, write_results
from ballast.bench.results import ThroughputSource, build_report
from ballast.cli import BallastCommand


@click.command(cls=BallastCommand, short_help="Gas benchmarks (forge) and throughput (local anvil)")
@ape_cli_context()
@network_option(default="ethereum:local:foundry")
@click.option("--no-write", is_flag=True, help="Print only; leave bench/results.* as they are")
@click.option("--no-throughput", is_flag=True, help="Skip the chain part (driver vs naive, keeper reaction)")
@click.option(
    "--transactions", type=int, default=300, show_default=True, help="transactions per path, driver vs naive"
)
@click.option(
    "--reaction-accounts",
    default="100",
    show_default=True,
    help="account counts of the keeper-reaction runs, comma-separated (e.g. 100,1000)",
)
def cli(
    cli_ctx: Any, network: Any, no_write: bool, no_throughput: bool, transactions: int, reaction_accounts: str
) -> None:
    from ballast.bench.throughput import ThroughputSettings, chain_sources, parse_accounts

    sources: list[ThroughputSource] = []
    if not no_throughput:
        net = cli_ctx.network_manager.network
        if not is_local_network(net, cli_ctx.chain_manager.provider):
            cli_ctx.abort(
                f"throughput deploys mock contracts: local networks only (this is {net.name}); or --no-throughput"
            )
        try:
            settings = ThroughputSettings(
                transactions=transactions, reaction_accounts=parse_accounts(reaction_accounts)
            )
        except (ValueError, ValidationError) as exc:
            if isinstance(exc, ValidationError):
                err = exc.errors()[0]
                cli_ctx.abort(f"bench options: --{str(err['loc'][0]).replace('_', '-')}: {err['msg']}")
            cli_ctx.abort(f"bench options: {exc}")
        sources = chain_sources(
            cli_ctx.local_project, cli_ctx.chain_manager, cli_ctx.account_manager, settings, Console()
        )
    report = build_report(run_forge(), sources)
    attach_breakdowns(report)
    print_report(report)
    if not no_write:
        md, js = write_results(report, BENCH_DIR)
        click.echo(f"wrote {md.relative_to(BENCH_DIR.parent)} and {js.relative_to(BENCH_DIR.parent)}")
