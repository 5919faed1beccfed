"""A bit-exact mirror of the OptionsBook's figures: what `OptionsBook.accountRisk` reports for an account's options
(the `ProductRisk` the engine adds to its health), the premium of a trade, and what a settled position pays
(docs/design.md#options).

Every function follows `contracts/libraries/OptionPricing.sol` and `contracts/products/OptionsBook.sol` to the wei,
with `ballast.optionmath` for Black-Scholes: values to an account round towards the Pool (a long down, a short's debt
up). Prices and figures are USD in WAD; sizes are WAD units of the underlying, negative when short.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ballast import optionmath
from ballast.risk import ProductRisk, div_up, mul_bps_down, mul_bps_up, mul_wad_up

WAD = 10**18
BPS = 10_000


@dataclass(frozen=True)
class OptionsRiskParams:
    """`IOptionsBookTypes.RiskParams`."""

    base_spread_bps: int
    slope_bps: int
    max_spread_bps: int
    margin_shock_bps: int
    stress_shock_bps: int
    vol_shock_bps: int
    maintenance_ratio_bps: int
    short_floor_bps: int

    @classmethod
    def from_chain(cls, struct: Sequence[int]) -> OptionsRiskParams:
        return cls(*(int(v) for v in struct))


@dataclass(frozen=True)
class Series:
    """`IOptionsBookTypes.Series` (the fields a valuation reads)."""

    asset: str
    expiry: int
    is_call: bool
    strike: int
    settled: bool = False
    settlement_price: int = 0


def mul_wad_down(x: int, y: int) -> int:
    return x * y // WAD


def clamp_spot(spot: int) -> int:
    """`OptionPricing.clampSpot`: a price moved into the Black-Scholes domain."""
    return min(max(spot, optionmath.MIN_PRICE), optionmath.MAX_PRICE)


def unit_value(is_call: bool, spot: int, strike: int, sigma: int, tau: int, *, up: bool) -> int:
    """`OptionPricing.unitValueUp` / `unitValueDown`."""
    spot = clamp_spot(spot)
    if is_call:
        return (optionmath.call_price_up if up else optionmath.call_price_down)(spot, strike, sigma, tau)
    return (optionmath.put_price_up if up else optionmath.put_price_down)(spot, strike, sigma, tau)


def position_value_down(size: int, is_call: bool, spot: int, strike: int, sigma: int, tau: int) -> int:
    """`OptionPricing.positionValueDown`: a long at the lower bound rounded down; a short owes the upper bound, up."""
    if size >= 0:
        return mul_wad_down(size, unit_value(is_call, spot, strike, sigma, tau, up=False))
    return -mul_wad_up(-size, unit_value(is_call, spot, strike, sigma, tau, up=True))


def spot_for(is_call: bool, long: bool, better: bool, low: int, high: int) -> int:
    """`OptionPricing.spotFor`: a long call and a short put gain when the price rises."""
    return high if (is_call == long) == better else low


def scenario_spot(is_call: bool, long: bool, low: int, high: int, shock_bps: int) -> int:
    """`OptionPricing.scenarioSpot`: the worse end moved `shock_bps` further against the position."""
    if is_call == long:
        return mul_bps_down(low, 0 if shock_bps >= BPS else BPS - shock_bps)
    return mul_bps_up(high, BPS + shock_bps)


def scenario_vol(sigma: int, long: bool, vol_shock_bps: int) -> int:
    """`OptionPricing.scenarioVol`: down for a long, up for a short, within the Black-Scholes domain."""
    if long:
        return max(
            mul_bps_down(sigma, 0 if vol_shock_bps >= BPS else BPS - vol_shock_bps), optionmath.MIN_VOL
        )
    return min(mul_bps_up(sigma, BPS + vol_shock_bps), optionmath.MAX_VOL)


def unit_payoff(is_call: bool, settlement_price: int, strike: int) -> int:
    """`OptionPricing.unitPayoff`: max(S - K, 0) for a call, max(K - S, 0) for a put."""
    return max(settlement_price - strike, 0) if is_call else max(strike - settlement_price, 0)


def position_payoff_down(size: int, payoff: int) -> int:
    """`OptionPricing.positionPayoffDown`: a long's payoff rounded down, a short's debt rounded up."""
    return mul_wad_down(size, payoff) if size >= 0 else -mul_wad_up(-size, payoff)


@dataclass(frozen=True)
class PositionRisk:
    """`OptionsBook._positionRisk`: the value at the price better (maintenance) and worse (initial) for the position,
    and its losses from the worse value in the margin and stress scenarios."""

    maintenance_value: int
    initial_value: int
    margin_loss: int
    stress_loss: int


def position_risk(
    series: Series, size: int, sigma: int, low: int, high: int, params: OptionsRiskParams, timestamp: int
) -> PositionRisk:
    tau = optionmath.time_to_expiry(series.expiry, timestamp)
    long = size > 0
    k, call = series.strike, series.is_call
    mv = position_value_down(size, call, spot_for(call, long, True, low, high), k, sigma, tau)
    iv = position_value_down(size, call, spot_for(call, long, False, low, high), k, sigma, tau)
    shocked = scenario_vol(sigma, long, params.vol_shock_bps)
    at_margin = position_value_down(
        size, call, scenario_spot(call, long, low, high, params.margin_shock_bps), k, shocked, tau
    )
    at_stress = position_value_down(
        size, call, scenario_spot(call, long, low, high, params.stress_shock_bps), k, shocked, tau
    )
    margin_loss, stress_loss = max(iv - at_margin, 0), max(iv - at_stress, 0)
    if not long:  # a short's floor: its size at the upper price times shortFloorBps
        floor = mul_bps_up(mul_wad_up(-size, clamp_spot(high)), params.short_floor_bps)
        margin_loss, stress_loss = max(margin_loss, floor), max(stress_loss, floor)
    return PositionRisk(mv, iv, margin_loss, stress_loss)


def account_risk(
    positions: Mapping[int, int],
    series: Mapping[int, Series],
    vols: Mapping[str, int],
    ranges: Mapping[str, tuple[int, int]],
    params: OptionsRiskParams,
    timestamp: int,
    recorded: Mapping[int, int] | None = None,
) -> ProductRisk:
    """`OptionsBook.accountRisk`: an account's options (series id -> signed size) at the {low, high} price range of
    each underlying (the stored {median, TWAP} for a health read; the liquidation bounds for a liquidation's). An
    expired, unsettled series whose settlement TWAP the oracle recorded (`recorded`: series id -> that TWAP) is valued
    at it."""
    recorded = recorded or {}
    mv = iv = live_iv = mm = margin_loss = stress_loss = 0
    for series_id, size in positions.items():
        s = series[series_id]
        if s.settled:
            payoff = position_payoff_down(size, unit_payoff(s.is_call, s.settlement_price, s.strike))
            mv, iv = mv + payoff, iv + payoff
            continue
        at_expiry = recorded.get(series_id) if timestamp >= s.expiry else None
        low, high = (at_expiry, at_expiry) if at_expiry is not None else ranges[s.asset]
        r = position_risk(s, size, vols[s.asset], low, high, params, timestamp)
        mv, iv, live_iv = mv + r.maintenance_value, iv + r.initial_value, live_iv + r.initial_value
        margin_loss, stress_loss = margin_loss + r.margin_loss, stress_loss + r.stress_loss
        if size < 0:
            mm += mul_bps_up(r.margin_loss, params.maintenance_ratio_bps)
    # Losses beyond what the options are worth: max(0, min(all of them, the live ones)).
    worth = max(min(iv, live_iv), 0)
    return ProductRisk(
        maintenance_value=mv,
        maintenance_margin=mm,
        initial_value=iv,
        initial_margin=max(margin_loss - worth, 0),
        stress_loss=max(stress_loss - worth, 0),
    )


def spread_bps(params: OptionsRiskParams, net_open: int, max_open: int) -> int:
    """`OptionPricing.spreadBpsUp`: base + slope * net / max, rounded up, at most the maximum."""
    return min(params.base_spread_bps + div_up(params.slope_bps * net_open, max_open), params.max_spread_bps)


def premium(series: Series, size: int, sigma: int, low: int, high: int, spread: int, timestamp: int) -> int:
    """The cash a trade of `size` moves to the account (`OptionsBook._premium`), at the end of {low, high} worse for
    the trader: minus the ask for a buy (the upper bound where the option is worth more, plus the spread, rounded
    up), the bid for a sale (the lower bound where it is worth less, less the spread, rounded down)."""
    tau = optionmath.time_to_expiry(series.expiry, timestamp)
    buying = size > 0
    # Where the option is worth more for a buyer (better for a long), less for a seller.
    spot = spot_for(series.is_call, True, buying, low, high)
    if buying:
        unit = unit_value(series.is_call, spot, series.strike, sigma, tau, up=True)
        return -mul_bps_up(mul_wad_up(size, unit), BPS + spread)
    unit = unit_value(series.is_call, spot, series.strike, sigma, tau, up=False)
    return mul_bps_down(mul_wad_down(-size, unit), BPS - spread)
