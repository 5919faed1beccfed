"""The bench's results: the gas of every operation from the harness, the liquidateMany line, the scaling fits and the
throughput section that chain-side sources fill in."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ballast.bench.anchors import (
    ANCHOR_PREFIX,
    BATCH_KEYS,
    Anchor,
    AnchorBuild,
    anchor_builds,
    anchor_target,
    leanest_anchor,
    measured_anchors,
)
from ballast.bench.fits import (
    BLOCK_GAS_LIMITS,
    PER_BLOCK_FORMULA,
    PER_TX_CAP,
    Batch,
    PlaneFit,
    fit_plane,
    grid_points,
)
from ballast.bench.harness import Measurement
from ballast.bench.operations import GRID_POSITIONS, GRID_TOKENS, GRIDS, OPERATIONS, Operation, headline
from ballast.errors import BenchError


@dataclass
class Report:
    measurements: dict[str, Measurement]
    gas: dict[str, int] = field(default_factory=dict)
    batch: Batch | None = None
    fits: dict[str, PlaneFit] = field(default_factory=dict)
    throughput: dict[str, Any] = field(default_factory=dict)
    anchors: dict[str, Anchor] = field(default_factory=dict)
    """Each measured row's anchor (the leanest of its comparable anchor operations), by row key."""
    builds: list[AnchorBuild] = field(default_factory=list)
    """How the anchors measured in the run were built (package, version, compiler, settings)."""
    breakdowns: dict[str, str] = field(default_factory=dict)
    """Where the gas of each row over its target goes, measured (`breakdown.attach_breakdowns`), by row key."""

    def anchor(self, op: Operation) -> Anchor | None:
        return self.anchors.get(op.key)

    def ratio(self, op: Operation) -> float | None:
        anchor = self.anchor(op)
        if anchor is None or op.key not in self.gas:
            return None
        return self.gas[op.key] / anchor.gas

    def targets(self, op: Operation) -> tuple[int | None, int | None]:
        """The row's anchor target (1.25x its anchor) and its absolute target, each None when it has none."""
        anchor = self.anchor(op)
        return (anchor_target(anchor) if anchor else None), op.target

    def target(self, op: Operation) -> int | None:
        """The target the row must meet: the lower of its anchor target and its absolute target."""
        present = [t for t in self.targets(op) if t is not None]
        return min(present) if present else None

    def rows(self) -> Iterable[tuple[Operation, int]]:
        for op in OPERATIONS:
            if op.key in self.gas:
                yield op, self.gas[op.key]

    def anchor_rows(self) -> list[Anchor]:
        """Every anchor operation measured in the run."""
        return measured_anchors(self.gas)


ThroughputSource = Callable[[Report], Mapping[str, Any]]
"""A measurement of throughput that plugs into the report: given the gas report, it returns entries of the
`throughput` section. The chain-side sources (`ballast.bench.throughput`, wired by `ape run bench`) fill
`driver_vs_naive` (see `driver_vs_naive_entry`) and `keeper_reaction_blocks` (accounts -> `reaction_entry`); an
entry nobody measured stays null."""

PENDING_THROUGHPUT = ("driver_vs_naive", "keeper_reaction_blocks")

DRIVER_TARGET = 10.0
"""The target: the scenario driver sends transactions at least 10x as fast as naive ape calls."""


def driver_vs_naive_entry(
    transactions: int, naive_seconds: float, driver_transactions: int, driver_seconds: float
) -> dict[str, Any]:
    """The same `transactions` sent by ape contract calls one at a time (naive) and through the FastDriver (batched,
    one block; `driver_transactions` of them were mined): rates, their ratio and the target."""
    if naive_seconds <= 0 or driver_seconds <= 0:
        raise BenchError(
            f"driver bench: non-positive timings (naive {naive_seconds} s, driver {driver_seconds} s)"
        )
    naive = transactions / naive_seconds
    driver = driver_transactions / driver_seconds
    ratio = driver / naive
    return {
        "transactions": transactions,
        "naive_s": round(naive_seconds, 3),
        "naive_tx_per_s": round(naive, 1),
        "driver_transactions": driver_transactions,
        "driver_s": round(driver_seconds, 3),
        "driver_tx_per_s": round(driver, 1),
        "ratio": round(ratio, 1),
        "target": DRIVER_TARGET,
        "met": ratio >= DRIVER_TARGET,
    }


def reaction_entry(
    accounts: int,
    shock_block: int,
    rows: Sequence[tuple[int, int, int]],
    accounts_liquidated: int,
    wall_seconds: float,
) -> dict[str, Any]:
    """Keeper reaction of one scale run (`accounts` traders) from its metrics rows `(block, liquidatable at the end of
    the block, liquidations in the block)`: blocks from the price update (the shock, `shock_block`) to the block of
    the last liquidation, with the first liquidation, how many accounts were liquidated (`accounts_liquidated`,
    distinct) and how often, the most accounts left liquidatable at the end of a block (after the keeper's step), and
    the wall time."""
    liquidating = [b for b, _, n in rows if n > 0]
    return {
        "accounts": accounts,
        "accounts_liquidated": accounts_liquidated,
        "liquidations": sum(n for _, _, n in rows),
        "shock_block": shock_block,
        "first_liquidation_block": min(liquidating, default=None),
        "last_liquidation_block": max(liquidating, default=None),
        "reaction_blocks": max(liquidating) - shock_block if liquidating else None,
        "max_liquidatable_end_of_block": max((n for _, n, _ in rows), default=0),
        "blocks_run": len(rows),
        "wall_s": round(wall_seconds, 1),
    }


def build_report(
    measurements: Mapping[str, Measurement],
    throughput_sources: Sequence[ThroughputSource] = (),
    builds: Sequence[AnchorBuild] | None = None,
    with_anchors: bool = True,
) -> Report:
    """The figures of one run. With `with_anchors`, every measured row that names anchor operations gets the leanest
    of them as its anchor, and one not measured in the run is an error; `builds` says how the anchors were built
    (read from the manifests of `tools/build-anchors.cjs` when not given and anchors were measured). The gas guard
    needs the figures only (`with_anchors=False`): an anchor missing from the run shows there as a removed
    operation."""
    report = Report(dict(measurements))
    by_key = {op.key: op for op in OPERATIONS}
    for key, m in measurements.items():
        op = by_key.get(key)
        report.gas[key] = headline(op, m) if op else (m.execution if key.startswith("health_") else m.tx_gas)
    if "liquidate_many_10" in measurements and "liquidate_many_100" in measurements:
        report.batch = Batch.from_measurements(
            measurements["liquidate_many_10"], measurements["liquidate_many_100"], 10, 100
        )
        report.gas["liquidate_many_marginal"] = round(report.batch.marginal)
    small, large, marginal = BATCH_KEYS
    if small in measurements and large in measurements:
        anchor_batch = Batch.from_measurements(measurements[small], measurements[large], 10, 100)
        report.gas[marginal] = round(anchor_batch.marginal)
    if with_anchors:
        for op, _ in list(report.rows()):
            if op.anchors:
                report.anchors[op.key] = leanest_anchor(op.key, op.anchors, report.gas)
        if builds is None:
            builds = anchor_builds() if any(k.startswith(ANCHOR_PREFIX) for k in report.gas) else []
        report.builds = list(builds)
    for prefix, _ in GRIDS:
        points = grid_points(report.gas, prefix)
        if len(points) == len(GRID_TOKENS) * len(GRID_POSITIONS):
            report.fits[prefix] = fit_plane(points)
    report.throughput = throughput_section(report, throughput_sources)
    return report


def throughput_section(report: Report, sources: Sequence[ThroughputSource] = ()) -> dict[str, Any]:
    """What can be measured now (liquidations per transaction and per block, from the gas), the pending entries as
    null, then whatever each source adds."""
    section: dict[str, Any] = {key: None for key in PENDING_THROUGHPUT}
    if report.batch is not None:
        b = report.batch
        section["liquidations"] = {
            "per_tx_cap": PER_TX_CAP,
            "per_tx": b.per_tx(),
            "per_block": {str(g): b.per_block(g) for g in BLOCK_GAS_LIMITS},
            "per_block_one_tx": {str(g): b.per_block_one_tx(g) for g in BLOCK_GAS_LIMITS},
            "base": round(b.base),
            "marginal": round(b.marginal),
            "limit_base": round(b.limit_base),
            "limit_marginal": round(b.limit_marginal),
            "formula": PER_BLOCK_FORMULA,
        }
    for source in sources:
        section.update(source(report))
    return section
