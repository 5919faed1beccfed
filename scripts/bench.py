"""`ape run bench`: gas of every user-facing operation from the forge harness, against the anchors and targets,
printed and written to bench/results.md and bench/results.json (see ballast/bench.py)."""

import click
from ape.cli import ape_cli_context

from ballast.bench import (
    BENCH_DIR,
    BenchError,
    ThroughputSource,
    build_report,
    print_report,
    run_forge,
    write_results,
)

THROUGHPUT_SOURCES: list[ThroughputSource] = []
"""Throughput measurements that need a chain (the scenario driver against naive ape calls, the keeper's reaction)
plug in here: each takes the gas report and returns entries of the `throughput` section."""


@click.command(short_help="Gas benchmarks: forge harness, anchors, targets, scaling")
@ape_cli_context()
@click.option("--no-write", is_flag=True, help="Print only; leave bench/results.* as they are")
def cli(cli_ctx, no_write: bool) -> None:  # noqa: ANN001 - click passes ape's context object
    try:
        report = build_report(run_forge(), THROUGHPUT_SOURCES)
    except BenchError as exc:
        cli_ctx.abort(str(exc))
    print_report(report)
    if not no_write:
        md, js = write_results(report, BENCH_DIR)
        click.echo(f"wrote {md.relative_to(BENCH_DIR.parent)} and {js.relative_to(BENCH_DIR.parent)}")
