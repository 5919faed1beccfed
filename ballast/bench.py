"""Gas benchmarks (`make bench`) and the gas guard (`make gas-check`, `make gas-snapshot`).

Every figure comes from the forge gas harness (`tests/forge/*Gas*.t.sol`): each operation is the first thing its own
transaction does with the contracts, so accounts and slots are cold as in a user's transaction, and the figure is
the whole transaction (21,000 base, calldata, execution, less the capped refund), like the anchors of the issue.
The harness prints one `bench: <key> <tx gas> <execution> <refund> <intrinsic>` line per measurement (see
`tests/forge/utils/GasMeter.sol`); `forge test --json` carries them here. Forge rather than receipts on anvil:
deterministic, a second or two instead of minutes, and the same harness that asserts what each operation did
(`ape run bench_receipts` still measures the bench scenario from anvil receipts as a cross-check).

Views (the health view, a price read) have no transaction of their own: their figure is the execution of the call
as a contract pays it (the health view: the callee's execution; a price read: a consumer's `gasleft()` delta, the
STATICCALL included).
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import click
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "bench"
SNAPSHOT_FILE = BENCH_DIR / "gas-snapshot.json"
RESULTS_MD = BENCH_DIR / "results.md"
RESULTS_JSON = BENCH_DIR / "results.json"
FORGE_MATCH_PATH = "tests/forge/*Gas*.t.sol"

TOLERANCE = 0.02
"""A rise above 2 % over the snapshot fails the gas check."""

PER_TX_CAP = 16_777_216
"""EIP-7825: the most gas one transaction may ask for (its gas limit, before refunds)."""
BLOCK_GAS_LIMITS = (36_000_000, 60_000_000)
GRID_TOKENS = (1, 4, 7)
"""Collateral tokens per account in the scaling grids, each account also holding USDC cash: 2, 5 or 8 assets (the Pool
lists at most 8 assets, the settlement asset first, so 7 tokens plus cash is the widest account)."""
GRID_POSITIONS = (1, 4, 8)
LINEAR_R2 = 0.999
"""A grid counts as linear in tokens and positions when a plane a + b * tokens + c * positions explains it this well."""

Basis = Literal["tx", "view"]


class BenchError(Exception):
    """The harness could not be run or its output not read (one line for the user)."""


# ---------------------------------------------------------------------------------------------------- measurements


@dataclass(frozen=True)
class Measurement:
    """One `bench:` line of the harness."""

    key: str
    tx_gas: int
    execution: int
    refund: int
    intrinsic: int

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


# ---------------------------------------------------------------------------------------------------- catalogue


@dataclass(frozen=True)
class Anchor:
    name: str
    gas: int


ANCHORS: dict[str, Anchor] = {
    "morpho_supply_first": Anchor("Morpho Blue supply, first", 115_611),
    "morpho_supply_repeat": Anchor("Morpho Blue supply, repeat", 78_159),
    "morpho_collateral_first": Anchor("Morpho Blue supplyCollateral, first", 91_119),
    "morpho_collateral_repeat": Anchor("Morpho Blue supplyCollateral, repeat", 56_919),
    "morpho_borrow": Anchor("Morpho Blue borrow", 97_947),
    "morpho_liquidate_partial": Anchor("Morpho Blue liquidate, partial", 124_509),
    "morpho_liquidate_bad_debt": Anchor("Morpho Blue liquidate, full with bad debt", 96_116),
    "compound_absorb": Anchor("Compound v3 absorb, 1 account", 93_723),
    "compound_absorb_marginal": Anchor("Compound v3 absorb, per extra account", 43_000),
    "compound_buy_collateral": Anchor("Compound v3 buyCollateral", 127_652),
    "aave_liquidation_call": Anchor("Aave v3 liquidationCall", 340_429),
    "synthetix_order": Anchor("Synthetix v3 perps commitOrder + settleOrder", 1_050_000),
}


def compound_batch_anchor(accounts: int) -> Anchor:
    """Compound v3 absorb of `accounts` in one batch: the first account plus about 43,000 per extra one."""
    one, extra = ANCHORS["compound_absorb"].gas, ANCHORS["compound_absorb_marginal"].gas
    return Anchor(
        f"Compound v3 absorb, {accounts} accounts (93,723 + 43,000 each extra)", one + extra * (accounts - 1)
    )


@dataclass(frozen=True)
class Operation:
    key: str
    label: str
    basis: Basis = "tx"
    anchor: str | None = None
    target: int | None = None
    note: str = ""


TARGETS = {
    "liquidate": 110_000,
    "liquidate_many_marginal": 60_000,
    "position_open": 150_000,
    "collateral_first": 90_000,
    "collateral_repeat": 55_000,
    "lp_deposit": 150_000,
    "price_read": 5_000,
    "update_3": 60_000,
    "health_8x8": 60_000,
}

OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "lp_deposit_first", "LP deposit, first (USDC)", "tx", "morpho_supply_first", TARGETS["lp_deposit"]
    ),
    Operation(
        "lp_deposit_repeat", "LP deposit, repeat (USDC)", "tx", "morpho_supply_repeat", TARGETS["lp_deposit"]
    ),
    Operation(
        "lp_withdraw", "LP withdraw (USDC)", "tx", "morpho_supply_repeat", None, "nearest anchor: supply"
    ),
    Operation(
        "collateral_deposit_first",
        "collateral deposit, first",
        "tx",
        "morpho_collateral_first",
        TARGETS["collateral_first"],
    ),
    Operation(
        "collateral_deposit_repeat",
        "collateral deposit, repeat",
        "tx",
        "morpho_collateral_repeat",
        TARGETS["collateral_repeat"],
    ),
    Operation(
        "collateral_withdraw",
        "collateral withdraw (with a position: margin check)",
        "tx",
        "morpho_collateral_repeat",
        None,
        "nearest anchor: supplyCollateral",
    ),
    Operation(
        "collateral_withdraw_no_position",
        "collateral withdraw (no position)",
        "tx",
        "morpho_collateral_repeat",
        None,
        "nearest anchor: supplyCollateral",
    ),
    Operation(
        "borrow",
        "borrow USDC against collateral (a withdrawal beyond credit)",
        "tx",
        "morpho_borrow",
        None,
        "the loan checks utilization and payout backing",
    ),
    Operation(
        "position_open",
        "open a position (fee owed to the Pool)",
        "tx",
        "synthetix_order",
        TARGETS["position_open"],
    ),
    Operation("position_increase", "increase a position", "tx", "synthetix_order"),
    Operation("position_reduce", "reduce a position (half)", "tx", "synthetix_order"),
    Operation("position_close", "close a position", "tx", "synthetix_order"),
    Operation("position_open_8th", "open the 8th position (7 tokens + cash held)", "tx", "synthetix_order"),
    Operation("oracle_update_1", "oracle update, 1 source (cold feeds)"),
    Operation("oracle_update_3", "oracle update, 3 sources (cold feeds)", target=TARGETS["update_3"]),
    Operation("oracle_update_5", "oracle update, 5 sources (cold feeds)"),
    Operation("oracle_update_1_warm", "oracle update, 1 source (feeds warm: pushed in the same tx)"),
    Operation(
        "oracle_update_3_warm",
        "oracle update, 3 sources (feeds warm: pushed in the same tx)",
        target=TARGETS["update_3"],
    ),
    Operation("oracle_update_5_warm", "oracle update, 5 sources (feeds warm: pushed in the same tx)"),
    Operation(
        "price_read",
        "price read (priceForRisk from a contract; oracle already called in the tx)",
        "view",
        target=TARGETS["price_read"],
    ),
    Operation(
        "price_read_cold",
        "price read (priceForRisk from a contract; oracle's first call in the tx)",
        "view",
        target=TARGETS["price_read"],
    ),
    *(
        Operation(
            f"health_c{c}_p{p}",
            f"health view, {c + 1} assets ({c} token{'s' * (c > 1)} + cash) x {p} position{'s' * (p > 1)}",
            "view",
            None,
            TARGETS["health_8x8"] if (c, p) == (7, 8) else None,
        )
        for c in GRID_TOKENS
        for p in GRID_POSITIONS
    ),
    Operation(
        "liquidate_partial",
        "liquidate, partial (half closes)",
        "tx",
        "morpho_liquidate_partial",
        TARGETS["liquidate"],
    ),
    Operation(
        "liquidate_full",
        "liquidate, full close (no absorb)",
        "tx",
        "aave_liquidation_call",
        TARGETS["liquidate"],
    ),
    Operation(
        "liquidate_absorb",
        "liquidate, full close + absorb (no deficit)",
        "tx",
        "compound_absorb",
        TARGETS["liquidate"],
    ),
    Operation(
        "liquidate_deficit_insured",
        "liquidate, absorb + deficit (insurance covers)",
        "tx",
        "morpho_liquidate_bad_debt",
        TARGETS["liquidate"],
    ),
    Operation(
        "liquidate_deficit_socialized",
        "liquidate, absorb + deficit (insurance, then LPs)",
        "tx",
        "morpho_liquidate_bad_debt",
        TARGETS["liquidate"],
    ),
    Operation("liquidate_many_1", "liquidateMany, 1 account (partial)", "tx", "compound_absorb"),
    Operation("liquidate_many_10", "liquidateMany, 10 accounts (partial)", "tx", "compound_absorb_10"),
    Operation("liquidate_many_100", "liquidateMany, 100 accounts (partial)", "tx", "compound_absorb_100"),
    Operation(
        "liquidate_many_marginal",
        "liquidateMany, marginal account ((100 - 10) / 90)",
        "tx",
        "compound_absorb_marginal",
        TARGETS["liquidate_many_marginal"],
    ),
    Operation("auto_deleverage", "auto-deleverage (1 position)", "tx", "synthetix_order"),
)
"""The table of `make bench`, in order. Rows measured on a protocol in use (other accounts already hold collateral and
positions, the InsuranceFund holds fees), so no protocol-wide slot goes from zero to non-zero in the measured
transaction; the `fresh_*` rows are the same operations on a fresh deployment (first use of everything)."""

MISSED_NOTES: dict[str, str] = {
    "lp_deposit": "Where it goes (call trace of lp_deposit_first): the share price needs the NAV at every deposit: "
    "3 pool-asset prices (~10,100) and engine.poolExposure, the open positions' PnL (~32,700), then the interest "
    "accrual, the share mint and the lockup write; the token pull with before/after balance checks ~19,700. "
    "Closing it: book market PnL in the Pool at trade time (or cache the NAV per block) instead of asking the engine "
    "(~40,000).",
    "collateral_deposit": "Where it goes (repeat: 21,000 base + ~1,000 calldata + 46,641): the token pull 16,557, "
    "the before/after balanceOf 3,118 (fee-on-transfer tokens), the shared ProtocolLock (another account, lock and "
    "unlock writes), the engine's balance, total and mask. Closing it: a transient-storage lock (EIP-1153) in place "
    "of the external ProtocolLock and no balance check for tokens listed as plain would save about the gap "
    "(repeat 13,700 over 55,000; first 16,100 over 90,000).",
    "position_open": "Where it goes (call trace, 287,936 execution): pool.checkUtilization 64,595 (NAV: every pool "
    "asset's price and engine.poolExposure 23,497), the fee borrowed from the Pool (pool.lend 33,011) and its "
    "insurance share sent on (insurance.fund 20,286), the engine's position, market open interest, masks and debt "
    "(~150,000 with the prices). Closing it: check utilization only when the trade adds reserved notional, and book "
    "the insurance share as credit instead of two token transfers (~100,000 together); the rest needs packing the "
    "market state into fewer slots.",
    "update_3": "Where it goes (OracleGas.t.sol trace): 3 cold feed calls ~7,500 each, the configuration read from "
    "the OracleSourceSet code ~4,700, the oracle's own storage ~24,000 (price and observation slots, the TWAP's "
    "window-start search on a 64-slot ring ~5,600), the event ~2,500, decoding, sorting and memory ~19,000. With the "
    "feeds warm (pushed in the same transaction) it is 71,467, still over: a shorter ring or a stored window start "
    "and one packed price slot would close the rest.",
    "price_read": "The oracle's first call in a transaction pays EIP-2929's cold-account access (2,600 of the 6,305); "
    "once the oracle has been called in the transaction (the engine reads several prices) a read is 3,805.",
    "health_8x8": "The grid's fit: ~19,600 + 14,551 per collateral token + 16,876 per position (cold slots: per "
    "token the balance, the collateral parameters and the oracle's price; per position the position, the market's "
    "parameters and state and the oracle's price), so 7 tokens + 8 positions cost 258,079. 60,000 would need "
    "per-account packing (balances and positions of a small account in a few slots) and one oracle call returning "
    "every price: not reachable by tuning.",
    "liquidate": "Where it goes (partial, call trace, 223,217 execution): liquidationHealth 52,000 (cold), "
    "closeForLiquidation 72,800 (it returns the maintenance equity and margin after the close: no second health "
    "read), one chargePenalty 77,600 for the keeper's reward and the InsuranceFund's share (one Pool loan 24,200, "
    "the keeper's first USDC 25,200, InsuranceFund.fund 20,300), settlement prices 3,000. Closing more of it: pay "
    "the keeper and the InsuranceFund in engine credit instead of token transfers (~40,000) and pack the position "
    "and market state (fewer cold slots in the close). Absorb paths add ~94,500 per collateral token (scaling grid): "
    "each token goes engine -> Liquidator -> approve -> Pool; sending it straight to the Pool would save about half "
    "of that.",
    "liquidate_many_marginal": "Each extra account costs the partial liquidation above less what the batch pays "
    "once (base, cold accounts of the core, its prices): 114,543 (135,352 before the one charge and the health "
    "returned by the close). 60,000 also needs the keeper reward paid once per batch and the penalty booked as "
    "credit (no token transfers per account).",
}
"""Why a target is missed and what would close it (from call traces of the harness), by TARGETS key."""

TARGET_OF: dict[str, str] = {
    "lp_deposit_first": "lp_deposit",
    "lp_deposit_repeat": "lp_deposit",
    "collateral_deposit_first": "collateral_deposit",
    "collateral_deposit_repeat": "collateral_deposit",
    "position_open": "position_open",
    "oracle_update_3": "update_3",
    "oracle_update_3_warm": "update_3",
    "price_read": "price_read",
    "price_read_cold": "price_read",
    "health_c7_p8": "health_8x8",
    "liquidate_many_marginal": "liquidate_many_marginal",
}


def missed_note(key: str) -> str:
    group = TARGET_OF.get(key) or ("liquidate" if key.startswith("liquidate_") else "")
    return MISSED_NOTES.get(group, "")


FRESH: tuple[tuple[str, str], ...] = (
    ("fresh_collateral_deposit_first", "collateral deposit, first (the engine's first WETH)"),
    ("fresh_collateral_deposit_repeat", "collateral deposit, repeat"),
    ("fresh_position_open", "open a position (the market's first)"),
    ("fresh_liquidate_partial", "liquidate, partial"),
    ("fresh_liquidate_full_absorb_deficit", "liquidate, full + absorb + deficit"),
)


def anchor_of(key: str | None) -> Anchor | None:
    if key is None:
        return None
    if key.startswith("compound_absorb_") and key.removeprefix("compound_absorb_").isdigit():
        return compound_batch_anchor(int(key.removeprefix("compound_absorb_")))
    return ANCHORS[key]


def headline(op: Operation, m: Measurement) -> int:
    """The figure of a row: tx gas for a transaction, the execution for a view."""
    return m.execution if op.basis == "view" else m.tx_gas


# ---------------------------------------------------------------------------------------------------- analysis


@dataclass(frozen=True)
class Batch:
    """liquidateMany as a line: tx gas = base + marginal * n; gas limit = limit_base + limit_marginal * n."""

    base: float
    marginal: float
    limit_base: float
    limit_marginal: float

    @classmethod
    def from_measurements(cls, small: Measurement, large: Measurement, n_small: int, n_large: int) -> Batch:
        marginal = (large.tx_gas - small.tx_gas) / (n_large - n_small)
        limit_marginal = (large.gas_limit - small.gas_limit) / (n_large - n_small)
        return cls(
            small.tx_gas - marginal * n_small,
            marginal,
            small.gas_limit - limit_marginal * n_small,
            limit_marginal,
        )

    def tx_gas(self, n: int) -> float:
        return self.base + self.marginal * n

    def gas_limit(self, n: int) -> float:
        return self.limit_base + self.limit_marginal * n

    def per_tx(self, cap: int = PER_TX_CAP) -> int:
        """Accounts one transaction can liquidate: its gas limit (before refunds) must stay under the cap."""
        return max(0, math.floor((cap - self.limit_base) / self.limit_marginal))

    def per_block_one_tx(self, block_gas: int) -> int:
        """Accounts per block if one transaction could take the whole block (no per-transaction cap)."""
        return max(0, math.floor((block_gas - self.limit_base) / self.limit_marginal))

    def per_block(self, block_gas: int, cap: int = PER_TX_CAP) -> int:
        """Accounts per block in transactions under the cap: k full transactions of `per_tx` accounts each (a
        transaction fits while its gas limit fits the gas the block has left; it uses its tx gas, after refunds),
        then one more with what is left."""
        n_tx = self.per_tx(cap)
        if n_tx == 0:
            return 0
        used, accounts = 0.0, 0
        while used + self.gas_limit(n_tx) <= block_gas:
            used += self.tx_gas(n_tx)
            accounts += n_tx
        rest = math.floor((block_gas - used - self.limit_base) / self.limit_marginal)
        return accounts + max(0, min(rest, n_tx))


PER_BLOCK_FORMULA = (
    "tx gas of a batch of n = base + marginal * n (fit through the 10- and 100-account batches); gas limit of a batch "
    "= limit_base + limit_marginal * n (the same before refunds). Per transaction: floor((16,777,216 - limit_base) / "
    "limit_marginal). Per block of B gas: transactions of that size while their gas limit fits what is left of the "
    "block (each uses its tx gas, refunds deducted), then one transaction with the rest: floor((left - limit_base) / "
    "limit_marginal). Without the per-transaction cap (one transaction): floor((B - limit_base) / limit_marginal)."
)


@dataclass(frozen=True)
class PlaneFit:
    """gas = intercept + per_token * tokens + per_position * positions over a grid, and how well it fits."""

    intercept: float
    per_token: float
    per_position: float
    r2: float
    max_residual: float
    max_residual_pct: float
    interaction: float
    """The coefficient of a tokens * positions term added to the fit: what the plane leaves out, per cell pair."""

    @property
    def linear(self) -> bool:
        return self.r2 >= LINEAR_R2


def fit_plane(points: Sequence[tuple[int, int, int]]) -> PlaneFit:
    """Least squares of gas on tokens and positions, with R^2, the largest residual and the interaction term."""
    if len(points) < 4:
        raise BenchError(f"a plane fit needs at least 4 grid points, got {len(points)}")
    a = np.array([p[0] for p in points], dtype=float)
    b = np.array([p[1] for p in points], dtype=float)
    y = np.array([p[2] for p in points], dtype=float)
    design = np.column_stack([np.ones_like(a), a, b])
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    residuals = y - design @ coef
    total = float(((y - y.mean()) ** 2).sum())
    r2 = 1.0 - float((residuals**2).sum()) / total if total else 1.0
    worst = int(np.argmax(np.abs(residuals)))
    full = np.column_stack([design, a * b])
    coef_full, *_ = np.linalg.lstsq(full, y, rcond=None)
    return PlaneFit(
        float(coef[0]),
        float(coef[1]),
        float(coef[2]),
        r2,
        float(abs(residuals[worst])),
        float(abs(residuals[worst]) / y[worst] * 100),
        float(coef_full[3]),
    )


def grid_points(gas: Mapping[str, int], prefix: str) -> list[tuple[int, int, int]]:
    cells = [(c, p, f"{prefix}_c{c}_p{p}") for c in GRID_TOKENS for p in GRID_POSITIONS]
    return [(c, p, gas[key]) for c, p, key in cells if key in gas]


GRIDS: tuple[tuple[str, str], ...] = (
    ("health", "health view (execution)"),
    ("liquidate_partial", "liquidate, partial (tx gas)"),
    ("liquidate_absorb", "liquidate, full + absorb + deficit (tx gas)"),
)


# ---------------------------------------------------------------------------------------------------- report


@dataclass
class Report:
    measurements: dict[str, Measurement]
    gas: dict[str, int] = field(default_factory=dict)
    batch: Batch | None = None
    fits: dict[str, PlaneFit] = field(default_factory=dict)
    throughput: dict[str, Any] = field(default_factory=dict)

    def ratio(self, op: Operation) -> float | None:
        anchor = anchor_of(op.anchor)
        if anchor is None or op.key not in self.gas:
            return None
        return self.gas[op.key] / anchor.gas

    def rows(self) -> Iterable[tuple[Operation, int]]:
        for op in OPERATIONS:
            if op.key in self.gas:
                yield op, self.gas[op.key]


ThroughputSource = Callable[[Report], Mapping[str, Any]]
"""A measurement of throughput that plugs into the report: given the gas report, it returns entries of the
`throughput` section. The chain-side sources (`ballast/bench_throughput.py`, wired by `ape run bench`) fill
`driver_vs_naive` (see `driver_vs_naive_entry`) and `keeper_reaction_blocks` (accounts -> `reaction_entry`); an
entry nobody measured stays null."""

PENDING_THROUGHPUT = ("driver_vs_naive", "keeper_reaction_blocks")

DRIVER_TARGET = 10.0
"""Issue #9: the scenario driver sends transactions at least 10x as fast as naive ape calls."""


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


def throughput_lines(throughput: Mapping[str, Any]) -> list[str]:
    """The "Throughput" section of results.md (after its heading): the driver against naive calls and the keeper's
    reaction, or why each is missing."""
    out: list[str] = []
    d = throughput.get("driver_vs_naive")
    if d is None:
        out.append("- Driver vs naive ape calls: not measured in this run (`ape run bench --no-throughput`).")
    else:
        out.append(
            f"- Driver vs naive ape calls, the same {d['transactions']:,} mints and feed answers in one run: naive "
            f"{d['naive_tx_per_s']:,.1f} tx/s ({d['naive_s']:,.2f} s), driver {d['driver_tx_per_s']:,.1f} tx/s "
            f"({d['driver_transactions']:,} in {d['driver_s']:,.2f} s, one block): {d['ratio']:,.1f}x "
            f"(target >= {d['target']:g}x: {'met' if d['met'] else 'missed'})."
        )
    r = throughput.get("keeper_reaction_blocks")
    if r is None:
        out.append("- Keeper reaction: not measured in this run (`ape run bench --no-throughput`).")
        return out
    out += [
        "- Keeper reaction (scale scenario: WETH, WBTC and LTT -40 % in one block, the shock block; keeper budget "
        "200M gas per block, one keeper step per block): blocks from the price update to the last liquidation. The "
        "risk price follows the 10-block TWAP down, so accounts cross maintenance over about ten blocks after the "
        "shock; left liquidatable is the most accounts still liquidatable at the end of a block, after the keeper.",
        "",
        "| accounts (traders) | accounts liquidated | liquidations | first liquidation (blocks after the shock) | reaction "
        "blocks (shock to last liquidation) | left liquidatable | wall s (seeding included) |",
        "|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for key in sorted(r, key=int):
        e = r[key]
        first = e["first_liquidation_block"]
        out.append(
            f"| {e['accounts']:,} | {e['accounts_liquidated']:,} | {e['liquidations']:,} | "
            f"{'' if first is None else first - e['shock_block']} | "
            f"{'none' if e['reaction_blocks'] is None else e['reaction_blocks']} | "
            f"{e['max_liquidatable_end_of_block']:,} | {e['wall_s']:,.1f} |"
        )
    out += [
        "",
        "Accounts: the scenario's traders (a mixed population; not all of them fall below maintenance). `ape run "
        "bench` measures 100 by default; 1,000 is opt-in (`--reaction-accounts 100,1000`), best against an anvil "
        "without `--steps-tracing` (ape's own anvil keeps every opcode step in memory: past 22 GB at 1,000 "
        "accounts; see README)." + ("" if "1000" in r else " Not run here."),
    ]
    return out


def build_report(
    measurements: Mapping[str, Measurement], throughput_sources: Sequence[ThroughputSource] = ()
) -> Report:
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


def met(target: int | None, gas: int) -> str:
    if target is None:
        return ""
    return "met" if gas <= target else "missed"


def _fmt(x: float | None, digits: int = 0) -> str:
    if x is None:
        return ""
    return f"{x:,.{digits}f}"


def results_json(report: Report) -> dict[str, Any]:
    ratios = {op.key: round(r, 3) for op, _ in report.rows() if (r := report.ratio(op)) is not None}
    targets = {
        op.key: {"target": op.target, "gas": gas, "met": gas <= op.target}
        | ({"note": missed_note(op.key)} if gas > op.target and missed_note(op.key) else {})
        for op, gas in report.rows()
        if op.target is not None
    }
    scaling = {
        prefix: {
            "per_token": round(f.per_token),
            "per_position": round(f.per_position),
            "intercept": round(f.intercept),
            "r2": round(f.r2, 6),
            "max_residual": round(f.max_residual),
            "max_residual_pct": round(f.max_residual_pct, 2),
            "interaction_per_token_position": round(f.interaction),
            "linear": f.linear,
        }
        for prefix, f in report.fits.items()
    }
    return {
        "gas": dict(sorted(report.gas.items())),
        "ratios": ratios,
        "throughput": report.throughput,
        "targets": targets,
        "scaling": scaling,
    }


def markdown(report: Report) -> str:
    out = [
        "# Gas benchmarks",
        "",
        "Generated by `make bench` from the forge gas harness (`tests/forge/*Gas*.t.sol`). Transactions: the whole "
        "transaction (21,000 base, calldata, cold storage, less the capped refund). Views: the execution of the call.",
        "Rows on a protocol in use (other accounts already hold collateral and positions) unless marked fresh.",
        "",
        "| operation | gas | basis | anchor | anchor gas | ratio | target | met |",
        "|---|--:|---|---|--:|--:|--:|---|",
    ]
    for op, gas in report.rows():
        anchor = anchor_of(op.anchor)
        ratio = report.ratio(op)
        out.append(
            f"| {op.label} | {gas:,} | {op.basis} | {anchor.name if anchor else ''} | "
            f"{_fmt(anchor.gas if anchor else None)} | {_fmt(ratio, 2)} | {_fmt(op.target)} | {met(op.target, gas)} |"
        )
    missed = [(op, gas) for op, gas in report.rows() if op.target is not None and gas > op.target]
    if missed:
        out += ["", "## Missed targets", ""]
        notes: dict[str, list[str]] = {}
        for op, gas in missed:
            notes.setdefault(missed_note(op.key), []).append(f"{op.label} {gas:,} > {op.target:,}")
        for note, rows in notes.items():
            out.append(f"- {'; '.join(rows)}." + (f" {note}" if note else ""))
    fresh = [(label, report.gas[key]) for key, label in FRESH if key in report.gas]
    if fresh:
        out += [
            "",
            "Fresh deployment (first use of the engine, market or account):",
            "",
            "| operation | tx gas |",
            "|---|--:|",
        ]
        out += [f"| {label} | {gas:,} |" for label, gas in fresh]
    if report.batch is not None:
        t = report.throughput["liquidations"]
        out += [
            "",
            "## Liquidations per block",
            "",
            f"liquidateMany: tx gas = {t['base']:,} + {t['marginal']:,} x n; gas limit (before refunds) = "
            f"{t['limit_base']:,} + {t['limit_marginal']:,} x n.",
            "",
            "| | accounts |",
            "|---|--:|",
            f"| per transaction (cap {PER_TX_CAP:,}) | {t['per_tx']:,} |",
        ]
        for g in BLOCK_GAS_LIMITS:
            out.append(
                f"| per block of {g // 1_000_000}M gas, transactions under the cap | {t['per_block'][str(g)]:,} |"
            )
            out.append(
                f"| per block of {g // 1_000_000}M gas, one transaction (no cap) | "
                f"{t['per_block_one_tx'][str(g)]:,} |"
            )
        out += ["", f"Formula: {PER_BLOCK_FORMULA}"]
    if report.fits:
        out += [
            "",
            "## Scaling",
            "",
            "Rows: collateral tokens per account (each account also holds USDC cash: 2, 5 and 8 assets); columns: "
            "positions. Same totals in every cell (1,000 USD cash, 8,000 USD of tokens after haircuts, 20,000 USD "
            "of longs), so every cell takes the same path.",
            "",
        ]
        for prefix, title in GRIDS:
            if prefix not in report.fits:
                continue
            f = report.fits[prefix]
            out += [
                f"### {title}",
                "",
                "| tokens \\ positions | " + " | ".join(map(str, GRID_POSITIONS)) + " |",
                "|---|" + "--:|" * len(GRID_POSITIONS),
            ]
            for c in GRID_TOKENS:
                cells = " | ".join(f"{report.gas[f'{prefix}_c{c}_p{p}']:,}" for p in GRID_POSITIONS)
                out.append(f"| {c} | {cells} |")
            out += [
                "",
                f"Fit: {f.intercept:,.0f} + {f.per_token:,.0f} per token + {f.per_position:,.0f} per position; "
                f"R^2 {f.r2:.5f}, largest residual {f.max_residual:,.0f} gas ({f.max_residual_pct:.2f} %); "
                f"tokens x positions term {f.interaction:,.0f} per pair; "
                f"{'linear' if f.linear else 'NOT linear'} (R^2 >= {LINEAR_R2}).",
                "",
            ]
    out += ["## Throughput", "", *throughput_lines(report.throughput)]
    return "\n".join(out) + "\n"


def print_report(report: Report, echo: Callable[[str], Any] = click.echo) -> None:
    echo(markdown(report))


def write_results(report: Report, directory: Path = BENCH_DIR) -> tuple[Path, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    md, js = directory / RESULTS_MD.name, directory / RESULTS_JSON.name
    md.write_text(markdown(report))
    js.write_text(json.dumps(results_json(report), indent=2) + "\n")
    return md, js


# ---------------------------------------------------------------------------------------------------- guard


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
            f"(rewrites {_rel(SNAPSHOT_FILE)})."
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


def _rel(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def load_snapshot(path: Path | None = None) -> dict[str, int]:
    path = path or SNAPSHOT_FILE
    if not path.exists():
        raise BenchError(f"no gas snapshot at {_rel(path)}: create it with `make gas-snapshot`")
    try:
        data = json.loads(path.read_text())
        gas = data["gas"]
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise BenchError(
            f"{_rel(path)} is not a gas snapshot ({exc}): recreate it with `make gas-snapshot`"
        ) from exc
    if not all(isinstance(k, str) and isinstance(v, int) for k, v in gas.items()):
        raise BenchError(f'{_rel(path)}: every entry of "gas" must be an integer')
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


# ---------------------------------------------------------------------------------------------------- command


@click.group()
def main() -> None:
    """Gas guard: compare the forge harness with the checked-in snapshot, or rewrite the snapshot."""


@main.command()
def check() -> None:
    """Fail when an operation's gas rose more than 2 % over bench/gas-snapshot.json."""
    started = time.monotonic()
    try:
        snapshot = load_snapshot()
        report = build_report(run_forge())
    except BenchError as exc:
        raise click.ClickException(str(exc)) from None
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
    try:
        report = build_report(run_forge())
        old = load_snapshot() if SNAPSHOT_FILE.exists() else {}
    except BenchError as exc:
        raise click.ClickException(str(exc)) from None
    if old:
        for line in comparison_lines(compare(old, report.gas)):
            if not line.startswith("If the rise is intended"):
                click.echo(line.replace("gas check FAILED", "snapshot raised"))
    write_snapshot(report.gas)
    click.echo(f"wrote {_rel(SNAPSHOT_FILE)}: {len(report.gas)} operations")


if __name__ == "__main__":
    main()
