"""Running forge's gas harness (`tests/forge/*Gas*.t.sol`) and reading its measurements.

Each operation is the first thing its own transaction does with the contracts, so accounts and slots are cold as in
a user's transaction, and the figure is the whole transaction (21,000 base, calldata, execution, less the capped
refund). The harness prints one `bench: <key> <tx gas> <execution> <refund> <intrinsic>` line per measurement (see
`tests/forge/utils/GasMeter.sol`); `forge test --json` carries them here. Forge rather than receipts on anvil:
deterministic, a second or two instead of minutes, and the same harness that asserts what each operation did
(`ape run bench_receipts` still measures the bench scenario from anvil receipts as a cross-check).

Views (the health view, a price read) have no transaction of their own: their figure is the execution of the call
as a contract pays it (the health view: the callee's execution; a price read: a consumer's `gasleft()` delta, the
STATICCALL included).
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass, field, replace
from pathlib import Path

from ballast.bench.files import ROOT
from ballast.errors import BenchError

FORGE_MATCH_PATH = "tests/forge/*Gas*.t.sol"


@dataclass(frozen=True)
class Measurement:
    """One `bench:` line of the harness."""

    key: str
    tx_gas: int
    execution: int
    refund: int
    intrinsic: int
    suite: str = field(default="", compare=False)
    """`path:Contract` of the harness test that recorded it (from `forge test --json`); not part of the figure."""
    test: str = field(default="", compare=False)

    @property
    def gas_limit(self) -> int:
        """What the transaction's gas limit must cover: everything before the refund."""
        return self.intrinsic + self.execution


def parse_bench_line(line: str) -> Measurement | None:
    """`bench: key tx execution refund intrinsic` (forge's decoded `log_named_string`), or None for other logs."""
    if not line.startswith("bench:"):
        return None
    parts = line.removeprefix("bench:").split()
    if len(parts) != 5 or not all(p.isdigit() for p in parts[1:]):
        raise BenchError(f"malformed bench line from the forge harness: {line!r}")
    key, tx_gas, execution, refund, intrinsic = parts[0], *map(int, parts[1:])
    return Measurement(key, tx_gas, execution, refund, intrinsic)


def parse_forge_json(text: str) -> dict[str, Measurement]:
    """The measurements in `forge test --json` output; a failed test is an error (its figures would mean nothing)."""
    try:
        suites = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BenchError(f"forge test --json printed no JSON ({exc})") from exc
    failed: list[str] = []
    measurements: dict[str, Measurement] = {}
    for suite, result in suites.items():
        for test, outcome in result.get("test_results", {}).items():
            if outcome.get("status") != "Success":
                reason = outcome.get("reason") or outcome.get("status")
                failed.append(f"{suite.split(':')[-1]}.{test}: {reason}")
                continue
            for line in outcome.get("decoded_logs", []):
                m = parse_bench_line(line)
                if m is not None:
                    m = replace(m, suite=suite, test=test.split("(")[0])
                    if m.key in measurements:
                        raise BenchError(f"the harness recorded {m.key!r} twice")
                    measurements[m.key] = m
    if failed:
        raise BenchError("gas harness tests failed: " + "; ".join(failed))
    if not measurements:
        raise BenchError(f"no bench lines in the output of the forge tests under {FORGE_MATCH_PATH}")
    return measurements


def run_forge(root: Path = ROOT, match_path: str = FORGE_MATCH_PATH) -> dict[str, Measurement]:
    """Run the gas harness (`forge test --json`) and read its measurements."""
    # -vv: forge decodes the logs (the bench lines) only from this verbosity on.
    cmd = ["forge", "test", "--match-path", match_path, "--json", "-vv"]
    try:
        proc = subprocess.run(cmd, cwd=root, capture_output=True, text=True, check=False)
    except FileNotFoundError as exc:
        raise BenchError("forge not found: run `make setup` (it links forge into .venv/bin)") from exc
    start = proc.stdout.find("{")
    if start < 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:] or ["no output"]
        raise BenchError(f"forge test failed (exit {proc.returncode}): {' | '.join(tail)}")
    return parse_forge_json(proc.stdout[start:])
