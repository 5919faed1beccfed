"""The rows of the bench table: each measured operation, its label, basis, anchor and target."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ballast.bench.harness import Measurement

Basis = Literal["tx", "view"]

GRID_TOKENS = (1, 4, 7)
"""Collateral tokens per account in the scaling grids, each account also holding USDC cash: 2, 5 or 8 assets (the Pool
lists at most 8 assets, the settlement asset first, so 7 tokens plus cash is the widest account)."""
GRID_POSITIONS = (1, 4, 8)
LINEAR_R2 = 0.999
"""A grid counts as linear in tokens and positions when a plane a + b * tokens + c * positions explains it this well."""


@dataclass(frozen=True)
class Operation:
    """A row of the table. `anchors`: the anchor operations comparable to it (keys of
    `ballast.bench.anchors.ANCHOR_OPERATIONS`), the leanest measured one is its anchor and sets its target
    (1.25x); `target`: an absolute target of its own (when both apply, the row must meet both)."""

    key: str
    label: str
    basis: Basis = "tx"
    anchors: tuple[str, ...] = ()
    target: int | None = None
    note: str = ""


TARGETS = {
    "liquidate_many_marginal": 60_000,
    "position_open": 150_000,
    "price_read": 5_000,
    "update_3": 60_000,
    "health_8x8": 100_000,
    "option_price": 25_000,
}
"""The absolute targets; every anchored row's target is also 1.25x its anchor."""

OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "lp_deposit_first",
        "LP deposit, first (USDC)",
        "tx",
        ("morpho_supply_first", "aave_supply_usdc_first"),
    ),
    Operation(
        "lp_deposit_repeat",
        "LP deposit, repeat (USDC)",
        "tx",
        ("morpho_supply_repeat", "aave_supply_usdc_repeat"),
    ),
    Operation("lp_withdraw", "LP withdraw (USDC)", "tx", ("morpho_withdraw",)),
    Operation(
        "collateral_deposit_first",
        "collateral deposit, first",
        "tx",
        ("morpho_collateral_first", "aave_supply_weth_first"),
    ),
    Operation(
        "collateral_deposit_repeat",
        "collateral deposit, repeat",
        "tx",
        ("morpho_collateral_repeat", "aave_supply_weth_repeat"),
    ),
    Operation(
        "collateral_withdraw",
        "collateral withdraw (with a position: margin check)",
        "tx",
        ("morpho_withdraw_collateral",),
    ),
    Operation(
        "collateral_withdraw_no_position",
        "collateral withdraw (no position)",
        "tx",
        ("morpho_withdraw_collateral_no_borrow",),
    ),
    Operation(
        "borrow",
        "borrow USDC against collateral (a withdrawal beyond credit)",
        "tx",
        ("morpho_borrow", "aave_borrow"),
        None,
        "the loan checks utilization and payout backing",
    ),
    Operation(
        "position_open",
        "open a position (fee owed to the Pool)",
        "tx",
        (),
        TARGETS["position_open"],
    ),
    Operation("position_increase", "increase a position"),
    Operation("position_reduce", "reduce a position (half)"),
    Operation("position_close", "close a position"),
    Operation("position_open_8th", "open the 8th position (7 tokens + cash held)"),
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
            (),
            TARGETS["health_8x8"] if (c, p) == (7, 8) else None,
        )
        for c in GRID_TOKENS
        for p in GRID_POSITIONS
    ),
    Operation(
        "liquidate_partial",
        "liquidate, partial (half closes)",
        "tx",
        ("morpho_liquidate_partial", "aave_liquidation_partial"),
    ),
    Operation(
        "liquidate_full",
        "liquidate, full close (no absorb)",
        "tx",
        ("morpho_liquidate_full", "aave_liquidation_full"),
    ),
    Operation(
        "liquidate_absorb",
        "liquidate, full close + absorb (no deficit)",
        "tx",
        ("morpho_liquidate_full", "aave_liquidation_full"),
    ),
    Operation(
        "liquidate_deficit_insured",
        "liquidate, absorb + deficit (insurance covers)",
        "tx",
        ("morpho_liquidate_bad_debt",),
    ),
    Operation(
        "liquidate_deficit_socialized",
        "liquidate, absorb + deficit (insurance, then LPs)",
        "tx",
        ("morpho_liquidate_bad_debt",),
    ),
    Operation("liquidate_many_1", "liquidateMany, 1 account (partial)", "tx", ("morpho_liquidate_many_1",)),
    Operation(
        "liquidate_many_10", "liquidateMany, 10 accounts (partial)", "tx", ("morpho_liquidate_many_10",)
    ),
    Operation(
        "liquidate_many_100", "liquidateMany, 100 accounts (partial)", "tx", ("morpho_liquidate_many_100",)
    ),
    Operation(
        "liquidate_many_marginal",
        "liquidateMany, marginal account ((100 - 10) / 90)",
        "tx",
        ("morpho_liquidate_many_marginal",),
        TARGETS["liquidate_many_marginal"],
    ),
    Operation("auto_deleverage", "auto-deleverage (1 position)"),
    Operation("option_buy", "options: buy (tradeProduct, the account's first series)"),
    Operation("option_write", "options: write (tradeProduct, the account's first series, margined)"),
    Operation("option_sell", "options: sell back (tradeProduct, the account's only series)"),
    Operation("option_settle", "options: settle a series (TWAP at expiry recorded)"),
    Operation("option_liquidate_1", "options: liquidate, 1 perp + 1 option series (half closes)"),
    Operation("option_liquidate_4", "options: liquidate, 1 perp + 4 option series (half closes)"),
    Operation("option_health_0", "options: health view, cash + 1 perp, no option", "view"),
    Operation("option_health_1", "options: health view, cash + 1 perp + 1 option series", "view"),
    Operation("option_health_4", "options: health view, cash + 1 perp + 4 option series", "view"),
    Operation("onboarding_propose", "onboarding: propose a listing (1 source, bond pulled)"),
    Operation("onboarding_approve", "onboarding: approve (schedules the 4-call listing batch)"),
    Operation("onboarding_reject", "onboarding: reject (bond returned)"),
    Operation("onboarding_reclaim", "onboarding: reclaim an expired proposal's bond"),
    Operation("onboarding_finalize", "onboarding: finalize an executed listing (bond returned)"),
    *(
        Operation(key, f"option math: {label} (worst of its rows, inside the caller)", "view", (), target)
        for key, label, target in (
            ("option_call_price_up", "call price, upper bound", TARGETS["option_price"]),
            ("option_call_price_down", "call price, lower bound", TARGETS["option_price"]),
            ("option_put_price_up", "put price, upper bound", TARGETS["option_price"]),
            ("option_put_price_down", "put price, lower bound", TARGETS["option_price"]),
            ("option_call_delta", "call delta", None),
            ("option_vega", "vega", None),
            ("wad_ln", "lnWad", None),
            ("wad_exp", "expWad", None),
            ("wad_sqrt", "sqrtWad", None),
            ("wad_norm_cdf", "normCdfWad", None),
        )
    ),
)
"""The table of `make bench`, in order. Rows measured on a protocol in use (other accounts already hold collateral and
positions, the InsuranceFund holds fees), so no protocol-wide slot goes from zero to non-zero in the measured
transaction; the `fresh_*` rows are the same operations on a fresh deployment (first use of everything)."""

FRESH: tuple[tuple[str, str], ...] = (
    ("fresh_collateral_deposit_first", "collateral deposit, first (the engine's first WETH)"),
    ("fresh_collateral_deposit_repeat", "collateral deposit, repeat"),
    ("fresh_position_open", "open a position (the market's first)"),
    ("fresh_liquidate_partial", "liquidate, partial"),
    ("fresh_liquidate_full_absorb_deficit", "liquidate, full + absorb + deficit"),
)

GRIDS: tuple[tuple[str, str], ...] = (
    ("health", "health view (execution)"),
    ("liquidate_partial", "liquidate, partial (tx gas)"),
    ("liquidate_absorb", "liquidate, full + absorb + deficit (tx gas)"),
)


def headline(op: Operation, m: Measurement) -> int:
    """The figure of a row: tx gas for a transaction, the execution for a view."""
    return m.execution if op.basis == "view" else m.tx_gas
