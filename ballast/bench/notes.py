"""Why a target is missed and what would close it (from call traces of the harness), for the report."""

from __future__ import annotations

MISSED_NOTES: dict[str, str] = {
    "lp_deposit": "Where it goes (call trace of lp_deposit_first): the share price needs the NAV at every deposit: "
    "3 pool-asset prices (~10,100) and engine.poolExposure, the open positions' PnL (~32,700), then the interest "
    "accrual, the share mint and the lockup write; the token pull with before/after balance checks ~19,700. "
    "Closing it: book market PnL in the Pool at trade time (or cache the NAV per block) instead of asking the engine "
    "(~40,000).",
    "collateral_deposit": "Where it goes (repeat: 21,000 base + ~1,000 calldata + 46,641): the token pull 16,557, "
    "the before/after balanceOf 3,118 (fee-on-transfer tokens), the shared ProtocolLock (another account, lock and "
    "unlock writes), the engine's balance, total and mask. Closing it: a transient-storage lock (EIP-1153) in place "
    "of the external ProtocolLock and no balance check for tokens listed as plain would save about 13,700 on a "
    "repeat and 16,100 on a first deposit.",
    "position_open": "Where it goes (call trace of the market's first open, 307,649 execution): pool.checkUtilization "
    "61,360 (NAV: every pool asset's price and engine.poolExposure), the fee owed to the Pool when the account has no "
    "credit (pool.receiveLoss 28,988: the account's first scaled debt), six price reads ~12,000, and the engine's "
    "position, market open interest and entry sums, masks and debt (~200,000 with the events). Closing it: check "
    "utilization only when the trade adds reserved notional (~60,000) and pack the market state into fewer slots.",
    "update_3": "Where it goes (OracleGas.t.sol trace): 3 cold feed calls ~7,500 each, the configuration read from "
    "the OracleSourceSet code ~4,700, the oracle's own storage ~24,000 (price and observation slots, the TWAP's "
    "window-start search on a 64-slot ring ~5,600), the event ~2,500, decoding, sorting and memory ~19,000. With the "
    "feeds warm (pushed in the same transaction) it is 71,467, still over: a shorter ring or a stored window start "
    "and one packed price slot would close the rest.",
    "price_read": "The oracle's first call in a transaction pays EIP-2929's cold-account access (2,600 of the 6,305); "
    "once the oracle has been called in the transaction (the engine reads several prices) a read is 3,805.",
    "health_8x8": "The grid's fit: ~19,600 + 14,551 per collateral token + 16,876 per position (cold slots: per "
    "token the balance, the collateral parameters and the oracle's price; per position the position, the market's "
    "parameters and state and the oracle's price), so 7 tokens + 8 positions cost 258,079. 100,000 would need "
    "per-account packing (balances and positions of a small account in a few slots) and one oracle call returning "
    "every price: not reachable by tuning.",
    "liquidate": "Where it goes (partial, call trace, 198,402 execution): liquidationHealth 48,622 (cold), "
    "closeForLiquidation 70,048 (the realized loss owed to the Pool, pool.receiveLoss 11,888; it returns the "
    "maintenance equity and margin after the close: no second health read), chargePenalty 57,274 (the keeper paid in "
    "the account's collateral at the upper price, a WETH transfer to a keeper that held none 29,981; the "
    "InsuranceFund's share owed to the Pool without credit, pool.receiveLoss 3,022), one settlement price read 1,605 "
    "that the close's PnL and the charge share, and the lock. Closing more of it: pay the keeper in engine credit or "
    "collateral balance instead of a token transfer (~25,000) and pack the position and market state (fewer cold "
    "slots in the close). An absorb with a surplus (258,216 execution, 9,600 refunded) pays the keeper in collateral "
    "(34,502, a WBTC transfer to a keeper that held none 25,181) and moves only the debt's worth straight from the "
    "engine to the Pool, so the account keeps its surplus; a confiscating absorb that pays no keeper is cheaper as a "
    "transaction only through refunds (the collateral routed through the Liquidator sets and clears its balance and "
    "allowance in the transaction: ~49,000 refunded), not in execution.",
    "liquidate_many_marginal": "Each extra account costs the partial liquidation above less what the batch pays "
    "once (base, cold accounts of the core, its prices): one close, one charge and one settlement price read per "
    "account, in its own call frame so that a failing account is skipped. 60,000 also needs the keeper reward paid once per batch and the penalty booked as "
    "credit (no token transfers per account).",
}
"""Why a target is missed and what would close it (from call traces of the harness), by group of rows."""

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
