"""Other protocols' gas for the operations ballast is compared with (the anchors of the bench table)."""

from __future__ import annotations

from dataclasses import dataclass


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


def anchor_of(key: str | None) -> Anchor | None:
    if key is None:
        return None
    if key.startswith("compound_absorb_") and key.removeprefix("compound_absorb_").isdigit():
        return compound_batch_anchor(int(key.removeprefix("compound_absorb_")))
    return ANCHORS[key]
