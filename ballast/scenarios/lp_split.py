"""Where the LP share price went over a run: the measured change split into its causes, so that "LP loss" means one
thing in every report line and property.

The Pool's lower NAV (what `sharePrice(false)` prices shares at) is the booked reserves at each asset's lower price
(the lower of median and TWAP), plus the receivable (traders' debt in the settlement asset) at the settlement
asset's lower price, less traders' net unrealized PnL at the prices worst for LPs (`poolExposure`: `pnlHigh`). Over a
run with a constant share supply its change is:

- **market move of the Pool's reserves**: every block, the reserves (and receivable) held at the end of the previous
  block times that block's change of their lower prices; with unchanged holdings it is the reserves valued at the
  end prices less at the start prices;
- **traders' PnL**: what the Pool gains (+) or pays (-) as traders' counterparty: minus their realized PnL
  (`PositionModified.realizedPnl`, net of the borrow fees it settles) minus the change of their unrealized PnL;
- **collateral absorbed above the debt it cancelled**: an absorbed account's collateral (at the Liquidator's value)
  beyond its debt (`Absorbed`, when no deficit was left): the part of a liquidated trader's collateral its losses
  did not use up, which the Pool keeps;
- **LP loss: deficits socialized** (`DeficitSocialized.valueUsd`): bad debt neither the account's collateral nor
  the InsuranceFund covered, written off against LPs. This, and only this, is what the reports and properties call
  "LP loss";
- **residual**: the measured change less the four lines above, so that the lines add up exactly: interest on the
  receivable, borrow fees not yet realized, InsuranceFund excess swept to the Pool, the oracle updates a keeper sends
  between a block's price update and its liquidations, and rounding.

Values are computed from the chain's integers and reported in USD (a part's effect on the NAV; the measured line is
the LP shares' value change) and per share (see `LossSplit.lines`).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

WAD = 10**18
VIRTUAL_SHARES = 10**18  # Pool.VIRTUAL_SHARES


@dataclass(frozen=True)
class PoolState:
    """The parts of the lower NAV at the end of one block (or at the start of the run)."""

    reserves: Mapping[str, int]  # symbol -> token units booked
    low_prices: Mapping[str, int]  # symbol -> lower of median and TWAP, WAD
    receivable: int  # settlement units (`totalDebt`)
    trader_pnl: int  # traders' net unrealized PnL, worst for LPs (`poolExposure(false).pnlHigh`), USD WAD
    share_price: int  # `sharePrice(false)`, WAD
    supply: int  # LP shares outstanding (WAD)


@dataclass(frozen=True)
class SplitLine:
    label: str
    usd: float  # for all LP shares outstanding
    per_share: float  # USD per share


@dataclass(frozen=True)
class LossSplit:
    """The share-price change over a run and its parts (each in USD for the LP shares and per share)."""

    share_price_start: float
    share_price_end: float
    supply: float  # LP shares at the end
    market_move: float  # USD of NAV
    traders_pnl: float
    absorbed_surplus: float
    lp_loss: float  # socialized deficits, USD, >= 0 (a loss)
    supply_changed: bool  # the split assumes a constant supply

    @property
    def change_per_share(self) -> float:
        return self.share_price_end - self.share_price_start

    @property
    def _scale(self) -> float:
        """NAV USD -> USD per share (the virtual shares take their part, as in the share price)."""
        return 1.0 / (self.supply + VIRTUAL_SHARES / WAD)

    def lines(self) -> list[SplitLine]:
        """The parts, then the residual, then the measured change; in each column the parts and the residual add up
        to the measured change. USD: a part's effect on the Pool's NAV, and for the measured line the LP shares'
        value change (share-price change x shares); per share: the part's effect on the share price (the NAV over
        the shares and the Pool's virtual share). The residual of the USD column therefore also holds the virtual
        share's part of every move (1 / (shares + 1) of it)."""
        parts = [
            ("market move of the Pool's reserves", self.market_move),
            ("traders' PnL (the Pool as counterparty)", self.traders_pnl),
            ("collateral absorbed above the debt it cancelled", self.absorbed_surplus),
            ("LP loss: deficits socialized", -self.lp_loss),
        ]
        out = [SplitLine(label, usd, usd * self._scale) for label, usd in parts]
        measured = SplitLine(
            "LP share-price change (measured)", self.change_per_share * self.supply, self.change_per_share
        )
        out.append(
            SplitLine(
                "residual (interest, fees, sweeps, rounding)",
                measured.usd - sum(x.usd for x in out),
                measured.per_share - sum(x.per_share for x in out),
            )
        )
        out.append(measured)
        return out


def market_move(states: Sequence[PoolState], decimals: Mapping[str, int], settlement: str) -> int:
    """USD (WAD) of the price moves on what the Pool held: the sum over blocks of the previous block's reserves and
    receivable times this block's change of their lower prices (exact integers, rounded down once at the end)."""
    total = 0  # USD WAD x 10**36
    for before, after in itertools.pairwise(states):
        for symbol, units in before.reserves.items():
            move = after.low_prices[symbol] - before.low_prices[symbol]
            total += units * move * 10 ** (36 - decimals[symbol])
        move = after.low_prices[settlement] - before.low_prices[settlement]
        total += before.receivable * move * 10 ** (36 - decimals[settlement])
    return total // 10**36


def split(
    states: Sequence[PoolState],
    decimals: Mapping[str, int],
    settlement: str,
    realized_pnl: int,
    absorbed_surplus: int,
    socialized: int,
) -> LossSplit:
    """The split of a run whose Pool went through `states` (the start, then the end of every block).
    `realized_pnl`: traders' realized PnL over the run (USD WAD, sum of `PositionModified.realizedPnl`);
    `absorbed_surplus`: collateral absorbed above the debt it cancelled (USD WAD); `socialized`: sum of
    `DeficitSocialized.valueUsd` (USD WAD)."""
    first, last = states[0], states[-1]
    traders = -(realized_pnl + last.trader_pnl - first.trader_pnl)
    return LossSplit(
        share_price_start=first.share_price / WAD,
        share_price_end=last.share_price / WAD,
        supply=last.supply / WAD,
        market_move=market_move(states, decimals, settlement) / WAD,
        traders_pnl=traders / WAD,
        absorbed_surplus=absorbed_surplus / WAD,
        lp_loss=socialized / WAD,
        supply_changed=first.supply != last.supply,
    )
