"""Off-chain account risk: the MarginEngine's health view (docs/design.md#account-math) computed in Python, to the wei.

`health(account, params, prices, borrow_index)` returns exactly what `MarginEngine.health(account)` returns at the
block the inputs were read at, and `liquidatable` what the Liquidator judges (`liquidationHealth` reads the same
numbers and additionally needs every involved price `Ok` or `Deviated`: see `liquidation_blockers`). The functions
are pure; `ballast.reader` loads their inputs from a chain.

Rounding mirrors `FixedPointMath` and `AccountMath`: collateral value and equity round down, margins, fees and debt
round up. Assets are string keys (addresses in production, symbols in tests) used consistently across
`AccountState`, `RiskParams` and `Prices`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

WAD = 10**18
BPS = 10_000

#: An asset key: a checksummed address on chain, or any other consistent key (a symbol in tests).
Asset = str


# ---------------------------------------------------------------- FixedPointMath / AccountMath primitives


def div_up(a: int, b: int) -> int:
    """ceil(a / b) for a >= 0, b > 0 (`Math.mulDiv(..., Ceil)`)."""
    return -(-a // b)


def mul_bps_down(x: int, bps: int) -> int:
    return x * bps // BPS


def mul_bps_up(x: int, bps: int) -> int:
    return div_up(x * bps, BPS)


def mul_wad_up(x: int, y: int) -> int:
    return div_up(x * y, WAD)


def value_down(amount: int, price: int, decimals: int) -> int:
    """USD (WAD) of `amount` token units at `price` (WAD per whole token), rounded down (`toValueDown`)."""
    unit: int = 10**decimals
    return amount * price // unit


def value_up(amount: int, price: int, decimals: int) -> int:
    """USD (WAD) of `amount` token units at `price`, rounded up (`toValueUp`)."""
    return div_up(amount * price, 10**decimals)


def pnl_down(size: int, entry: int, price: int) -> int:
    """size * (price - entry) / WAD, rounded toward minus infinity (`AccountMath.pnlDown`)."""
    gain = (size > 0) == (price >= entry)
    magnitude = abs(size) * abs(price - entry)
    return magnitude // WAD if gain else -div_up(magnitude, WAD)


def notional_up(size: int, price: int) -> int:
    """|size| * price / WAD, rounded up (`AccountMath.notionalOf`)."""
    return mul_wad_up(abs(size), price)


def borrow_fee(size: int, entry: int, entry_index: int, index: int) -> int:
    """Borrow fee (USD, WAD) a position owes since `entry_index`: notional * (index / entryIndex - 1), rounded up."""
    if size == 0 or index <= entry_index:
        return 0
    return div_up(notional_up(size, entry) * (index - entry_index), entry_index)


def debt_of(scaled_debt: int, index: int) -> int:
    """Settlement units owed for `scaled_debt` at the borrow `index` (rounded up, as the engine's `cash` view)."""
    return mul_wad_up(scaled_debt, index)


# ---------------------------------------------------------------- inputs


class PriceStatus(IntEnum):
    """`IOracleAggregator.Status`, in the oracle's order of precedence (WindDown beats Frozen beats Stale beats
    Deviated)."""

    OK = 0
    DEVIATED = 1
    STALE = 2
    FROZEN = 3
    WIND_DOWN = 4


#: Display names of `PriceStatus`, in enum order ("Ok", "Deviated", "Stale", "Frozen", "WindDown").
STATUS_NAMES: tuple[str, ...] = tuple(s.name.title().replace("_", "") for s in PriceStatus)

#: Statuses under which the oracle prices a close and a liquidation (`priceBounds(Reduce | Liquidate)`), judged on
#: the sources' own status: a freeze brakes new risk only (docs/design.md#liveness).
EXIT_PRICED = (PriceStatus.OK, PriceStatus.DEVIATED, PriceStatus.WIND_DOWN)


@dataclass(frozen=True)
class AssetPrice:
    """An asset's stored oracle price (`getPriceData`) with the freshness bound of its configuration, and the
    status its sources give it (`sourceStatus`: what closes and liquidations follow; the same as `status` unless the
    asset is frozen)."""

    median: int
    twap: int
    status: PriceStatus
    updated_at: int
    max_price_age: int
    source_status: PriceStatus | None = None

    @property
    def low(self) -> int:
        return min(self.median, self.twap)

    @property
    def high(self) -> int:
        return max(self.median, self.twap)

    def status_at(self, timestamp: int) -> PriceStatus:
        """The status the oracle will report at `timestamp` if nobody calls `update` before: an Ok or Deviated price
        turns Stale once it is older than `max_price_age`."""
        return self._aged(self.status, timestamp)

    def exit_status_at(self, timestamp: int) -> PriceStatus:
        """The sources' own status at `timestamp` (a freeze ignored): what a close or a liquidation follows."""
        return self._aged(self.status if self.source_status is None else self.source_status, timestamp)

    def _aged(self, status: PriceStatus, timestamp: int) -> PriceStatus:
        if status in (PriceStatus.STALE, PriceStatus.FROZEN, PriceStatus.WIND_DOWN):
            return status
        if timestamp - self.updated_at > self.max_price_age:
            return PriceStatus.STALE
        return status


#: {asset: stored price}; the health view reads (low, high) of {median, TWAP} whatever the status.
Prices = Mapping[Asset, AssetPrice]


@dataclass(frozen=True)
class CollateralRisk:
    """A listed collateral asset's governed parameters (`collateralParams`) and its token decimals."""

    decimals: int
    initial_haircut_bps: int
    maint_haircut_bps: int
    stress_shock_bps: int


@dataclass(frozen=True)
class MarketRisk:
    """A market's margin parameters (`marketParams`): the oracle asset it tracks and its fractions."""

    asset: Asset
    initial_margin_bps: int
    maintenance_margin_bps: int
    stress_shock_bps: int


@dataclass(frozen=True)
class RiskParams:
    """Everything governed that the health view reads. `collateral_order` is the listing order (the bit order of
    `accountMasks`); `markets` is keyed by market id."""

    settlement_asset: Asset
    settlement_decimals: int
    collateral: Mapping[Asset, CollateralRisk]
    markets: Mapping[int, MarketRisk]
    collateral_order: tuple[Asset, ...] = ()
    #: Listed margin products, in listing order (the bit order of `accountProducts`).
    margin_products: tuple[Asset, ...] = ()
    #: A maintenance parameter was still ramping when these were read: its value in force (the one held here) moves
    #: with time, so they are good for that block only (docs/design.md#governance).
    ramping: bool = False

    @classmethod
    def from_listings(
        cls,
        settlement_asset: Asset,
        settlement_decimals: int,
        collateral: Mapping[Asset, tuple[int, Sequence[Any]]],
        markets: Mapping[int, Sequence[Any]],
        margin_products: Sequence[Asset] = (),
        in_force: tuple[Mapping[Asset, int], Mapping[int, int]] | None = None,
    ) -> RiskParams:
        """From the engine's listings as its getters return them: `collateral` {asset: (token decimals,
        `collateralParams`)} in listing order, `markets` {market id: `marketParams`}. Fields past the ones the health
        view reads (supply caps, fees, open-interest caps) are ignored. `in_force`: the maintenance haircuts and
        margins in force ({asset: bps}, {market: bps}, from `collateralRamp` / `marketRamp`), which the health view
        uses instead of the stored targets while they ramp."""
        haircuts, margins = in_force if in_force is not None else ({}, {})
        ramping = False
        collateral_risk = {}
        # collateralParams: initialHaircutBps, maintHaircutBps, stressShockBps, supplyCap
        for a, (d, p) in collateral.items():
            maint = haircuts.get(a, p[1])
            ramping = ramping or maint != p[1]
            collateral_risk[a] = CollateralRisk(d, p[0], maint, p[2])
        market_risk = {}
        # marketParams: asset, initialMarginBps, maintenanceMarginBps, stressShockBps, tradingFeeBps...
        for m, p in markets.items():
            mmf = margins.get(m, p[2])
            ramping = ramping or mmf != p[2]
            market_risk[m] = MarketRisk(p[0], p[1], mmf, p[3])
        return cls(
            settlement_asset=settlement_asset,
            settlement_decimals=settlement_decimals,
            collateral=collateral_risk,
            markets=market_risk,
            collateral_order=tuple(collateral),
            margin_products=tuple(margin_products),
            ramping=ramping,
        )

    def assets(self) -> set[Asset]:
        """Every asset whose price the health of some account can read."""
        return {self.settlement_asset, *self.collateral, *(m.asset for m in self.markets.values())}


@dataclass(frozen=True)
class PositionState:
    """A perpetual position: signed size (base units, WAD), average entry price (WAD) and the borrow index its fee
    was last settled at."""

    size: int
    entry_price: int
    entry_index: int


@dataclass(frozen=True)
class ProductRisk:
    """An account's positions in a margin product as the product reports them (`IMarginProduct.AccountRisk`, USD
    WAD): the engine adds them to the account's health. Each product's own pricing is its module's to mirror."""

    maintenance_value: int = 0
    maintenance_margin: int = 0
    initial_value: int = 0
    initial_margin: int = 0
    stress_loss: int = 0


@dataclass(frozen=True)
class AccountState:
    """What the engine books for an account: collateral per held asset (token units), cash (credit in settlement
    units, or debt as scaled debt to the Pool's borrow index), open positions per market, and the figures of the
    margin products it holds positions in (by product number)."""

    collateral: Mapping[Asset, int] = field(default_factory=dict)
    credit: int = 0
    scaled_debt: int = 0
    positions: Mapping[int, PositionState] = field(default_factory=dict)
    products: Mapping[int, ProductRisk] = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        """Nothing booked: no health to watch."""
        return (
            not self.collateral
            and not self.positions
            and not self.products
            and self.credit == 0
            and self.scaled_debt == 0
        )

    def assets(self, params: RiskParams) -> set[Asset]:
        """The assets whose prices this account's health reads (all must be usable for a liquidation)."""
        markets = {params.markets[m].asset for m in self.positions}
        return {params.settlement_asset, *self.collateral, *markets}


# ---------------------------------------------------------------- health


@dataclass(frozen=True)
class Health:
    """`IMarginEngineTypes.Health`: equities and margins in USD (WAD)."""

    maintenance_equity: int
    maintenance_margin: int
    initial_equity: int
    initial_margin: int
    stress_equity: int
    liquidatable: bool

    @property
    def shortfall(self) -> int:
        """How far below maintenance the account is (USD, WAD; <= 0 when healthy): MM - equity, or -equity with no
        positions. Keepers liquidate the largest first."""
        return self.maintenance_margin - self.maintenance_equity

    @property
    def may_add_risk(self) -> bool:
        """Whether the engine's initial-margin and stress checks pass (before the action's own effect)."""
        return self.initial_equity >= self.initial_margin and self.stress_equity >= 0

    @classmethod
    def from_chain(cls, struct: Any) -> Health:
        """From the struct `MarginEngine.health` returns (ape exposes its fields as attributes)."""
        return cls(
            maintenance_equity=struct.maintenanceEquity,
            maintenance_margin=struct.maintenanceMargin,
            initial_equity=struct.initialEquity,
            initial_margin=struct.initialMargin,
            stress_equity=struct.stressEquity,
            liquidatable=bool(struct.liquidatable),
        )

    def as_dict(self) -> dict[str, int | bool]:
        """The on-chain field names and values."""
        return {
            "maintenanceEquity": self.maintenance_equity,
            "maintenanceMargin": self.maintenance_margin,
            "initialEquity": self.initial_equity,
            "initialMargin": self.initial_margin,
            "stressEquity": self.stress_equity,
            "liquidatable": self.liquidatable,
        }


@dataclass
class _Totals:
    """`AccountMath.Totals`: running sums of an account's valuation."""

    maintenance: int = 0
    maintenance_margin: int = 0
    initial: int = 0
    initial_margin: int = 0
    stress_loss: int = 0


def _add_collateral(t: _Totals, amount: int, risk: CollateralRisk, low: int, high: int) -> None:
    if amount == 0:
        return
    t.maintenance += mul_bps_down(value_down(amount, high, risk.decimals), BPS - risk.maint_haircut_bps)
    initial_value = mul_bps_down(value_down(amount, low, risk.decimals), BPS - risk.initial_haircut_bps)
    t.initial += initial_value
    t.stress_loss += mul_bps_up(initial_value, risk.stress_shock_bps)


def _add_position(t: _Totals, p: PositionState, m: MarketRisk, index: int, low: int, high: int) -> None:
    if p.size == 0:
        return
    fee = borrow_fee(p.size, p.entry_price, p.entry_index, index)
    # Maintenance: the price better for the account (the liquidation price).
    better = high if p.size > 0 else low
    t.maintenance += pnl_down(p.size, p.entry_price, better) - fee
    t.maintenance_margin += mul_bps_up(notional_up(p.size, better), m.maintenance_margin_bps)
    # Initial and stress: the price worse for the account; unrealized profit does not count.
    worse = low if p.size > 0 else high
    upnl = pnl_down(p.size, p.entry_price, worse) - fee
    if upnl < 0:
        t.initial += upnl
    notional = notional_up(p.size, worse)
    t.initial_margin += mul_bps_up(notional, m.initial_margin_bps)
    t.stress_loss += mul_bps_up(notional, m.stress_shock_bps)


def _add_product(t: _Totals, r: ProductRisk) -> None:
    # An unrealized gain counts towards maintenance only, never initial equity; a held product margins at least 1 wei
    # (`MarginEngine._addProductRisk`).
    t.maintenance += r.maintenance_value
    t.maintenance_margin += max(r.maintenance_margin, 1)
    t.initial += min(r.initial_value, 0)
    t.initial_margin += r.initial_margin
    t.stress_loss += r.stress_loss


def _risk_low(p: AssetPrice) -> int:
    """The lower price the health view values collateral at: zero unless the asset's status is Ok (no initial or
    stress equity from a price the policy refuses for new risk; the maintenance figures use the higher price)."""
    return p.low if p.status is PriceStatus.OK else 0


def health(account: AccountState, params: RiskParams, prices: Prices, borrow_index: int) -> Health:
    """`MarginEngine.health(account)` from the account's books, the governed parameters, the stored oracle prices
    and the Pool's borrow index, all read at one block."""
    return _health(account, params, prices, borrow_index, liquidation=False)


def liquidation_health(
    account: AccountState, params: RiskParams, prices: Prices, borrow_index: int
) -> Health:
    """`MarginEngine.liquidationHealth(account)` when no asset in `liquidation_blockers` (the view reverts
    otherwise): the same maintenance figures and verdict as `health`, but every collateral asset counts its lower
    price towards initial and stress equity whatever its status (a liquidation reads the oracle's exit bounds, not
    the new-risk policy that zeroes a collateral price that is not Ok)."""
    return _health(account, params, prices, borrow_index, liquidation=True)


def _health(
    account: AccountState, params: RiskParams, prices: Prices, borrow_index: int, liquidation: bool
) -> Health:
    t = _Totals()
    for asset, amount in account.collateral.items():
        p = prices[asset]
        _add_collateral(t, amount, params.collateral[asset], p.low if liquidation else _risk_low(p), p.high)
    for market, position in account.positions.items():
        m = params.markets[market]
        p = prices[m.asset]
        _add_position(t, position, m, borrow_index, p.low, p.high)
    for product in account.products.values():
        _add_product(t, product)
    s = prices[params.settlement_asset]
    decimals = params.settlement_decimals
    debt = debt_of(account.scaled_debt, borrow_index)
    maintenance = (
        t.maintenance + value_down(account.credit, s.high, decimals) - value_up(debt, s.low, decimals)
    )
    initial = t.initial + value_down(account.credit, s.low, decimals) - value_up(debt, s.high, decimals)
    margin = t.maintenance_margin
    return Health(
        maintenance_equity=maintenance,
        maintenance_margin=margin,
        initial_equity=initial,
        initial_margin=t.initial_margin,
        stress_equity=initial - t.stress_loss,
        liquidatable=maintenance < margin if margin else maintenance < 0,
    )


def liquidation_blockers(
    account: AccountState, params: RiskParams, prices: Prices, timestamp: int | None = None
) -> set[Asset]:
    """Assets whose status forbids judging `account` for a liquidation (`liquidationHealth` reverts, `liquidateMany`
    skips it): every asset its health reads must be priced for an exit by its sources (Ok, Deviated or wound down; a
    freeze does not block a liquidation), at `timestamp` when given (see `AssetPrice.exit_status_at`), else at the
    block the prices were read at."""
    blocked = set()
    for asset in account.assets(params):
        p = prices[asset]
        if timestamp is None:
            status = p.status if p.source_status is None else p.source_status
        else:
            status = p.exit_status_at(timestamp)
        if status not in EXIT_PRICED:
            blocked.add(asset)
    return blocked


def rank_by_shortfall(healths: Iterable[tuple[str, Health]]) -> list[tuple[str, Health]]:
    """The liquidatable accounts among `healths`, largest shortfall first (ties by address, for a stable order)."""
    return sorted(
        ((a, h) for a, h in healths if h.liquidatable),
        key=lambda item: (-item[1].shortfall, item[0]),
    )
