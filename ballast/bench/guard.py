"""The gas guard: the snapshot of every operation's gas (bench/gas-snapshot.json) and the comparison that fails on a
rise above the tolerance."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ballast.bench.files import SNAPSHOT_FILE, rel
from ballast.errors import BenchError

TOLERANCE = 0.02
"""A rise above 2 % over the snapshot fails the gas check."""


@dataclass(frozen=True)
class Change:
    key: str
    old: int
    new: int

    @property
    def pct(self) -> float:
        return (self.new - self.old) / self.old * 100 if self.old else math.inf


@dataclass(frozen=True)
class Comparison:
    regressions: list[Change]
    improvements: list[Change]
    unchanged: list[str]
    new: dict[str, int]
    removed: dict[str, int]

    @property
    def failed(self) -> bool:
        return bool(self.regressions)


def compare(
    snapshot: Mapping[str, int], current: Mapping[str, int], tolerance: float = TOLERANCE
) -> Comparison:
    """A rise of more than `tolerance` over the snapshot is a regression; any decrease is an improvement; other
    differences within the tolerance count as unchanged. New and removed operations are listed, never failed."""
    regressions, improvements, unchanged = [], [], []
    for key in sorted(snapshot.keys() & current.keys()):
        old, new = snapshot[key], current[key]
        if new > old * (1 + tolerance):
            regressions.append(Change(key, old, new))
        elif new < old:
            improvements.append(Change(key, old, new))
        else:
            unchanged.append(key)
    new_ops = {k: current[k] for k in sorted(current.keys() - snapshot.keys())}
    removed = {k: snapshot[k] for k in sorted(snapshot.keys() - current.keys())}
    return Comparison(regressions, improvements, unchanged, new_ops, removed)


def comparison_lines(c: Comparison, tolerance: float = TOLERANCE) -> list[str]:
    lines = []
    if c.regressions:
        lines.append(
            f"gas check FAILED: {len(c.regressions)} operation(s) above the snapshot by more than "
            f"{tolerance:.0%}:"
        )
        lines.append(f"  {'operation':<36} {'snapshot':>11} {'now':>11} {'change':>8}")
        lines += [f"  {ch.key:<36} {ch.old:>11,} {ch.new:>11,} {ch.pct:>+7.2f}%" for ch in c.regressions]
        lines.append(
            f"If the rise is intended, update the snapshot in the same change: make gas-snapshot "
            f"(rewrites {rel(SNAPSHOT_FILE)})."
        )
    for ch in c.improvements:
        lines.append(
            f"  lower: {ch.key} {ch.old:,} -> {ch.new:,} ({ch.pct:+.2f}%): `make gas-snapshot` records it"
        )
    for key, gas in c.new.items():
        lines.append(f"  new operation: {key} {gas:,} (not in the snapshot: `make gas-snapshot` adds it)")
    for key, gas in c.removed.items():
        lines.append(f"  removed operation: {key} (snapshot {gas:,}; no longer measured)")
    return lines


def load_snapshot(path: Path | None = None) -> dict[str, int]:
    path = path or SNAPSHOT_FILE
    if not path.exists():
        raise BenchError(f"no gas snapshot at {rel(path)}: create it with `make gas-snapshot`")
    try:
        data = json.loads(path.read_text())
        gas: dict[str, int] = data["gas"]
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise BenchError(
            f"{rel(path)} is not a gas snapshot ({exc}): recreate it with `make gas-snapshot`"
        ) from exc
    if not all(isinstance(k, str) and isinstance(v, int) for k, v in gas.items()):
        raise BenchError(f'{rel(path)}: every entry of "gas" must be an integer')
    return gas


def write_snapshot(gas: Mapping[str, int], path: Path | None = None) -> None:
    path = path or SNAPSHOT_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    body = {
        "comment": "Gas per operation from the forge harness (tests/forge/*Gas*.t.sol); `make gas-check` fails on a "
        f"rise above {TOLERANCE:.0%}. Update with `make gas-snapshot`.",
        "tolerance": TOLERANCE,
        "gas": dict(sorted(gas.items())),
    }
    path.write_text(json.dumps(body, indent=2) + "\n")
