"""The deployment config's schema: the contracts' limits, the value types (exact decimals, caps, role holders) and
one pydantic model per section, each field bounded as the contract bounds it."""

from __future__ import annotations

import hashlib
import json
import re
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from eth_utils import is_checksum_address, is_hex_address
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    field_validator,
    model_validator,
)
from pydantic.alias_generators import to_camel

BPS = 10_000
UINT32_MAX = 2**32 - 1
UINT64_MAX = 2**64 - 1
UINT128_MAX = 2**128 - 1
UINT112_MAX = 2**112 - 1
#: What `unlimited` stands for in caps: large, yet far from overflowing any sum of caps.
UNLIMITED = 2**127
# Contract limits (PoolExtension.MAX_ASSETS, MarginEngineStorage.MAX_*_LISTED, OracleAggregator.MAX_SOURCES / buffer
# bounds).
MAX_POOL_ASSETS = 8
MAX_COLLATERAL = 16
MAX_MARKETS = 16
MAX_SOURCES = 8
MIN_BUFFER, MAX_BUFFER = 3, 512
MAX_PRICE_AGE = 2**24 - 1
MAX_COOLDOWN = 2 * 86_400
#: `ProductCaps.maxLiquidityUsd` meaning no liquidity cap (whole USD in 48 bits).
NO_LIQUIDITY_CAP = 2**48 - 1
WAD = 10**18
MAX_STORED_PRICE = 2**96 - 1  # OracleAggregator keeps prices (WAD) in 96 bits
ROLE_REF = re.compile(r"^(deployer|test:\d+|0x[0-9a-fA-F]{40})$")


def plain(value: Decimal) -> str:
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
    PlainSerializer(plain, return_type=str),
]
#: A positive decimal number of whole tokens (the contracts refuse a zero cap or minimum size).
Positive = Annotated[Decimal, Field(gt=0, allow_inf_nan=False)]
#: A cap in whole tokens, or `unlimited`.
Cap = Annotated[
    Positive | Literal["unlimited"],
    BeforeValidator(_to_cap),
    PlainSerializer(lambda v: v if isinstance(v, str) else plain(v)),
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


#: Sources that are adapter contracts deployed by the config around a third-party oracle (contracts/oracles/adapters):
#: each reports 18 decimals.
ADAPTER_KINDS = frozenset({"chainlink", "pyth", "redemption", "uniswap-twap"})
ADAPTER_DECIMALS = 18
#: Source fields the adapters no longer take (camelCase, as written in a config), with the reason shown when a config
#: still sets one.
RETIRED_SOURCE_FIELDS = {
    "maxDropBps": "a redemption source reports a rate below its anchor as it is (docs/oracles.md)",
}
PRICE_ID = re.compile(r"^0x[0-9a-fA-F]{64}$")


class SourceConfig(Model):
    """One Chainlink-compatible source. `mock`: a MockFeed (open setters, test networks) answering `answer`;
    `push`: a PushFeed the keeper reports into (first answer `answer`, if given); `feed`: an existing feed.

    Adapters (docs/oracles.md), each deployed by the config and reporting 18 decimals (`decimals` may be left out),
    each reporting its input's answer with the input's own timestamp (the aggregator judges age by `heartbeat`):
    - `chainlink`: a ChainlinkAdapter on the Chainlink aggregator at `address`, or on a MockFeed of `feedDecimals`
      answering `answer` when no address is given (test networks);
    - `pyth`: a PythAdapter on the Pyth contract at `address`, feed `priceId`, refusing a confidence interval wider
      than `maxConfBps` of the price;
    - `redemption`: a RedemptionRateAdapter: the feed at `underlying` (or a MockFeed of `feedDecimals` answering
      `answer`, the underlying's USD price) times the exchange rate of the wrapper at `address` (an ERC-4626 vault,
      or a rate provider with `rateKind: rate-provider`; or a MockRateProvider at `rate` when no address is given),
      the rate clamped to at most `maxGrowthBpsPerYear` (for at most 7 days) above its anchor;
    - `uniswap-twap`: a UniswapV3TwapAdapter on the Uniswap v3 pool at `address`: the `base` token's (default: the
      asset's token) mean price over `window` seconds, in the pool's other token, times the feed at `quoteFeed` if
      given (else that token counts as 1 USD), refused below `minLiquidity`, stamped with the older of the pool's
      newest observation and the quote's round.

    Adapters report their inputs' own timestamps: the age is judged by the source's heartbeat (`maxAge` is refused
    with that reason)."""

    kind: Literal["mock", "push", "feed", "chainlink", "pyth", "redemption", "uniswap-twap"]
    decimals: int = Field(ge=0, le=36)
    answer: Number | None = None  # USD per whole token
    address: str | None = None
    heartbeat: int | None = Field(default=None, ge=1, le=UINT32_MAX)  # overrides the asset's
    # adapters
    feed_decimals: int = Field(default=8, ge=0, le=36)  # a mock feed deployed for an adapter
    max_age: int | None = Field(default=None, ge=1, le=UINT32_MAX)  # refused on every kind: see the checks
    price_id: str | None = Field(default=None, pattern=PRICE_ID.pattern)  # pyth
    max_conf_bps: int = Field(default=100, ge=1, le=BPS)  # pyth
    underlying: str | None = None  # redemption: the underlying's feed
    rate: Number | None = None  # redemption: a mock rate provider's rate
    rate_kind: Literal["erc4626", "rate-provider"] = "erc4626"  # redemption
    max_growth_bps_per_year: int = Field(default=2_000, ge=0, le=2**16 - 1)  # redemption
    base: str | None = None  # uniswap-twap: the token priced
    window: int | None = Field(default=None, ge=1, le=UINT32_MAX)  # uniswap-twap
    min_liquidity: int = Field(default=0, ge=0, le=UINT128_MAX)  # uniswap-twap
    quote_feed: str | None = None  # uniswap-twap

    @model_validator(mode="before")
    @classmethod
    def _adapter_decimals(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("kind") in ADAPTER_KINDS and "decimals" not in data:
            return {**data, "decimals": ADAPTER_DECIMALS}
        return data

    @field_validator("address", "underlying", "base", "quote_feed")
    @classmethod
    def _check_address(cls, value: str | None) -> str | None:
        return None if value is None else _address(value)

    @property
    def is_adapter(self) -> bool:
        return self.kind in ADAPTER_KINDS

    def deployed_price(self) -> Decimal | None:
        """The USD price the deployment gives this source, when the config says it (mock feeds, a redemption
        adapter on a mock underlying and a mock rate)."""
        if self.kind == "redemption":
            if (
                self.answer is None
                or self.rate is None
                or self.underlying is not None
                or self.address is not None
            ):
                return None
            return self.answer * self.rate
        return self.answer


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


class ProductCapsConfig(Model):
    """A product's caps (`IProductRegistryTypes.ProductCaps`, docs/design.md#products): when it adds risk its used
    liquidity (reserved + receivable) may pass neither `max_liquidity_usd` (whole USD) nor `max_backing_share_bps` of
    the Pool's backing. The defaults are no cap."""

    max_liquidity_usd: int = Field(default=NO_LIQUIDITY_CAP, ge=0, le=NO_LIQUIDITY_CAP)
    max_backing_share_bps: int = Field(default=BPS, ge=0, le=BPS)


class PoolConfig(Model):
    rate_model: RateModelConfig
    max_utilization_bps: int = Field(ge=1_000, le=BPS)
    cooldown: int = Field(ge=0, le=MAX_COOLDOWN)  # seconds
    # Listed in this order; the settlement asset must come first.
    assets: dict[str, PoolAssetConfig] = Field(min_length=1, max_length=MAX_POOL_ASSETS)
    # The MarginEngine (product 0) starts with no cap; the deployment sets these when they differ.
    margin_engine_caps: ProductCapsConfig = ProductCapsConfig()


# ---------------------------------------------------------------------------------------------------- engine


class CollateralConfig(Model):
    initial_haircut_bps: int = Field(ge=0, le=9_500)
    maint_haircut_bps: int = Field(ge=0, le=9_000)
    stress_shock_bps: int = Field(ge=0, le=9_000)
    supply_cap: Cap  # whole tokens
    # Isolated collateral: the debt ceiling (whole USD) of what accounts holding it may borrow or open; 0: full
    # collateral (`MarginEngineGovernance.setCollateralIsolation`).
    debt_ceiling_usd: int = Field(default=0, ge=0, le=UINT128_MAX // 10**18)


class MarketConfig(Model):
    """A perpetual on an oracle asset. Sizes and open-interest caps are in base units (whole tokens)."""

    name: str = Field(min_length=1)
    asset: str
    initial_margin_bps: int = Field(ge=1, le=BPS)
    maintenance_margin_bps: int = Field(ge=50, le=5_000)
    stress_shock_bps: int = Field(ge=0, le=9_000)
    trading_fee_bps: int = Field(ge=0, le=5_000)
    reserve_factor_bps: int = Field(ge=0, le=BPS)
    min_size: Annotated[Positive, BeforeValidator(_to_decimal), PlainSerializer(plain, return_type=str)]
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
    # Seconds a rise of a maintenance haircut or margin takes to come into force (`setRampDuration`).
    ramp_duration: int = Field(default=86_400, ge=0, le=30 * 86_400)
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


# ---------------------------------------------------------------------------------------------------- onboarding

# AssetOnboarding's limits (contracts/governance/AssetOnboarding.sol).
MAX_MIN_BOND_TOKENS = 10**9  # the largest minimum bond, in whole settlement tokens
MAX_ISOLATION_USD = 10**9  # the largest supply-cap and debt-ceiling maxima, whole USD


class OnboardingConfig(Model):
    """The AssetOnboarding's governed parameters (`IAssetOnboarding.OnboardingParams`): the smallest bond (whole
    settlement tokens), the committee's review period (seconds), and what a new listing must respect while isolated:
    haircuts at least the minimums, a supply cap worth at most `maxSupplyCapUsd` and a debt ceiling of at most
    `maxDebtCeilingUsd` (whole USD). The section is optional; its defaults apply without it."""

    min_bond: Annotated[
        Positive,
        BeforeValidator(_to_decimal),
        Field(le=MAX_MIN_BOND_TOKENS),
        PlainSerializer(plain, return_type=str),
    ] = Decimal(10_000)
    review_period: int = Field(7 * 86_400, ge=86_400, le=30 * 86_400)
    min_initial_haircut_bps: int = Field(3_000, ge=0, le=9_500)  # at least minMaintHaircutBps
    min_maint_haircut_bps: int = Field(2_000, ge=0, le=9_000)
    max_supply_cap_usd: int = Field(5_000_000, ge=1, le=MAX_ISOLATION_USD)
    max_debt_ceiling_usd: int = Field(1_000_000, ge=1, le=MAX_ISOLATION_USD)


# ---------------------------------------------------------------------------------------------------- options

# OptionsBook's limits (contracts/products/OptionsBook.sol).
MAX_LIVE_SERIES = 8
MAX_SETTLEMENT_WINDOW = 86_400
OPTION_MIN_TENOR = 3_600  # a series trades at least this long before its settlement window opens
OPTION_MAX_TENOR = 365 * 86_400
STRIKE_BAND = 4  # a strike lies within x4 of the price at listing
MIN_IMPLIED_VOL, MAX_IMPLIED_VOL = Decimal("0.05"), Decimal(5)
TENOR = re.compile(r"^\s*(\d+)\s*([smhd]?)\s*$")
_TENOR_UNITS = {"": 1, "s": 1, "m": 60, "h": 3_600, "d": 86_400}


def _to_seconds(value: Any) -> Any:
    """A tenor: whole seconds, or a string of whole seconds, minutes, hours or days (`3600`, `3600s`, `168h`, `7d`)."""
    if isinstance(value, str):
        match = TENOR.match(value)
        if match is None:
            raise ValueError("must be whole seconds or a duration such as 3600s, 168h or 7d")
        return int(match.group(1)) * _TENOR_UNITS[match.group(2)]
    return value


class OptionsRiskConfig(Model):
    """The book's pricing and margin parameters (`IOptionsBookTypes.RiskParams`), bounded as the book bounds them."""

    base_spread_bps: int = Field(ge=0, le=1_000)  # over the model price with no net exposure
    slope_bps: int = Field(ge=0, le=2_000)  # added per unit of net exposure, relative to the series' maximum
    max_spread_bps: int = Field(ge=0, le=5_000)  # at least baseSpreadBps
    margin_shock_bps: int = Field(ge=500, le=9_000)  # price move of the margin scenario
    stress_shock_bps: int = Field(ge=1_000, le=9_000)  # price move of the joint stress scenario
    vol_shock_bps: int = Field(ge=1_000, le=9_000)  # implied-volatility move of both scenarios
    maintenance_ratio_bps: int = Field(ge=3_000, le=BPS)  # maintenance as a share of the margin-scenario loss
    short_floor_bps: int = Field(
        ge=50, le=2_000
    )  # a short's least scenario loss, bps of its size at the price


class OptionSeriesConfig(Model):
    """A series listed at deployment: expiry = the listing block's time + `tenor`; strike in USD; `maxOpenSize` in
    whole units of the asset (the most the accounts may hold long, and short)."""

    asset: str
    strike: Annotated[Positive, BeforeValidator(_to_decimal), PlainSerializer(plain, return_type=str)]
    tenor: Annotated[int, BeforeValidator(_to_seconds), Field(ge=1)]  # seconds
    type: Literal["call", "put"]
    max_open_size: Annotated[Positive, BeforeValidator(_to_decimal), PlainSerializer(plain, return_type=str)]

    @property
    def is_call(self) -> bool:
        return self.type == "call"


class OptionsConfig(Model):
    """European cash-settled options (an OptionsBook listed as a margin product of the MarginEngine): the settlement
    TWAP window (seconds), the risk parameters, the implied volatility per asset (per year, 0.8 = 80 %) and the series
    listed at deployment."""

    settlement_window: int = Field(ge=1, le=MAX_SETTLEMENT_WINDOW)
    risk: OptionsRiskConfig
    implied_vol: dict[
        str,
        Annotated[
            Decimal,
            BeforeValidator(_to_decimal),
            Field(ge=float(MIN_IMPLIED_VOL), le=int(MAX_IMPLIED_VOL), allow_inf_nan=False),
            PlainSerializer(plain, return_type=str),
        ],
    ] = Field(default_factory=dict)
    series: list[OptionSeriesConfig] = Field(default_factory=list, max_length=MAX_LIVE_SERIES)


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
    options: OptionsConfig | None = (
        None  # no options: no OptionsBook (and the same hash as before options existed)
    )
    onboarding: OnboardingConfig | None = None  # None: the AssetOnboarding gets OnboardingConfig's defaults

    def normalized(self) -> dict[str, Any]:
        """The config as plain JSON data with every default filled in: what the hash covers. A config without
        `options` or `onboarding` normalizes as it did before the section existed."""
        absent = {name for name in ("options", "onboarding") if getattr(self, name) is None}
        return self.model_dump(mode="json", by_alias=True, exclude=absent or None)

    @property
    def onboarding_params(self) -> OnboardingConfig:
        """The AssetOnboarding's parameters: the `onboarding` section, or its defaults."""
        return self.onboarding if self.onboarding is not None else OnboardingConfig()

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
