"""Deployment configuration: one YAML file describes a whole ballast deployment (tokens, oracle sources and
parameters, pool assets, collateral, markets, risk parameters and roles), validated before any transaction.

Keys are camelCase in the file (`maintHaircutBps`). Amounts of tokens are whole tokens (`depositCap: 1000000` is a
million USDC), USD values are plain numbers (`dustMarginUsd: 50`), and caps may be `unlimited`. Every mistake is
reported as one line naming the field, e.g.
`config/local.yaml: markets[1].maintenanceMarginBps: must be below initialMarginBps (got 800 >= 500)`.

The bounds checked here are the contracts' own (Pool, MarginEngineExtension, Liquidator, OracleAggregator), so a
config that validates does not revert on a parameter bound half-way through a deployment.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from eth_utils import is_checksum_address, is_hex_address
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationError,
    field_validator,
)
from pydantic.alias_generators import to_camel

from ballast.errors import ConfigError

BPS = 10_000
UINT32_MAX = 2**32 - 1
UINT64_MAX = 2**64 - 1
UINT128_MAX = 2**128 - 1
#: What `unlimited` stands for in caps: large, yet far from overflowing any sum of caps.
UNLIMITED = 2**127
# Contract limits (Pool.MAX_ASSETS, MarginEngineStorage.MAX_*_LISTED, OracleAggregator.MAX_SOURCES / buffer bounds).
MAX_POOL_ASSETS = 8
MAX_COLLATERAL = 16
MAX_MARKETS = 16
MAX_SOURCES = 8
MIN_BUFFER, MAX_BUFFER = 3, 512
MAX_PRICE_AGE = 2**24 - 1
MAX_COOLDOWN = 2 * 86_400
WAD = 10**18
MAX_STORED_PRICE = 2**96 - 1  # OracleAggregator keeps prices (WAD) in 96 bits
ROLE_REF = re.compile(r"^(deployer|test:\d+|0x[0-9a-fA-F]{40})$")


def _plain(value: Decimal) -> str:
    """A decimal without exponent or trailing zeros: 1.50 and 1.5 hash the same."""
    text = format(value.normalize(), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _to_decimal(value: Any) -> Any:
    if isinstance(value, bool):
        return value  # let pydantic reject it
    if isinstance(value, int | float | str):
        try:
            return Decimal(str(value))
        except InvalidOperation:
            return value
    return value


def _to_cap(value: Any) -> Any:
    return value if value == "unlimited" else _to_decimal(value)


#: A non-negative decimal number (whole tokens or USD), kept exact; YAML's ints, floats and strings are read exactly.
Number = Annotated[
    Decimal,
    BeforeValidator(_to_decimal),
    Field(ge=0, allow_inf_nan=False),
    PlainSerializer(_plain, return_type=str),
]
#: A positive decimal number of whole tokens (the contracts refuse a zero cap or minimum size).
Positive = Annotated[Decimal, Field(gt=0, allow_inf_nan=False)]
#: A cap in whole tokens, or `unlimited`.
Cap = Annotated[
    Positive | Literal["unlimited"],
    BeforeValidator(_to_cap),
    PlainSerializer(lambda v: v if isinstance(v, str) else _plain(v)),
]
#: A role holder: `deployer`, `test:N` (a test account, local networks only) or an address.
RoleRef = Annotated[str, Field(pattern=ROLE_REF.pattern)]


class Model(BaseModel):
    model_config = ConfigDict(
        extra="forbid", alias_generator=to_camel, populate_by_name=True, frozen=True, validate_default=True
    )


def _address(value: str) -> str:
    if not is_hex_address(value):
        raise ValueError("must be a 0x-prefixed 20-byte hex address")
    body = value[2:]
    if body not in (body.lower(), body.upper()) and not is_checksum_address(value):
        raise ValueError("has a wrong checksum (write it in lower case, or checksummed correctly)")
    return value


# ---------------------------------------------------------------------------------------------------- tokens


class TokenConfig(Model):
    """A token: a mock deployed by the config (`mock`: plain ERC20 with an open mint; `mock-no-return`: USDT-style,
    transfer/approve return nothing) or an `existing` token at `address`."""

    kind: Literal["mock", "mock-no-return", "existing"]
    decimals: int = Field(ge=0, le=36)
    name: str | None = None
    address: str | None = None

    @field_validator("address")
    @classmethod
    def _check_address(cls, value: str | None) -> str | None:
        return None if value is None else _address(value)


# ---------------------------------------------------------------------------------------------------- oracle


class SourceConfig(Model):
    """One Chainlink-compatible source. `mock`: a MockFeed (open setters, test networks) answering `answer`;
    `push`: a PushFeed the keeper reports into (first answer `answer`, if given); `feed`: an existing feed."""

    kind: Literal["mock", "push", "feed"]
    decimals: int = Field(ge=0, le=36)
    answer: Number | None = None  # USD per whole token
    address: str | None = None
    heartbeat: int | None = Field(default=None, ge=1, le=UINT32_MAX)  # overrides the asset's

    @field_validator("address")
    @classmethod
    def _check_address(cls, value: str | None) -> str | None:
        return None if value is None else _address(value)


class OracleParams(Model):
    """Per-asset oracle parameters (IOracleAggregator.AssetConfig without the sources)."""

    quorum: int = Field(ge=1, le=MAX_SOURCES)
    heartbeat: int = Field(ge=1, le=UINT32_MAX)  # seconds an answer stays fresh
    max_dispersion_bps: int = Field(ge=1, le=BPS)
    max_deviation_bps: int = Field(ge=1, le=BPS)
    twap_window: int = Field(ge=1, le=UINT32_MAX)
    max_price_age: int = Field(ge=1, le=MAX_PRICE_AGE)
    buffer_size: int = Field(ge=MIN_BUFFER, le=MAX_BUFFER)


class OracleAssetConfig(Model):
    """An asset's sources, the band of answers they may give (USD, converted to each feed's decimals) and any
    parameter that differs from `oracle.defaults`."""

    sources: list[SourceConfig] = Field(min_length=1, max_length=MAX_SOURCES)
    min_price: Number
    max_price: Number
    quorum: int | None = Field(default=None, ge=1, le=MAX_SOURCES)
    heartbeat: int | None = Field(default=None, ge=1, le=UINT32_MAX)
    max_dispersion_bps: int | None = Field(default=None, ge=1, le=BPS)
    max_deviation_bps: int | None = Field(default=None, ge=1, le=BPS)
    twap_window: int | None = Field(default=None, ge=1, le=UINT32_MAX)
    max_price_age: int | None = Field(default=None, ge=1, le=MAX_PRICE_AGE)
    buffer_size: int | None = Field(default=None, ge=MIN_BUFFER, le=MAX_BUFFER)

    def params(self, defaults: OracleParams) -> OracleParams:
        """The effective parameters: this asset's overrides on top of `defaults`."""
        overrides = {name: getattr(self, name) for name in OracleParams.model_fields}
        return defaults.model_copy(update={k: v for k, v in overrides.items() if v is not None})


class LivenessConfig(Model):
    """The oracle's liveness bounds (IOracleAggregator.LivenessParams), seconds, within the contract's limits."""

    max_freeze_duration: int = Field(86_400, ge=3_600, le=7 * 86_400)  # a guardian freeze expires after this
    wind_down_after: int = Field(
        86_400, ge=3_600, le=30 * 86_400
    )  # Stale this long: a wind-down may be proposed
    wind_down_delay: int = Field(3_600, ge=600, le=7 * 86_400)  # from a wind-down proposal to its execution


class OracleConfig(Model):
    min_twap_window: int = Field(ge=1, le=UINT32_MAX)  # fixed at deployment
    defaults: OracleParams
    assets: dict[str, OracleAssetConfig] = Field(min_length=1)
    liveness: LivenessConfig = LivenessConfig()


# ---------------------------------------------------------------------------------------------------- pool


class RateModelConfig(Model):
    """Kinked utilization rate model, annual bps (Pool bounds)."""

    base_rate_bps: int = Field(ge=0, le=10_000)
    slope1_bps: int = Field(ge=0, le=10_000)
    kink_bps: int = Field(ge=500, le=9_500)
    slope2_bps: int = Field(ge=0, le=20_000)


class PoolAssetConfig(Model):
    target_weight_bps: int = Field(ge=0, le=BPS)
    max_weight_bps: int = Field(ge=0, le=BPS)
    base_fee_bps: int = Field(ge=0, le=100)
    tax_fee_bps: int = Field(ge=0, le=200)
    deposit_cap: Cap  # whole tokens


class PoolConfig(Model):
    rate_model: RateModelConfig
    max_utilization_bps: int = Field(ge=1_000, le=BPS)
    cooldown: int = Field(ge=0, le=MAX_COOLDOWN)  # seconds
    # Listed in this order; the settlement asset must come first.
    assets: dict[str, PoolAssetConfig] = Field(min_length=1, max_length=MAX_POOL_ASSETS)


# ---------------------------------------------------------------------------------------------------- engine


class CollateralConfig(Model):
    initial_haircut_bps: int = Field(ge=0, le=9_500)
    maint_haircut_bps: int = Field(ge=0, le=9_000)
    stress_shock_bps: int = Field(ge=0, le=9_000)
    supply_cap: Cap  # whole tokens


class MarketConfig(Model):
    """A perpetual on an oracle asset. Sizes and open-interest caps are in base units (whole tokens)."""

    name: str = Field(min_length=1)
    asset: str
    initial_margin_bps: int = Field(ge=1, le=BPS)
    maintenance_margin_bps: int = Field(ge=50, le=5_000)
    stress_shock_bps: int = Field(ge=0, le=9_000)
    trading_fee_bps: int = Field(ge=0, le=5_000)
    reserve_factor_bps: int = Field(ge=0, le=BPS)
    min_size: Annotated[Positive, BeforeValidator(_to_decimal), PlainSerializer(_plain, return_type=str)]
    long_open_interest_cap: Cap
    short_open_interest_cap: Cap


class InsuranceConfig(Model):
    fee_share_bps: int = Field(ge=0, le=BPS)  # share of trading fees sent to the InsuranceFund
    target: Number  # settlement tokens; above it the excess is swept to LPs
    # Settlement tokens the deployer puts into the fund at deployment (minted first when the token is a mock).
    seed: Number = Decimal(0)


class LiquidationConfig(Model):
    close_factor_bps: int = Field(ge=1_000, le=BPS)
    critical_health_bps: int = Field(ge=0, le=BPS)
    penalty_bps: int = Field(ge=0, le=1_000)  # at the maintenance threshold (and on debt an absorb repays)
    max_penalty_bps: int | None = Field(default=None, ge=0, le=1_000)  # at zero equity; default: penaltyBps
    keeper_share_bps: int = Field(ge=0, le=BPS)
    min_keeper_reward: Number  # settlement tokens
    dust_margin_usd: Number

    @property
    def effective_max_penalty_bps(self) -> int:
        """The penalty at zero equity: `maxPenaltyBps`, or `penaltyBps` when not given (a flat penalty)."""
        return self.penalty_bps if self.max_penalty_bps is None else self.max_penalty_bps


class AdlConfig(Model):
    threshold_bps: int = Field(ge=1_000, le=BPS)
    target_bps: int = Field(ge=0, le=BPS)


# ---------------------------------------------------------------------------------------------------- roles


class TimelockConfig(Model):
    min_delay: int = Field(ge=0, le=30 * 86_400)  # seconds
    proposers: list[RoleRef] = Field(min_length=1)
    executors: list[RoleRef] = Field(min_length=1)


class RolesConfig(Model):
    """Who holds what. The admin of every contract is the timelock; the deployer gives up its admin role once the
    deployment is wired."""

    timelock: TimelockConfig
    risk_manager: RoleRef
    guardian: RoleRef
    keeper: RoleRef  # reports into the push feeds
    risk_committee: RoleRef | None = None  # proposes an oracle wind-down price; default: the risk manager


# ---------------------------------------------------------------------------------------------------- the whole


class DeploymentConfig(Model):
    description: str = ""
    settlement_asset: str
    tokens: dict[str, TokenConfig] = Field(min_length=1)
    oracle: OracleConfig
    pool: PoolConfig
    collateral: dict[str, CollateralConfig] = Field(default_factory=dict, max_length=MAX_COLLATERAL)
    markets: list[MarketConfig] = Field(default_factory=list, max_length=MAX_MARKETS)
    insurance: InsuranceConfig
    liquidation: LiquidationConfig
    adl: AdlConfig
    roles: RolesConfig

    def normalized(self) -> dict[str, Any]:
        """The config as plain JSON data with every default filled in: what the hash covers."""
        return self.model_dump(mode="json", by_alias=True)

    def config_hash(self) -> str:
        return config_hash(self.normalized())

    def decimals(self, symbol: str) -> int:
        return self.tokens[symbol].decimals

    def units(self, symbol: str, amount: Decimal | str) -> int:
        """Whole tokens (or `unlimited`) to token units."""
        if amount == "unlimited":
            return UNLIMITED
        return int(Decimal(amount) * 10 ** self.decimals(symbol))

    def oracle_params(self, symbol: str) -> OracleParams:
        return self.oracle.assets[symbol].params(self.oracle.defaults)


def config_hash(normalized: dict[str, Any]) -> str:
    """sha256 of the normalized config (keys sorted, no whitespace)."""
    text = json.dumps(normalized, sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


# ---------------------------------------------------------------------------------------------------- errors


def _path(loc: tuple[Any, ...], data: Any) -> str:
    """`markets[1].maintenanceMarginBps` from a pydantic location, walking the input alongside."""
    text = ""
    node = data
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
            node = node[part] if isinstance(node, list) and part < len(node) else None
        else:
            text += f".{part}" if text else str(part)
            node = node.get(part) if isinstance(node, dict) else None
    return text


def _describe(error: Mapping[str, Any]) -> str:
    kind, ctx, got = error["type"], error.get("ctx") or {}, error.get("input")
    shown = repr(got) if isinstance(got, str) else got
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return "unknown field (check the spelling)"
    if kind == "greater_than_equal":
        return f"must be at least {ctx['ge']} (got {shown})"
    if kind == "less_than_equal":
        return f"must be at most {ctx['le']} (got {shown})"
    if kind == "greater_than":
        return f"must be above {ctx['gt']} (got {shown})"
    if kind in ("too_short", "too_long"):
        bound = ctx.get("min_length") if kind == "too_short" else ctx.get("max_length")
        word = "at least" if kind == "too_short" else "at most"
        return f"must have {word} {bound} entries (got {ctx.get('actual_length')})"
    if kind == "literal_error":
        return f"must be one of {ctx.get('expected')} (got {shown})"
    if kind == "string_pattern_mismatch":
        return f"must be `deployer`, `test:N` or a 0x address (got {shown})"
    if kind.startswith("int_") or kind == "int_from_float":
        return f"must be a whole number (got {shown})"
    if kind.startswith("decimal_"):
        return f"must be a number (got {shown})"
    if kind == "value_error":
        return f"{ctx.get('error', error['msg'])} (got {shown})"
    return f"{error['msg'][:1].lower()}{error['msg'][1:]} (got {shown})"


def _pydantic_issues(err: ValidationError, data: Any) -> list[str]:
    issues: list[str] = []
    seen: set[str] = set()
    for error in err.errors():
        loc = tuple(error["loc"])
        # A cap (number | 'unlimited') reports one error per union branch, tagged at the end of the location.
        is_cap = bool(loc) and loc[-1] in ("decimal", "literal['unlimited']")
        path = _path(loc[:-1] if is_cap else loc, data) or "(top level)"
        if path in seen:
            continue
        seen.add(path)
        if is_cap:
            message = f"must be a number of tokens or 'unlimited' (got {error.get('input')!r})"
        else:
            message = _describe(error)
        issues.append(f"{path}: {message}")
    return issues


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
        issues.append(f"{base}.minPrice: must be above 0 (got {_plain(asset.min_price)})")
    if asset.max_price < asset.min_price:
        issues.append(
            f"{base}.maxPrice: must be at least minPrice "
            f"(got {_plain(asset.max_price)} < {_plain(asset.min_price)})"
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
        if source.kind == "feed":
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
        if source.answer is not None and not asset.min_price <= source.answer <= asset.max_price:
            issues.append(
                f"{where}.answer: must lie within minPrice..maxPrice "
                f"(got {_plain(source.answer)}, band {_plain(asset.min_price)}..{_plain(asset.max_price)})"
            )
        if asset.min_price > 0 and int(asset.min_price * 10**source.decimals) == 0:
            issues.append(
                f"{where}.decimals: minPrice {_plain(asset.min_price)} is zero in {source.decimals} decimals"
            )
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
    if int(c.liquidation.dust_margin_usd * 10**18) > UINT128_MAX:
        issues.append("liquidation.dustMarginUsd: too large")
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
)


def _consistency_issues(c: DeploymentConfig) -> list[str]:
    """Rules across fields, named by the field they are about; a shared default reports once, not once per asset."""
    return list(dict.fromkeys(issue for check in CONSISTENCY_CHECKS for issue in check(c)))


def parse_config(data: Any, source: str = "config") -> DeploymentConfig:
    """Validate already-loaded YAML data; raises ConfigError with one line per bad field."""
    if not isinstance(data, dict):
        raise ConfigError(source, ["the file must hold a mapping of settings"])
    try:
        config = DeploymentConfig.model_validate(data)
    except ValidationError as err:
        raise ConfigError(source, _pydantic_issues(err, data)) from None
    issues = _consistency_issues(config)
    if issues:
        raise ConfigError(source, issues)
    return config


def display_path(path: Path) -> str:
    """`path` relative to the working directory when it is below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def load_config(path: Path | str) -> DeploymentConfig:
    """Read and validate a deployment config file."""
    path = Path(path)
    source = display_path(path)
    try:
        text = path.read_text()
    except FileNotFoundError:
        raise ConfigError(source, ["no such file"]) from None
    except OSError as err:
        raise ConfigError(source, [f"cannot read it ({err.strerror})"]) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise ConfigError(source, [f"{where}not valid YAML ({problem})"]) from None
    return parse_config(data, source)


def diff_configs(old: Any, new: Any, path: str = "") -> list[str]:
    """Readable differences between two normalized configs, one line per changed field."""
    if isinstance(old, dict) and isinstance(new, dict):
        lines: list[str] = []
        for key in [*old, *(k for k in new if k not in old)]:
            sub = f"{path}.{key}" if path else str(key)
            if key not in new:
                lines.append(f"{sub}: removed (was {json.dumps(old[key])})")
            elif key not in old:
                lines.append(f"{sub}: added ({json.dumps(new[key])})")
            else:
                lines.extend(diff_configs(old[key], new[key], sub))
        return lines
    if isinstance(old, list) and isinstance(new, list):
        lines = []
        for i in range(max(len(old), len(new))):
            sub = f"{path}[{i}]"
            if i >= len(new):
                lines.append(f"{sub}: removed (was {json.dumps(old[i])})")
            elif i >= len(old):
                lines.append(f"{sub}: added ({json.dumps(new[i])})")
            else:
                lines.extend(diff_configs(old[i], new[i], sub))
        return lines
    if old != new:
        return [f"{path}: {json.dumps(old)} -> {json.dumps(new)}"]
    return []
