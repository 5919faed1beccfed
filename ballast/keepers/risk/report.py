"""A risk keeper step as a table: every parameter of every subject the step would change (or changed), today's
value, the proposal, the new value and why (for a dry run, and for the operator)."""

from __future__ import annotations

from rich.table import Table

from ballast.keepers.risk.keeper import RiskReport


def plan_table(report: RiskReport) -> Table:
    """One row per parameter of each planned subject; the caption lists the subjects held by the engine's spacing
    and the assets without a proposal."""
    verb = "would step (dry run)" if report.dry_run else "stepped"
    notes = [f"block {report.block}, time {report.timestamp}"]
    notes += [f"{h['label']}: tightening held until {h['next_allowed_at']}" for h in report.held]
    notes += [f"{symbol}: no proposal ({why})" for symbol, why in sorted(report.skipped.items())]
    notes += [f"{f.subject.get('subject', f.kind)}: failed ({f.error})" for f in report.failed]
    table = Table(title=f"risk keeper: {len(report.planned)} subjects {verb}", caption="; ".join(notes))
    for column in ("subject", "parameter", "today", "proposed", "new", "why"):
        table.add_column(column, justify="right" if column in ("today", "proposed", "new") else "left")
    for p in report.planned:
        for s in p.steps:
            table.add_row(
                p.label,
                s.name,
                f"{s.today:,}",
                "-" if s.proposed is None else f"{s.proposed:,}",
                f"{s.new:,}" + (" *" if s.changed else ""),
                s.reason,
            )
    return table
