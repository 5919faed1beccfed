"""The largest positions a trader's basket supports under the MarginEngine's own rule for new risk, computed through
the risk mirror (`ballast.risk.health`, equal to `MarginEngine.health` to the wei).

Opening (or growing) a position passes when, after the trade and its fee, `initialEquity >= initialMargin` and
`stressEquity >= 0` (`MarginEngine._requireInitialMargin`; docs/design.md#account-math): initial equity is the
collateral at its lower price after the initial haircut, plus cash, less debt, plus any unrealized loss at the price
worse for the account;
the initial margin is |size| x price x the market's initial fraction; the stress loss is every collateral's initial
value x its stress shock plus every position's notional x its market's stress shock. A trade executes at the
price worse for the trader (a buy at the higher of median and TWAP, a sell at the lower) and pays its trading fee
from cash (credit first, the rest as new debt to the Pool; the InsuranceFund's share and the Pool's part are two
payments, rounded each).

`max_sizes` searches the largest size on the population's size grid (multiples of 1e-4 base tokens) that passes,
the legs of a trader sharing its stress capacity equally (as the default sizing shares it): the size found passes and one grid step more fails,
both judged by `health` on the account as the trade would leave it (`account_after`). The population opens
`SAFETY_BPS` (0.01 %) below that boundary: the fee and every rounding are already in the computation, so the margin
only covers a tick of the borrow index or of a price between sizing and opening, and the float tokens the
population keeps its sizes in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from statistics import median

from ballast.config import DeploymentConfig
from ballast.risk import (
    WAD,
    AccountState,
    Asset,
    AssetPrice,
    CollateralRisk,
    MarketRisk,
    PositionState,
    PriceStatus,
    RiskParams,
    div_up,
    health,
    mul_bps_down,
    mul_bps_up,
    mul_wad_up,
)

GRID = 10**14  # position sizes are whole multiples of 1e-4 base tokens (WAD units)
SAFETY_BPS = 1  # the population opens this far below the largest passing size
BPS = 10_000


@dataclass(frozen=True)
class SizingContext:
    """What the engine will judge new positions against: its parameters, the stored prices and the borrow index
    (keys of `params` and `prices` are the assets' keys: addresses on chain, symbols from a config), with the
    symbol and market-name lookups, trading fees, the fee share of the InsuranceFund and token decimals."""

    params: RiskParams
    prices: Mapping[Asset, AssetPrice]
    borrow_index: int
    assets: Mapping[str, Asset]  # symbol -> key
    markets: Mapping[str, int]  # market name -> market id
    fees_bps: Mapping[str, int]  # market name -> trading fee
    insurance_fee_share_bps: int
    decimals: Mapping[str, int]  # symbol -> token decimals
    settlement: str  # settlement symbol

    @classmethod
    def from_config(cls, config: DeploymentConfig) -> SizingContext:
        """Symbols as keys, every asset at the median of its configured answers (median = TWAP, status Ok), the
        borrow index at its start (1.0): a deployment of `config` before anything moved."""
        prices = {
            symbol: _flat_price(median(Decimal(str(s.answer)) for s in asset.sources))
            for symbol, asset in config.oracle.assets.items()
        }
        params = RiskParams(
            settlement_asset=config.settlement_asset,
            settlement_decimals=config.decimals(config.settlement_asset),
            collateral={
                s: CollateralRisk(
                    config.decimals(s), c.initial_haircut_bps, c.maint_haircut_bps, c.stress_shock_bps
                )
                for s, c in config.collateral.items()
            },
            markets={
                i: MarketRisk(m.asset, m.initial_margin_bps, m.maintenance_margin_bps, m.stress_shock_bps)
                for i, m in enumerate(config.markets)
            },
            collateral_order=tuple(config.collateral),
        )
        return cls.of(config, params, prices, WAD, {s: s for s in config.tokens})

    @classmethod
    def of(
        cls,
        config: DeploymentConfig,
        params: RiskParams,
        prices: Mapping[Asset, AssetPrice],
        borrow_index: int,
        assets: Mapping[str, Asset],
        markets: Mapping[str, int] | None = None,
    ) -> SizingContext:
        """A context from chain reads (`ballast.reader`) and the config's fees and decimals; `markets` maps names to
        the deployment's market ids (default: the config's order)."""
        return cls(
            params=params,
            prices=prices,
            borrow_index=borrow_index,
            assets=dict(assets),
            markets=dict(markets)
            if markets is not None
            else {m.name: i for i, m in enumerate(config.markets)},
            fees_bps={m.name: m.trading_fee_bps for m in config.markets},
            insurance_fee_share_bps=config.insurance.fee_share_bps,
            decimals={s: t.decimals for s, t in config.tokens.items()},
            settlement=config.settlement_asset,
        )

    def price(self, symbol: str) -> AssetPrice:
        return self.prices[self.assets[symbol]]

    def market_symbol(self, name: str) -> str:
        key = self.params.markets[self.markets[name]].asset
        return next(s for s, k in self.assets.items() if k == key)


def _flat_price(usd: Decimal) -> AssetPrice:
    wad = int(usd * WAD)
    return AssetPrice(wad, wad, PriceStatus.OK, 0, 2**63)


def deposit_units(deposits: Mapping[str, float], ctx: SizingContext) -> dict[str, int]:
    """Whole tokens to token units, as the seeding converts them (`System.units`)."""
    return {s: int(amount * 10 ** ctx.decimals[s]) for s, amount in deposits.items()}


def entry_price(ctx: SizingContext, name: str, size: int) -> int:
    """The execution price of opening `size` (a buy pays the higher of median and TWAP, a sell gets the lower)."""
    p = ctx.price(ctx.market_symbol(name))
    return p.high if size > 0 else p.low


def _fee_units(ctx: SizingContext, name: str, size: int, price: int) -> int:
    """The trading fee in settlement units (`_trade`: notional up, bps up, to settlement units at the lower
    settlement price, up)."""
    usd = mul_bps_up(mul_wad_up(abs(size), price), ctx.fees_bps[name])
    if usd == 0:
        return 0
    low = ctx.price(ctx.settlement).low
    return div_up(usd * 10 ** ctx.decimals[ctx.settlement], low)


def account_after(deposits: Mapping[str, int], sizes: Mapping[str, int], ctx: SizingContext) -> AccountState:
    """The books of a fresh account holding `deposits` (token units; the settlement symbol is cash) after opening
    `sizes` (market name -> signed size, WAD), one trade per market in order, each paying its fee from cash."""
    credit = deposits.get(ctx.settlement, 0)
    scaled_debt = 0
    positions = {}
    for name, size in sizes.items():
        if size == 0:
            continue
        price = entry_price(ctx, name, size)
        fee = _fee_units(ctx, name, size, price)
        to_insurance = mul_bps_down(fee, ctx.insurance_fee_share_bps)
        for payment in (to_insurance, fee - to_insurance):
            if payment == 0:
                continue
            from_credit = min(payment, credit)
            credit -= from_credit
            if payment > from_credit:
                scaled_debt += div_up((payment - from_credit) * WAD, ctx.borrow_index)
        positions[ctx.markets[name]] = PositionState(size, price, ctx.borrow_index)
    collateral = {ctx.assets[s]: u for s, u in deposits.items() if s != ctx.settlement and u > 0}
    return AccountState(collateral=collateral, credit=credit, scaled_debt=scaled_debt, positions=positions)


def may_open(deposits: Mapping[str, int], sizes: Mapping[str, int], ctx: SizingContext) -> bool:
    """Whether the engine accepts the account `account_after` describes (initial margin and stress)."""
    h = health(account_after(deposits, sizes, ctx), ctx.params, ctx.prices, ctx.borrow_index)
    return h.may_add_risk


def sizes_at(steps: int, legs: Sequence[tuple[str, int]], ctx: SizingContext) -> dict[str, int]:
    """The legs' sizes when the first is `steps` grid steps. The legs share the trader's stress capacity equally:
    every leg's notional (at its entry price) times its market's stress shock equals the first leg's, each size
    rounded down to the grid. `legs`: (market name, +1 long or -1 short)."""
    first, first_side = legs[0]
    first_size = steps * GRID
    first_stress = first_size * entry_price(ctx, first, first_side) * _shock(ctx, first)
    out = {}
    for name, side in legs:
        if name == first:
            size = first_size
        else:
            size = first_stress // (entry_price(ctx, name, side) * _shock(ctx, name)) // GRID * GRID
        out[name] = side * size
    return out


def _shock(ctx: SizingContext, name: str) -> int:
    return max(ctx.params.markets[ctx.markets[name]].stress_shock_bps, 1)


def max_steps(deposits: Mapping[str, int], legs: Sequence[tuple[str, int]], ctx: SizingContext) -> int:
    """The largest number of grid steps of the first leg (`sizes_at`) that the engine accepts; 0 if none."""
    if not legs or not may_open(deposits, sizes_at(1, legs, ctx), ctx):
        return 0
    low, high = 1, 2
    while may_open(deposits, sizes_at(high, legs, ctx), ctx):
        low, high = high, high * 2
    while high - low > 1:  # low passes, high fails
        mid = (low + high) // 2
        if may_open(deposits, sizes_at(mid, legs, ctx), ctx):
            low = mid
        else:
            high = mid
    return low


def max_sizes(
    deposits: Mapping[str, int], legs: Sequence[tuple[str, int]], ctx: SizingContext
) -> dict[str, int]:
    """The largest sizes (WAD, signed) the basket supports for `legs` sharing its stress capacity (`sizes_at`): they
    pass the engine's check, and one more grid step of the first leg fails it."""
    return sizes_at(max_steps(deposits, legs, ctx), legs, ctx) if legs else {}


def with_safety(size: int, safety_bps: int = SAFETY_BPS) -> int:
    """`size` less `safety_bps`, rounded toward zero to the grid."""
    magnitude = abs(size) * (BPS - safety_bps) // BPS // GRID * GRID
    return magnitude if size >= 0 else -magnitude
