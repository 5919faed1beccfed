"""Why an account is (or is not) liquidatable, term by term: `diagnose` splits the engine's maintenance health
(`ballast.risk`, equal to `MarginEngine.health` to the wei) into each collateral's value after its haircut, the cash,
each position's PnL and margin requirement and each margin product's figures, and says what would clear a shortfall:
a deposit of the settlement asset, or a reduction of one position.

The maintenance figures value everything at the price better for the account (the higher of median and TWAP for
collateral and longs, the lower for shorts); a position reduced now trades at the oracle's price worse for the trader
and pays the trading fee, so a reduction frees less than its margin (see `Fix`).
"""

from __future__ import annotations

from dataclasses import dataclass

from ape.managers.chain import ChainManager

from ballast import reader
from ballast.console_trading import address_of
from ballast.manifest import Deployment
from ballast.risk import (
    BPS,
    WAD,
    AccountState,
    Health,
    Prices,
    RiskParams,
    borrow_fee,
    debt_of,
    div_up,
    health,
    liquidation_blockers,
    mul_bps_down,
    mul_bps_up,
    notional_up,
    pnl_down,
    value_down,
    value_up,
)


@dataclass(frozen=True)
class CollateralTerm:
    """A collateral asset's part of maintenance equity: `value` at the price used, less the haircut (USD WAD)."""

    symbol: str
    units: int
    decimals: int
    price: int
    value: int
    haircut_bps: int
    counted: int


@dataclass(frozen=True)
class PositionTerm:
    """A position's part: PnL after borrow fees at the maintenance price (counted in equity), and its maintenance
    margin (`notional` at that price times `margin_bps`)."""

    market: int
    name: str
    size: int
    entry: int
    price: int
    pnl: int
    borrow_fee: int
    notional: int
    margin_bps: int
    margin: int


@dataclass(frozen=True)
class Fix:
    """One way to clear the shortfall: `what` in words, and the amount (token units of `symbol`, or WAD of the
    market's asset for a reduction)."""

    what: str
    units: int
    symbol: str


@dataclass(frozen=True)
class Diagnosis:
    """An account's maintenance health split into its terms, with what would clear a shortfall (none when
    healthy) and the assets whose status holds back a liquidation."""

    account: str
    block: int
    health: Health
    collateral: list[CollateralTerm]
    cash: int  # credit less debt, USD WAD at the maintenance prices
    positions: list[PositionTerm]
    products: list[tuple[int, int, int]]  # (product number, maintenance value, maintenance margin)
    fixes: list[Fix]
    blockers: list[str]

    @property
    def shortfall(self) -> int:
        """Maintenance margin less maintenance equity (USD WAD): > 0 and liquidatable, <= 0 the cushion left."""
        return self.health.shortfall


def _collateral_terms(
    deployment: Deployment, state: AccountState, params: RiskParams, prices: Prices
) -> list[CollateralTerm]:
    out = []
    for asset, units in state.collateral.items():
        if units == 0:
            continue
        risk, price = params.collateral[asset], prices[asset].high
        value = value_down(units, price, risk.decimals)
        out.append(
            CollateralTerm(
                deployment.symbol_of(asset), units, risk.decimals, price, value, risk.maint_haircut_bps,
                mul_bps_down(value, BPS - risk.maint_haircut_bps),
            )
        )  # fmt: skip
    return out


def _position_terms(
    deployment: Deployment, state: AccountState, params: RiskParams, prices: Prices, index: int
) -> list[PositionTerm]:
    names = {mid: name for name, mid in deployment.manifest.markets.items()}
    out = []
    for mid, p in state.positions.items():
        if p.size == 0:
            continue
        m, price_data = params.markets[mid], prices[params.markets[mid].asset]
        price = price_data.high if p.size > 0 else price_data.low
        fee = borrow_fee(p.size, p.entry_price, p.entry_index, index)
        notional = notional_up(p.size, price)
        out.append(
            PositionTerm(
                mid, names.get(mid, f"market {mid}"), p.size, p.entry_price, price,
                pnl_down(p.size, p.entry_price, price) - fee, fee, notional, m.maintenance_margin_bps,
                mul_bps_up(notional, m.maintenance_margin_bps),
            )
        )  # fmt: skip
    return out


def _fixes(
    deployment: Deployment,
    d_shortfall: int,
    params: RiskParams,
    prices: Prices,
    positions: list[PositionTerm],
) -> list[Fix]:
    """A deposit of the settlement asset worth the shortfall (at the lower settlement price, rounded up), and per
    position the reduction whose freed margin, less the fee and the worse execution price, covers it."""
    if d_shortfall <= 0:
        return []
    settlement = deployment.manifest.settlement_symbol
    s_price = prices[params.settlement_asset].low
    units = div_up(d_shortfall * 10**params.settlement_decimals, s_price)
    # Exactly the shortfall at the block read; interest accrues from block to block, hence "or more".
    fixes = [
        Fix(f"deposit {units / 10**params.settlement_decimals:,.2f} {settlement} or more", units, settlement)
    ]
    fee_bps = {
        mid: int(deployment.engine.marketParams(mid).tradingFeeBps) for mid in {p.market for p in positions}
    }
    for p in positions:
        price_data = prices[params.markets[p.market].asset]
        execution = price_data.low if p.size > 0 else price_data.high
        # Per unit reduced: the margin freed, less the fee and the gap between the maintenance and execution prices.
        freed = (
            p.price * p.margin_bps // BPS - execution * fee_bps[p.market] // BPS - abs(p.price - execution)
        )
        asset = deployment.symbol_of(params.markets[p.market].asset)
        if freed <= 0:
            continue
        size = div_up(d_shortfall * WAD, freed)
        # Closing in full frees all its margin: when even that is short (equity below what the other positions
        # need, below zero without any), no reduction of this position alone is enough.
        if size > abs(p.size):
            continue
        what = f"close {p.name}" if size == abs(p.size) else f"reduce {p.name} by {size / WAD:,.4f} {asset}"
        fixes.append(Fix(f"{what} (of {abs(p.size) / WAD:,.4f})", size, asset))
    return fixes


def diagnose(deployment: Deployment, chain: ChainManager, account: object) -> Diagnosis:
    """The maintenance health of `account` at the head block, term by term (see the module docstring)."""
    address = address_of(account)
    block = int(chain.blocks.height)
    engine, oracle = deployment.engine, deployment.oracle
    params = reader.fetch_risk_params(engine, block)
    prices = reader.fetch_prices(oracle, params.assets(), block)
    index = reader.fetch_borrow_index(deployment.pool, block)
    state = reader.fetch_account(engine, params, address, block)
    h = health(state, params, prices, index)
    s = prices[params.settlement_asset]
    cash = value_down(state.credit, s.high, params.settlement_decimals) - value_up(
        debt_of(state.scaled_debt, index), s.low, params.settlement_decimals
    )
    positions = _position_terms(deployment, state, params, prices, index)
    products = [(k, r.maintenance_value, max(r.maintenance_margin, 1)) for k, r in state.products.items()]
    blockers = sorted(deployment.symbol_of(a) for a in liquidation_blockers(state, params, prices))
    return Diagnosis(
        address,
        block,
        h,
        _collateral_terms(deployment, state, params, prices),
        cash,
        positions,
        products,
        _fixes(deployment, h.shortfall if h.liquidatable else 0, params, prices, positions),
        blockers,
    )
