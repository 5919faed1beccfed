"""The anchors of the bench table: other protocols' comparable operations, measured in the same run as ballast's.

`tests/forge/gas/AnchorGas.t.sol` deploys Morpho Blue (compiled from its npm sources by `tools/build-anchors.cjs`) and
Aave v3 (its npm package's published artifacts) on the forge VM beside ballast, with the same tokens and Chainlink-style
feeds, and records each operation as `anchor_<key>` (see docs/benchmarks.md). A row of the table names the anchor
operations comparable to it; the leanest one measured is its anchor, the ratio is ballast's figure over the anchor's,
and the row's target is `ANCHOR_TARGET_FACTOR` times the anchor.

Compound III is not among them (no npm package carries the protocol), nor Synthetix v3 perps (no npm package deploys
it): the position rows have no anchor.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ballast.bench.files import ROOT, rel
from ballast.errors import BenchError

ANCHOR_PREFIX = "anchor_"
"""The harness records an anchor operation `key` as `anchor_<key>`."""

ANCHOR_TARGET_FACTOR = 1.25
"""An anchored row's target: 1.25 times its anchor's gas."""

ANCHOR_FILE = "tests/forge/gas/AnchorGas.t.sol"

MORPHO = "Morpho Blue"
AAVE = "Aave v3"

ANCHOR_OPERATIONS: dict[str, tuple[str, str]] = {
    "morpho_supply_first": (MORPHO, "supply USDC, a new supplier's first"),
    "morpho_supply_repeat": (MORPHO, "supply USDC, repeat"),
    "morpho_withdraw": (MORPHO, "withdraw USDC (the loan asset)"),
    "morpho_collateral_first": (MORPHO, "supplyCollateral WETH, the account's first"),
    "morpho_collateral_repeat": (MORPHO, "supplyCollateral WETH, repeat"),
    "morpho_withdraw_collateral": (MORPHO, "withdrawCollateral with a borrow open (health check)"),
    "morpho_withdraw_collateral_no_borrow": (MORPHO, "withdrawCollateral, no borrow"),
    "morpho_borrow": (MORPHO, "borrow USDC against WETH, the account's first"),
    "morpho_liquidate_partial": (MORPHO, "liquidate, partial (half the shares)"),
    "morpho_liquidate_full": (MORPHO, "liquidate, full without bad debt"),
    "morpho_liquidate_bad_debt": (MORPHO, "liquidate, full with bad debt"),
    "morpho_liquidate_many_1": (MORPHO, "liquidate 1 account in one transaction (batch contract)"),
    "morpho_liquidate_many_10": (MORPHO, "liquidate 10 accounts in one transaction (batch contract)"),
    "morpho_liquidate_many_100": (MORPHO, "liquidate 100 accounts in one transaction (batch contract)"),
    "morpho_liquidate_many_marginal": (MORPHO, "liquidate, per extra account in a batch ((100 - 10) / 90)"),
    "aave_supply_usdc_first": (AAVE, "supply USDC, a new supplier's first"),
    "aave_supply_usdc_repeat": (AAVE, "supply USDC, repeat"),
    "aave_supply_weth_first": (AAVE, "supply WETH, a new supplier's first"),
    "aave_supply_weth_repeat": (AAVE, "supply WETH, repeat"),
    "aave_borrow": (AAVE, "borrow USDC (variable) against WETH, the account's first"),
    "aave_liquidation_partial": (AAVE, "liquidationCall, partial (50 % close factor)"),
    "aave_liquidation_full": (AAVE, "liquidationCall, full (health factor below 0.95)"),
}
"""Every anchor operation of the harness: key -> (protocol, operation). The marginal is derived from the 10- and
100-account batches, like ballast's `liquidate_many_marginal`."""

BATCH_KEYS = (
    f"{ANCHOR_PREFIX}morpho_liquidate_many_10",
    f"{ANCHOR_PREFIX}morpho_liquidate_many_100",
    f"{ANCHOR_PREFIX}morpho_liquidate_many_marginal",
)
"""The 10- and 100-account batches and the marginal the report derives from them."""


@dataclass(frozen=True)
class Anchor:
    key: str
    protocol: str
    operation: str
    gas: int

    @property
    def name(self) -> str:
        return f"{self.protocol} {self.operation}"


def anchor_key(key: str) -> str:
    """The harness key of the anchor operation `key`."""
    return f"{ANCHOR_PREFIX}{key}"


def measured_anchors(gas: Mapping[str, int]) -> list[Anchor]:
    """Every anchor operation measured in the run, in the order of `ANCHOR_OPERATIONS`."""
    return [
        Anchor(key, protocol, operation, gas[anchor_key(key)])
        for key, (protocol, operation) in ANCHOR_OPERATIONS.items()
        if anchor_key(key) in gas
    ]


def leanest_anchor(row: str, keys: Sequence[str], gas: Mapping[str, int]) -> Anchor:
    """The leanest of the anchor operations `keys` comparable to the row `row`, each of which must have been measured
    in the run (`gas`, the report's figures by harness key)."""
    unknown = [k for k in keys if k not in ANCHOR_OPERATIONS]
    if unknown:
        raise BenchError(f"row {row!r} names unknown anchor operation(s): {', '.join(unknown)}")
    missing = [k for k in keys if anchor_key(k) not in gas]
    if missing:
        raise BenchError(
            f"row {row!r}: anchor {', '.join(anchor_key(k) for k in missing)} not measured in this run "
            f"({ANCHOR_FILE} records it; `make setup-contracts` builds what it deploys)"
        )
    measured = [Anchor(k, *ANCHOR_OPERATIONS[k], gas[anchor_key(k)]) for k in keys]
    return min(measured, key=lambda a: a.gas)


def anchor_target(anchor: Anchor) -> int:
    """An anchored row's target: `ANCHOR_TARGET_FACTOR` times its anchor, rounded to the gas unit."""
    return round(anchor.gas * ANCHOR_TARGET_FACTOR)


@dataclass(frozen=True)
class AnchorBuild:
    """How one protocol's anchors were built: its npm package, version, compiler and settings."""

    protocol: str
    package: str
    version: str
    compiler: str
    settings: str


BUILD_MANIFESTS = {
    MORPHO: "out-anchors/morpho-blue/manifest.json",
    AAVE: "out-anchors/aave-v3/manifest.json",
}
"""Written by `tools/build-anchors.cjs` (`make setup-contracts`)."""


def _settings_text(settings: Mapping[str, object]) -> str:
    optimizer = settings.get("optimizer")
    runs = optimizer.get("runs") if isinstance(optimizer, dict) and optimizer.get("enabled") else None
    parts = [
        "via-IR" if settings.get("viaIR") else "legacy pipeline",
        f"optimizer {runs:,} runs" if isinstance(runs, int) else "optimizer off",
        f"EVM {settings.get('evmVersion')}",
    ]
    return ", ".join(parts)


def anchor_builds(root: Path = ROOT) -> list[AnchorBuild]:
    """The builds of the anchors, from the manifests `tools/build-anchors.cjs` writes."""
    builds = []
    for protocol, manifest in BUILD_MANIFESTS.items():
        path = root / manifest
        try:
            data = json.loads(path.read_text())
            builds.append(
                AnchorBuild(
                    protocol,
                    str(data["package"]),
                    str(data["version"]),
                    str(data["compiler"]),
                    _settings_text(data["settings"]),
                )
            )
        except (OSError, json.JSONDecodeError, KeyError, TypeError, AttributeError) as exc:
            raise BenchError(
                f"{rel(path, root)} missing or unreadable ({exc}): `make setup-contracts` writes it"
            ) from exc
    return builds
