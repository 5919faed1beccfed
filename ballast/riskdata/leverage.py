"""Capital efficiency: the leverage a parameter set allows traders, the engine's initial-margin rule solved for size.

An account holding collateral i worth v_i (USD, at its price) and settlement cash c may open a perpetual of notional
N on market m when both of the engine's checks for new risk pass (`AccountMath.addCollateral` / `addPosition`):

    initial equity  E = sum_i v_i (1 - ih_i) + c             >= N x imf_m           (initial margin)
    stress equity   E - sum_i v_i (1 - ih_i) cs_i - N x s_m >= 0                    (stress loss)

with ih_i the initial haircut and cs_i the stress shock of collateral i, imf_m and s_m the market's initial margin and
stress shock (fractions). The largest such N is

    N_max = min(E / imf_m, (E - sum_i v_i (1 - ih_i) cs_i) / s_m)      (the second term only when s_m > 0)

and the **allowed leverage** is N_max / (sum_i v_i + c): how many dollars of exposure a dollar of deposits may carry.
Prices here are one price per asset (the engine's low/high spread is left out: it is the oracle's, not a risk
parameter's). A population's figure is the mean over its traders of the allowed leverage on the market each trades
most (by notional at the population's prices), traders without a position taking the first market listed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ballast.config.schema import DeploymentConfig
from ballast.errors import RiskDataError
from ballast.scenarios.population import Population, Trader

BPS = 10_000


@dataclass(frozen=True)
class CollateralTerms:
    """A collateral asset's initial haircut and stress shock, bps."""

    initial_haircut_bps: int
    stress_shock_bps: int


@dataclass(frozen=True)
class MarketTerms:
    """A market's asset (symbol), initial margin and stress shock, bps."""

    asset: str
    initial_margin_bps: int
    stress_shock_bps: int


@dataclass(frozen=True)
class Terms:
    """The parameters the allowed leverage depends on: collateral by symbol, markets by name."""

    settlement: str
    collateral: Mapping[str, CollateralTerms]
    markets: Mapping[str, MarketTerms]

    @classmethod
    def from_config(cls, config: DeploymentConfig) -> Terms:
        return cls(
            settlement=config.settlement_asset,
            collateral={
                s: CollateralTerms(c.initial_haircut_bps, c.stress_shock_bps)
                for s, c in config.collateral.items()
            },
            markets={
                m.name: MarketTerms(m.asset, m.initial_margin_bps, m.stress_shock_bps) for m in config.markets
            },
        )


def allowed_notional(holdings_usd: Mapping[str, float], terms: Terms, market: str) -> float:
    """N_max (USD) for deposits `holdings_usd` (symbol -> USD value; the settlement asset is cash) on `market`."""
    if market not in terms.markets:
        raise RiskDataError(f"leverage: market {market!r} is not in the parameter set")
    equity = 0.0
    stress = 0.0
    for symbol, value in holdings_usd.items():
        if value < 0:
            raise RiskDataError(f"leverage: holding of {symbol} is negative ({value})")
        if symbol == terms.settlement:
            equity += value
            continue
        c = terms.collateral.get(symbol)
        if c is None:
            raise RiskDataError(f"leverage: {symbol} is not a collateral asset of the parameter set")
        initial_value = value * (1 - c.initial_haircut_bps / BPS)
        equity += initial_value
        stress += initial_value * c.stress_shock_bps / BPS
    m = terms.markets[market]
    by_margin = equity / (m.initial_margin_bps / BPS)
    if m.stress_shock_bps == 0:
        return by_margin
    return max(0.0, min(by_margin, (equity - stress) / (m.stress_shock_bps / BPS)))


def allowed_leverage(holdings_usd: Mapping[str, float], terms: Terms, market: str) -> float:
    """N_max over the deposits' value (0 for an account with nothing deposited)."""
    deposits = sum(holdings_usd.values())
    return allowed_notional(holdings_usd, terms, market) / deposits if deposits > 0 else 0.0


def main_market(trader: Trader, prices: Mapping[str, float], terms: Terms) -> str:
    """The market `trader` holds most of by notional; the first market of `terms` for a trader without one."""
    if not trader.positions:
        return next(iter(terms.markets))
    unknown = [m for m in trader.positions if m not in terms.markets]
    if unknown:
        raise RiskDataError(f"leverage: market {unknown[0]!r} is not in the parameter set")
    return max(trader.positions, key=lambda m: abs(trader.positions[m]) * prices[terms.markets[m].asset])


def average_allowed_leverage(
    population: Population, terms: Terms, prices: Mapping[str, float] | None = None
) -> float:
    """The mean allowed leverage of the population's traders at `prices` (default: the population's own)."""
    at = population.prices if prices is None else prices
    levels = []
    for trader in population.traders:
        holdings = {s: units * at[s] for s, units in trader.deposits.items()}
        levels.append(allowed_leverage(holdings, terms, main_market(trader, at, terms)))
    if not levels:
        raise RiskDataError("leverage: the population has no traders")
    return sum(levels) / len(levels)
