"""`python -m ballast.bench check|snapshot` (`make gas-check`, `make gas-snapshot`): the gas guard's commands."""

from __future__ import annotations

import sys
import time

import click

from ballast.bench.files import SNAPSHOT_FILE, rel
from ballast.bench.guard import TOLERANCE, compare, comparison_lines, load_snapshot, write_snapshot
from ballast.bench.harness import run_forge
from ballast.bench.results import build_report
from ballast.cli import user_errors


@click.group()
def main() -> None:
    """Gas guard: compare the forge harness with the checked-in snapshot, or rewrite the snapshot."""


@main.command()
def check() -> None:
    """Fail when an operation's gas rose more than 2 % over bench/gas-snapshot.json."""
    started = time.monotonic()
    with user_errors():
        snapshot = load_snapshot(SNAPSHOT_FILE)
        report = build_report(run_forge(), with_anchors=False)
    result = compare(snapshot, report.gas)
    for line in comparison_lines(result):
        click.echo(line)
    click.echo(
        f"gas check: {len(report.gas)} operations, {len(result.regressions)} above +{TOLERANCE:.0%}, "
        f"{len(result.improvements)} lower, {len(result.new)} new, {len(result.removed)} removed "
        f"({time.monotonic() - started:.1f} s)"
    )
    if result.failed:
        sys.exit(1)


@main.command()
def snapshot() -> None:
    """Rewrite bench/gas-snapshot.json from the forge harness."""
    with user_errors():
        report = build_report(run_forge(), with_anchors=False)
        old = load_snapshot(SNAPSHOT_FILE) if SNAPSHOT_FILE.exists() else {}
    if old:
        for line in comparison_lines(compare(old, report.gas)):
            if not line.startswith("If the rise is intended"):
                click.echo(line.replace("gas check FAILED", "snapshot raised"))
    write_snapshot(report.gas, SNAPSHOT_FILE)
    click.echo(f"wrote {rel(SNAPSHOT_FILE)}: {len(report.gas)} operations")
