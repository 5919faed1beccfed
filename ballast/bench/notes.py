"""What would close a missed target: the design change, by group of rows. The figures of where the gas goes are not
written here: `breakdown` measures them from the harness's call trace in every run."""

from __future__ import annotations

MISSED_NOTES: dict[str, str] = {
    "lp": "Every LP action prices its shares against the NAV: each pool asset's price and reserve, and "
    "engine.poolExposure, the open positions' PnL (each market's state and price). Closing it: book the markets' PnL "
    "in the Pool at trade time (one slot the Pool reads) instead of asking the engine, and pack the pool assets' "
    "configuration and reserves into fewer slots.",
    "collateral": "A deposit pulls the token with a before/after balance check (fee-on-transfer tokens) under the "
    "shared lock, which the Pool holds (two calls to an account the deposit touches for nothing else, so a cold "
    "one); a withdrawal with positions re-reads the account's health. Closing it: no balance check for tokens "
    "onboarded as plain, and a small account's balances beside its cash and masks.",
    "borrow": "A withdrawal beyond credit borrows from the Pool (accrual, debt, the utilization check with the NAV) and "
    "checks the account's initial margin (every price it holds). Closing it: the NAV booked in the Pool (see the LP "
    "rows).",
    "position_open": "Opening writes the position (one fresh slot), the market's open interest and entry sums, the "
    "account's mask and its debt for the fee, then asks the Pool for the utilization check (the full NAV, "
    "engine.poolExposure included) and the account for its initial margin. Closing it: the NAV booked in the Pool "
    "(the utilization check then reads a few slots) and the fee taken from credit only.",
    "update_3": "Each source is a cold feed call; the oracle reads its configuration from the OracleSourceSet's code, "
    "writes the price and observation slots and searches the TWAP's window start on its ring. Closing it: a stored "
    "window start and a shorter ring.",
    "price_read": "The oracle's first call in a transaction pays EIP-2929's cold-account access (2,600); later reads "
    "in the same transaction do not.",
    "health_8x8": "Per collateral token the balance, the collateral parameters and one oracle call; per position the "
    "position (one slot), the market's parameters and one oracle call (see the Scaling fit below). Closing it: "
    "a small account's balances beside its cash and masks, and one oracle call returning every price the account "
    "needs.",
    "liquidate": "A liquidation is one engine call (liquidateAccount: the health read, then the close and the penalty "
    "at the prices it read); the close's losses and the fund's share of the penalty that credit does not pay reach "
    "the Pool in one booking (pool.receiveLoss, one cash event); the keeper's reward is credited to its engine "
    "account (a keeper paid for the first time pays for its account's first slots); an absorb is three or four more "
    "engine calls served by its extension (writeOffDebt, collateralValue, absorbCollateral, payKeeperInCollateral) "
    "and writes off in the same transaction the debt the close just booked. Closing it: the absorb in one engine "
    "call (the write-off, the valuation and both moves of collateral) and a small account's balances beside its "
    "cash and masks.",
    "liquidate_many_marginal": "Each extra account runs its liquidation in its own call frame (so that a failing "
    "account is skipped): one engine call, whose cost is mostly the account's own cold slots (its cash and masks, "
    "balances, the position's slot), their writes and six events (the position, the account's "
    "one cash booking, the Pool's, the reward's seizure and deposit, the Liquidator's). Closing it: a small "
    "account's balances beside its cash and masks, and the keeper's reward summed over the batch and credited once.",
}

TARGET_OF: dict[str, str] = {
    "lp_deposit_first": "lp",
    "lp_deposit_repeat": "lp",
    "lp_withdraw": "lp",
    "collateral_deposit_first": "collateral",
    "collateral_deposit_repeat": "collateral",
    "collateral_withdraw": "collateral",
    "collateral_withdraw_no_position": "collateral",
    "borrow": "borrow",
    "position_open": "position_open",
    "oracle_update_3": "update_3",
    "oracle_update_3_warm": "update_3",
    "price_read": "price_read",
    "price_read_cold": "price_read",
    "health_c7_p8": "health_8x8",
    "liquidate_many_marginal": "liquidate_many_marginal",
}
"""The group of each row whose target can be missed."""


def missed_note(key: str) -> str:
    group = TARGET_OF.get(key) or ("liquidate" if key.startswith("liquidate_") else "")
    return MISSED_NOTES.get(group, "")
