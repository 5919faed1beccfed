"""The config's rules across fields (one small check per concern: tokens, settlement asset, oracle assets, price
bands, sources, pool, collateral, markets, penalty, ADL, fixed-width amounts), each issue one line naming the field."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from pydantic.alias_generators import to_camel

from ballast.config.schema import (
    ADAPTER_DECIMALS,
    BPS,
    MAX_STORED_PRICE,
    OPTION_MAX_TENOR,
    OPTION_MIN_TENOR,
    STRIKE_BAND,
    UINT64_MAX,
    UINT112_MAX,
    UINT128_MAX,
    WAD,
    DeploymentConfig,
    OracleAssetConfig,
    SourceConfig,
    plain,
)


def _unknown(c: DeploymentConfig, path: str, symbol: str) -> str:
    return f"{path}: unknown token {symbol!r} (tokens: {', '.join(c.tokens)})"


def _token_issues(c: DeploymentConfig) -> list[str]:
    """Each token's kind against its address and name."""
    issues: list[str] = []
    for symbol, token in c.tokens.items():
        if token.kind == "existing" and token.address is None:
            issues.append(f"tokens.{symbol}.address: required for an existing token")
        if token.kind != "existing" and token.address is not None:
            issues.append(
                f"tokens.{symbol}.address: only an existing token has an address (kind is {token.kind})"
            )
        if token.kind == "mock-no-return" and token.name is not None:
            issues.append(f"tokens.{symbol}.name: the no-return mock is always named 'Tether USD'")
    return issues


def _settlement_issues(c: DeploymentConfig) -> list[str]:
    """The settlement asset is a token and the Pool's first asset."""
    if c.settlement_asset not in c.tokens:
        return [_unknown(c, "settlementAsset", c.settlement_asset)]
    if c.settlement_asset not in c.pool.assets:
        return [f"settlementAsset: {c.settlement_asset} must be a pool asset (pool.assets)"]
    if next(iter(c.pool.assets)) != c.settlement_asset:
        return [f"pool.assets: the settlement asset {c.settlement_asset} must be listed first"]
    return []


def _oracle_issues(c: DeploymentConfig) -> list[str]:
    """Each oracle asset: a token, enough sources for its quorum, a TWAP window the oracle accepts, a price band the
    oracle can store, and sources that fit it."""
    issues: list[str] = []
    for symbol, asset in c.oracle.assets.items():
        base = f"oracle.assets.{symbol}"
        if symbol not in c.tokens:
            issues.append(_unknown(c, base, symbol))
        params = asset.params(c.oracle.defaults)
        if params.quorum > len(asset.sources):
            field = "quorum" if asset.quorum is not None else "sources"
            issues.append(
                f"{base}.{field}: quorum {params.quorum} needs at least that many sources "
                f"(got {len(asset.sources)} sources)"
            )
        if params.twap_window < c.oracle.min_twap_window:
            field = f"{base}.twapWindow" if asset.twap_window is not None else "oracle.defaults.twapWindow"
            issues.append(
                f"{field}: must be at least oracle.minTwapWindow "
                f"(got {params.twap_window} < {c.oracle.min_twap_window})"
            )
        issues += _price_band_issues(base, asset)
        issues += _source_issues(base, asset)
    return issues


def _price_band_issues(base: str, asset: OracleAssetConfig) -> list[str]:
    issues: list[str] = []
    if asset.min_price <= 0:
        issues.append(f"{base}.minPrice: must be above 0 (got {plain(asset.min_price)})")
    if asset.max_price < asset.min_price:
        issues.append(
            f"{base}.maxPrice: must be at least minPrice "
            f"(got {plain(asset.max_price)} < {plain(asset.min_price)})"
        )
    if asset.max_price * WAD > MAX_STORED_PRICE:
        issues.append(
            f"{base}.maxPrice: must be at most {MAX_STORED_PRICE // WAD} USD (the largest stored price)"
        )
    return issues


def _source_issues(base: str, asset: OracleAssetConfig) -> list[str]:
    """Each source's kind against its address and answer, an answer within the band, a band its decimals can hold."""
    issues: list[str] = []
    addresses: set[str] = set()
    for i, source in enumerate(asset.sources):
        where = f"{base}.sources[{i}]"
        if source.is_adapter:
            issues += _adapter_issues(where, source)
        elif source.kind == "feed":
            if source.address is None:
                issues.append(f"{where}.address: required for an existing feed (kind: feed)")
            elif source.address.lower() in addresses:
                issues.append(f"{where}.address: {source.address} is listed twice")
            else:
                addresses.add(source.address.lower())
            if source.answer is not None:
                issues.append(f"{where}.answer: an existing feed's answer is not set by the deployment")
        else:
            if source.address is not None:
                issues.append(
                    f"{where}.address: only an existing feed has an address (kind is {source.kind})"
                )
            if source.kind == "mock" and source.answer is None:
                issues.append(f"{where}.answer: required for a mock feed")
        price = source.deployed_price()
        refused_rate = source.rate is not None and source.rate <= 0  # its own line (`_adapter_issues`)
        if price is not None and not refused_rate and not asset.min_price <= price <= asset.max_price:
            what = "rate: answer x rate" if source.kind == "redemption" else "answer:"
            issues.append(
                f"{where}.{what} must lie within minPrice..maxPrice "
                f"(got {plain(price)}, band {plain(asset.min_price)}..{plain(asset.max_price)})"
            )
        if asset.min_price > 0 and int(asset.min_price * 10**source.decimals) == 0:
            issues.append(
                f"{where}.decimals: minPrice {plain(asset.min_price)} is zero in {source.decimals} decimals"
            )
    return issues


#: The fields each adapter kind may set, beside kind, decimals and heartbeat.
_ADAPTER_FIELDS = {
    "chainlink": {"address", "answer", "feed_decimals"},
    "pyth": {"address", "price_id", "max_conf_bps"},
    "redemption": {
        "address",
        "answer",
        "feed_decimals",
        "underlying",
        "rate",
        "rate_kind",
        "max_growth_bps_per_year",
    },
    "uniswap-twap": {"address", "base", "window", "min_liquidity", "quote_feed"},
}
_COMMON_FIELDS = {"kind", "decimals", "heartbeat"}
#: Why a field is not used, where "not used by a ... source" alone would leave the reader guessing.
_UNUSED_REASONS = {
    "max_age": " (the aggregator judges the answer's age by the source's heartbeat)",
}


def _adapter_issues(where: str, source: SourceConfig) -> list[str]:
    """An adapter source: 18 decimals, the fields its kind needs, none that another kind's adapter takes."""
    issues: list[str] = []
    if source.decimals != ADAPTER_DECIMALS:
        issues.append(f"{where}.decimals: a {source.kind} adapter reports {ADAPTER_DECIMALS} decimals")
    allowed = _ADAPTER_FIELDS[source.kind] | _COMMON_FIELDS
    for name in sorted(source.model_fields_set - allowed):
        reason = _UNUSED_REASONS.get(name, "")
        issues.append(f"{where}.{to_camel(name)}: not used by a {source.kind} source{reason}")
    kind = source.kind
    if kind == "chainlink" and (source.address is None) == (source.answer is None):
        issues.append(
            f"{where}: a chainlink source takes an aggregator address, or an answer for a mock feed"
        )
    if kind == "pyth":
        if source.address is None:
            issues.append(f"{where}.address: required (the Pyth contract)")
        if source.price_id is None:
            issues.append(f"{where}.priceId: required (the Pyth feed id, 0x + 64 hex digits)")
    if kind == "redemption":
        if (source.underlying is None) == (source.answer is None):
            issues.append(
                f"{where}: a redemption source takes an underlying feed, or an answer for a mock feed"
            )
        if (source.address is None) == (source.rate is None):
            issues.append(
                f"{where}: a redemption source takes a wrapper address, or a rate for a mock provider"
            )
        if source.rate is not None and source.rate <= 0:
            issues.append(f"{where}.rate: must be above 0 (got {plain(source.rate)})")
    if kind == "uniswap-twap":
        if source.address is None:
            issues.append(f"{where}.address: required (the Uniswap v3 pool)")
        if source.window is None:
            issues.append(f"{where}.window: required (seconds of the pool's TWAP)")
    return issues


def _cap_issues(c: DeploymentConfig, symbol: str, path: str, cap: Decimal | str) -> list[str]:
    """A cap of `symbol` in whole tokens must be above 0 and fit in uint128 units (or be unlimited)."""
    if cap != "unlimited" and not 0 < c.units(symbol, cap) <= UINT128_MAX:
        return [f"{path}: must be above 0 and fit in uint128 units (got {cap})"]
    return []


def _pool_issues(c: DeploymentConfig) -> list[str]:
    """Each pool asset: a token with an oracle configuration, weights and a deposit cap the Pool accepts; target
    weights adding up to 100 %."""
    issues: list[str] = []
    for symbol, params in c.pool.assets.items():
        base = f"pool.assets.{symbol}"
        if symbol not in c.tokens:
            issues.append(_unknown(c, base, symbol))
            continue
        if symbol not in c.oracle.assets:
            issues.append(f"{base}: a pool asset needs an oracle configuration (oracle.assets.{symbol})")
        if params.max_weight_bps < params.target_weight_bps:
            issues.append(
                f"{base}.maxWeightBps: must be at least targetWeightBps "
                f"(got {params.max_weight_bps} < {params.target_weight_bps})"
            )
        issues += _cap_issues(c, symbol, f"{base}.depositCap", params.deposit_cap)
    weights = sum(p.target_weight_bps for p in c.pool.assets.values())
    if weights != BPS:
        issues.append(f"pool.assets: targetWeightBps must add up to {BPS} (got {weights})")
    return issues


def _collateral_issues(c: DeploymentConfig) -> list[str]:
    """Each collateral: a pool asset other than the settlement asset, haircuts in order, a supply cap that fits."""
    issues: list[str] = []
    for symbol, params in c.collateral.items():
        base = f"collateral.{symbol}"
        if symbol not in c.tokens:
            issues.append(_unknown(c, base, symbol))
            continue
        if symbol == c.settlement_asset:
            issues.append(f"{base}: the settlement asset is cash, not collateral")
        elif symbol not in c.pool.assets:
            issues.append(
                f"{base}: collateral must be a pool asset (liquidations absorb it into the reserves)"
            )
        if params.initial_haircut_bps < params.maint_haircut_bps:
            issues.append(
                f"{base}.initialHaircutBps: must be at least maintHaircutBps "
                f"(got {params.initial_haircut_bps} < {params.maint_haircut_bps})"
            )
        issues += _cap_issues(c, symbol, f"{base}.supplyCap", params.supply_cap)
    return issues


def _market_issues(c: DeploymentConfig) -> list[str]:
    """Each market: a unique name, an asset with an oracle configuration, margins in order, sizes that fit."""
    issues: list[str] = []
    names: set[str] = set()
    for i, m in enumerate(c.markets):
        base = f"markets[{i}]"
        if m.name in names:
            issues.append(f"{base}.name: {m.name!r} is used by another market")
        names.add(m.name)
        if m.asset not in c.oracle.assets:
            issues.append(f"{base}.asset: {m.asset!r} has no oracle configuration (oracle.assets)")
        if m.maintenance_margin_bps >= m.initial_margin_bps:
            issues.append(
                f"{base}.maintenanceMarginBps: must be below initialMarginBps "
                f"(got {m.maintenance_margin_bps} >= {m.initial_margin_bps})"
            )
        if m.trading_fee_bps > m.maintenance_margin_bps:
            issues.append(
                f"{base}.tradingFeeBps: must be at most maintenanceMarginBps "
                f"(got {m.trading_fee_bps} > {m.maintenance_margin_bps})"
            )
        for field in ("min_size", "long_open_interest_cap", "short_open_interest_cap"):
            value = getattr(m, field)
            if value != "unlimited" and not 0 < int(Decimal(value) * 10**18) <= UINT128_MAX:
                issues.append(f"{base}.{to_camel(field)}: must be above 0 and fit in uint128 (got {value})")
    return issues


def _penalty_issues(c: DeploymentConfig) -> list[str]:
    """The penalty grows from penaltyBps to maxPenaltyBps, below every market's maintenance margin."""
    issues: list[str] = []
    liq = c.liquidation
    if liq.max_penalty_bps is not None and liq.max_penalty_bps < liq.penalty_bps:
        issues.append(
            f"liquidation.maxPenaltyBps: must be at least penaltyBps (got {liq.max_penalty_bps} < {liq.penalty_bps})"
        )
    if c.markets:
        i, tightest = min(enumerate(c.markets), key=lambda im: im[1].maintenance_margin_bps)
        name = "penaltyBps" if liq.max_penalty_bps is None else "maxPenaltyBps"
        if liq.effective_max_penalty_bps >= tightest.maintenance_margin_bps:
            issues.append(
                f"liquidation.{name}: must be below every market's maintenanceMarginBps, or liquidating "
                f"at the threshold creates bad debt (got {liq.effective_max_penalty_bps} >= "
                f"{tightest.maintenance_margin_bps} of markets[{i}] {tightest.name})"
            )
    return issues


def _adl_issues(c: DeploymentConfig) -> list[str]:
    if c.adl.target_bps >= c.adl.threshold_bps:
        return [
            f"adl.targetBps: must be below adl.thresholdBps (got {c.adl.target_bps} >= {c.adl.threshold_bps})"
        ]
    return []


def _amount_issues(c: DeploymentConfig) -> list[str]:
    """Amounts the contracts store in fixed-width fields: the keeper's minimum reward, the fund's target, the dust
    margin."""
    issues: list[str] = []
    if c.settlement_asset in c.tokens:
        reward = c.units(c.settlement_asset, c.liquidation.min_keeper_reward)
        if reward > UINT64_MAX:
            issues.append(f"liquidation.minKeeperReward: must fit in uint64 units (got {reward})")
        if c.units(c.settlement_asset, c.insurance.target) > UINT128_MAX:
            issues.append("insurance.target: too large")
    if int(c.liquidation.dust_margin_usd * 10**18) > UINT112_MAX:
        issues.append("liquidation.dustMarginUsd: too large")
    return issues


def _onboarding_issues(c: DeploymentConfig) -> list[str]:
    """The AssetOnboarding's haircut minimums in the engine's order, and a minimum bond of whole settlement units."""
    o = c.onboarding
    if o is None:
        return []  # the defaults hold
    issues: list[str] = []
    if o.min_initial_haircut_bps < o.min_maint_haircut_bps:
        issues.append(
            "onboarding.minInitialHaircutBps: must be at least onboarding.minMaintHaircutBps "
            f"(got {o.min_initial_haircut_bps} < {o.min_maint_haircut_bps})"
        )
    if c.settlement_asset in c.tokens:
        units = c.units(c.settlement_asset, o.min_bond)
        if units < 1 or units > UINT128_MAX:
            issues.append(
                f"onboarding.minBond: must be 1 to 2^128 - 1 units of {c.settlement_asset} (got {units})"
            )
    return issues


def _reference_price(asset: OracleAssetConfig) -> Decimal | None:
    """The median of the answers the deployment gives an asset's sources, if they all have one (else the price at
    listing is not known from the config)."""
    answers = sorted(p for p in (s.deployed_price() for s in asset.sources) if p is not None)
    if not answers or len(answers) != len(asset.sources):
        return None
    mid = len(answers) // 2
    return answers[mid] if len(answers) % 2 else (answers[mid - 1] + answers[mid]) / 2


def _options_issues(c: DeploymentConfig) -> list[str]:
    """The OptionsBook: a settlement window the oracle accepts, volatilities of priced assets, and series the book
    lists (an asset with a volatility and an oracle TWAP window of at least twice the settlement window, a tenor
    within its range, a strike within x4 of the configured price, no duplicate, an open size that fits)."""
    o = c.options
    if o is None:
        return []
    issues: list[str] = []
    window = o.settlement_window
    if window < c.oracle.min_twap_window:
        issues.append(
            f"options.settlementWindow: must be at least oracle.minTwapWindow (got {window} < "
            f"{c.oracle.min_twap_window})"
        )
    r = o.risk
    if r.max_spread_bps < r.base_spread_bps:
        issues.append(
            f"options.risk.maxSpreadBps: must be at least baseSpreadBps (got {r.max_spread_bps} < {r.base_spread_bps})"
        )
    for symbol in o.implied_vol:
        if symbol not in c.oracle.assets:
            issues.append(
                f"options.impliedVol.{symbol}: {symbol!r} has no oracle configuration (oracle.assets)"
            )
    seen: dict[tuple[str, Decimal, int, str], int] = {}
    short_windows: set[str] = set()
    # The expiry is the listing time + tenor rounded up to a minute (ballast.params.series_expiry).
    min_tenor, max_tenor = window + OPTION_MIN_TENOR, OPTION_MAX_TENOR - 60
    for i, s in enumerate(o.series):
        base = f"options.series[{i}]"
        if s.asset not in c.oracle.assets:
            issues.append(f"{base}.asset: {s.asset!r} has no oracle configuration (oracle.assets)")
            continue
        if s.asset not in o.implied_vol:
            issues.append(f"{base}.asset: {s.asset} has no implied volatility (options.impliedVol.{s.asset})")
        twap_window = c.oracle_params(s.asset).twap_window
        if twap_window < 2 * window and s.asset not in short_windows:
            short_windows.add(s.asset)
            issues.append(
                f"{base}.asset: the oracle's twapWindow of {s.asset} must be at least twice "
                f"options.settlementWindow (got {twap_window} < 2 x {window})"
            )
        if not min_tenor <= s.tenor <= max_tenor:
            issues.append(
                f"{base}.tenor: must lie within {min_tenor}..{max_tenor} seconds (the settlement window and an "
                f"hour of trading, to 365 days; got {s.tenor})"
            )
        price = _reference_price(c.oracle.assets[s.asset])
        if price is not None and not price / STRIKE_BAND <= s.strike <= price * STRIKE_BAND:
            issues.append(
                f"{base}.strike: must lie within x{STRIKE_BAND} of the price of {s.asset} at listing "
                f"({plain(price / STRIKE_BAND)}..{plain(price * STRIKE_BAND)}; got {plain(s.strike)})"
            )
        key = (s.asset, s.strike, s.tenor, s.type)
        if key in seen:
            issues.append(f"{base}: the same series as options.series[{seen[key]}]")
        seen.setdefault(key, i)
        if int(s.max_open_size * WAD) > UINT128_MAX:
            issues.append(f"{base}.maxOpenSize: must fit in uint128 (got {plain(s.max_open_size)})")
    return issues


#: The rules across fields, in the order their issues are reported.
CONSISTENCY_CHECKS: tuple[Callable[[DeploymentConfig], list[str]], ...] = (
    _token_issues,
    _settlement_issues,
    _oracle_issues,
    _pool_issues,
    _collateral_issues,
    _market_issues,
    _penalty_issues,
    _adl_issues,
    _amount_issues,
    _options_issues,
    _onboarding_issues,
)


def consistency_issues(c: DeploymentConfig) -> list[str]:
    """Rules across fields, named by the field they are about; a shared default reports once, not once per asset."""
    return list(dict.fromkeys(issue for check in CONSISTENCY_CHECKS for issue in check(c)))
