"""The contracts' parameter tuples from a deployment config: what the deployment sends and what verifying a
deployment reads back, in the contracts' units and field order."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ballast.config import UNLIMITED, DeploymentConfig, OptionSeriesConfig, OracleAssetConfig
from ballast.manifest import FeedEntry
from ballast.prices import asset_config
from ballast.system import CoreParams

#: AccessControl's DEFAULT_ADMIN_ROLE.
ADMIN_ROLE = b"\x00" * 32


def to_units(amount: Decimal, decimals: int) -> int:
    return int((Decimal(amount) * 10**decimals).to_integral_value(ROUND_HALF_UP))


def core_params(config: DeploymentConfig) -> CoreParams:
    settle = config.settlement_asset
    rm, liq = config.pool.rate_model, config.liquidation
    return CoreParams(
        rate_model=(rm.base_rate_bps, rm.slope1_bps, rm.kink_bps, rm.slope2_bps),
        max_utilization_bps=config.pool.max_utilization_bps,
        cooldown=config.pool.cooldown,
        insurance_fee_share_bps=config.insurance.fee_share_bps,
        adl=(config.adl.threshold_bps, config.adl.target_bps),
        liquidation=(
            liq.close_factor_bps,
            liq.critical_health_bps,
            liq.penalty_bps,
            liq.effective_max_penalty_bps,
            liq.keeper_share_bps,
            config.units(settle, liq.min_keeper_reward),
            to_units(liq.dust_margin_usd, 18),
        ),
        insurance_target=config.units(settle, config.insurance.target),
    )


def liveness_params(config: DeploymentConfig) -> tuple[int, int, int]:
    """`IOracleAggregator.LivenessParams`: maxFreezeDuration, windDownAfter, windDownDelay."""
    live = config.oracle.liveness
    return (live.max_freeze_duration, live.wind_down_after, live.wind_down_delay)


def answer_bounds(asset: OracleAssetConfig, decimals: int) -> tuple[int, int]:
    """The asset's USD band in a feed's decimals: the answers its sources accept."""
    return max(1, int(asset.min_price * 10**decimals)), int(asset.max_price * 10**decimals)


def oracle_asset_config(config: DeploymentConfig, symbol: str, feeds: list[FeedEntry]) -> tuple[Any, ...]:
    """The `IOracleAggregator.AssetConfig` tuple the deployment set for `symbol` on `feeds` (to verify it)."""
    asset = config.oracle.assets[symbol]
    params = config.oracle_params(symbol)
    sources = [
        (entry.address, source.heartbeat or params.heartbeat, *answer_bounds(asset, entry.decimals))
        for source, entry in zip(asset.sources, feeds, strict=True)
    ]
    return asset_config(sources, params)


def margin_engine_caps(config: DeploymentConfig) -> tuple[int, int]:
    """`IProductRegistryTypes.ProductCaps` of the MarginEngine: (maxLiquidityUsd, maxBackingShareBps)."""
    caps = config.pool.margin_engine_caps
    return (caps.max_liquidity_usd, caps.max_backing_share_bps)


def pool_asset_params(config: DeploymentConfig, symbol: str) -> tuple[Any, ...]:
    p = config.pool.assets[symbol]
    return (
        p.target_weight_bps,
        p.max_weight_bps,
        p.base_fee_bps,
        p.tax_fee_bps,
        config.units(symbol, p.deposit_cap),
    )


def collateral_params(config: DeploymentConfig, symbol: str) -> tuple[Any, ...]:
    p = config.collateral[symbol]
    return (
        p.initial_haircut_bps,
        p.maint_haircut_bps,
        p.stress_shock_bps,
        config.units(symbol, p.supply_cap),
    )


def _base_units(amount: Decimal | str) -> int:
    return UNLIMITED if amount == "unlimited" else to_units(Decimal(amount), 18)


def market_params(config: DeploymentConfig, index: int, token_address: str) -> tuple[Any, ...]:
    m = config.markets[index]
    return (
        token_address,
        m.initial_margin_bps,
        m.maintenance_margin_bps,
        m.stress_shock_bps,
        m.trading_fee_bps,
        m.reserve_factor_bps,
        _base_units(m.min_size),
        _base_units(m.long_open_interest_cap),
        _base_units(m.short_open_interest_cap),
    )


def onboarding_params(config: DeploymentConfig) -> tuple[int, ...]:
    """`IAssetOnboarding.OnboardingParams`: minBond (settlement units), reviewPeriod, minInitialHaircutBps,
    minMaintHaircutBps, maxSupplyCapUsd and maxDebtCeilingUsd (WAD)."""
    o = config.onboarding_params
    return (
        config.units(config.settlement_asset, o.min_bond),
        o.review_period,
        o.min_initial_haircut_bps,
        o.min_maint_haircut_bps,
        o.max_supply_cap_usd * 10**18,
        o.max_debt_ceiling_usd * 10**18,
    )


def options_risk_params(config: DeploymentConfig) -> tuple[int, ...]:
    """`IOptionsBookTypes.RiskParams`: baseSpreadBps, slopeBps, maxSpreadBps, marginShockBps, stressShockBps,
    volShockBps, maintenanceRatioBps, shortFloorBps."""
    assert config.options is not None
    r = config.options.risk
    return (
        r.base_spread_bps,
        r.slope_bps,
        r.max_spread_bps,
        r.margin_shock_bps,
        r.stress_shock_bps,
        r.vol_shock_bps,
        r.maintenance_ratio_bps,
        r.short_floor_bps,
    )


def implied_vol_wad(config: DeploymentConfig, symbol: str) -> int:
    """The implied volatility of `symbol` as the book takes it (WAD per year)."""
    assert config.options is not None
    return to_units(config.options.implied_vol[symbol], 18)


#: Expiries are rounded up to a whole minute (the listing lands a block or more after `now`: never below the tenor).
EXPIRY_ROUNDING = 60


def series_expiry(series: OptionSeriesConfig, now: int) -> int:
    """The expiry of a series listed at about `now`: `now + tenor`, rounded up to a whole minute."""
    return -(-(now + series.tenor) // EXPIRY_ROUNDING) * EXPIRY_ROUNDING


def series_args(series: OptionSeriesConfig, asset_address: str, now: int) -> tuple[Any, ...]:
    """`OptionsBook.listSeries` arguments of a configured series listed at about block time `now`: asset, strike
    (WAD), expiry (`series_expiry`), isCall, maxOpenSize (WAD)."""
    return (
        asset_address,
        to_units(series.strike, 18),
        series_expiry(series, now),
        series.is_call,
        to_units(series.max_open_size, 18),
    )
