"""End to end (docs/design.md#components-and-money-flow, docs/design.md#account-math,
docs/design.md#liquidation-and-the-loss-waterfall): three LPs fund the Pool in USDC, WBTC and WETH; five traders with
mixed collateral baskets go long and short on both markets; prices crash; the Liquidator liquidates one account alone
and four in a batch; the InsuranceFund covers one deficit in full and only part of a larger one, whose rest is
socialized to LPs. Every number the liquidations produce is predicted by a Python model of the waterfall, and the Pool's
NAV and share price must match, to the wei, a Python valuation of the books it reads."""

from dataclasses import dataclass, field

import pytest

from ballast.risk import borrow_fee, div_up, pnl_down, value_down

from support.core import (
    BPS,
    COLLATERAL,
    DECIMALS,
    FEED_DECIMALS,
    INSURANCE_FEE_SHARE_BPS,
    MARKET_ASSET,
    MARKETS,
    PRICES,
    WAD,
    WBTC_PERP,
    WETH_PERP,
    account_books,
    health_dict,
    model_health,
    price_ranges,
    units,
    wad,
)

# The Pool lists its assets in this order (the settlement asset first).
POOL_ASSETS = ("USDC", "WBTC", "WETH", "LTT")
VIRTUAL_SHARES = VIRTUAL_VALUE = WAD
INSURANCE_SEED = units("USDC", 2_000)
LP_DEPOSITS = {"USDC": 1_000_000, "WBTC": 8, "WETH": 160}  # whole tokens, one LP each
# name: (collateral basket in whole tokens, trades as (market, size in base units))
TRADERS = {
    # Just under maintenance after the crash, above the critical line: closed by half, stays open.
    "t1": ({"USDC": 6_900, "WETH": 2}, [(WETH_PERP, 8)]),
    # Under water after the crash: absorbed, its deficit (~$1.1k) fully covered by the InsuranceFund.
    "t2": ({"WBTC": 0.1}, [(WBTC_PERP, 0.25)]),
    # Deep under water: absorbed, its deficit (~$3.6k) exceeds what the fund has left; the rest goes to LPs.
    "t3": ({"LTT": 2_500}, [(WETH_PERP, 5)]),
    # Short WETH, in profit after the crash.
    "t4": ({"USDC": 8_000}, [(WETH_PERP, -10)]),
    # Three collateral assets, short WBTC, in profit after the crash; also borrows USDC against its basket.
    "t5": ({"WBTC": 0.05, "WETH": 1, "LTT": 300}, [(WBTC_PERP, -0.1)]),
}
LOAN = units("USDC", 1_000)  # t5's loan: the Pool's receivable when the books are valued
LAST_TICK = {"WETH": 1_836}  # after the liquidations: one update, so the median and the TWAP differ
CRASH = {"WETH": 1_800, "WBTC": 40_000, "LTT": 1}
CHARGE_ROUNDING_UNITS = 2  # Liquidator: settlement units of equity a penalty leaves for the charge's rounding
COLLATERAL_ORDER = tuple(COLLATERAL)  # the engine's listing order: the order its collateral walks take


# ---------------------------------------------------------------- the model of one liquidation
# (docs/design.md#liquidation-and-the-loss-waterfall)


def trunc_div(a: int, b: int) -> int:
    """Solidity's signed division: rounds toward zero."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b > 0) else -q


@dataclass
class Books:
    """What a liquidation touches outside the account: the Pool's reserves and scaled debt, the InsuranceFund, and
    what the keeper was paid (USDC from credit, collateral otherwise), by symbol."""

    reserves: dict[str, int]
    total_scaled_debt: int
    insurance: int
    keeper_paid: dict[str, int] = field(default_factory=dict)


@dataclass
class Outcome:
    fraction: int = 0
    closed: int = 0
    penalty: int = 0
    reward: int = 0
    to_fund: int = 0  # the part of the penalty the InsuranceFund received (paid from credit)
    absorbed: dict | None = None  # debt, collateralValue, deficit, insuranceCovered
    socialized: tuple[int, int] | None = None  # (amount, scaledDebt)
    events: list = field(default_factory=list)


def model_liquidation(acct: dict, books: Books, prices, index: int, params) -> Outcome:
    """Apply `Liquidator.liquidate` to `acct` (as `account_books` returns it) and `books` in place, as
    docs/design.md#liveness and #liquidation-and-the-loss-waterfall state it: close (by the close factor, in full
    below the critical health or the dust margin) at
    the price better for the account, charge the penalty (a rate growing from `penaltyBps` at the maintenance
    threshold to `maxPenaltyBps` at zero equity) out of the equity left: from credit (keeper first, then the
    InsuranceFund), the keeper's rest in collateral at the upper price, the fund's rest owed to the Pool. If no position
    is left and maintenance equity is negative, absorb: collateral worth the debt (and the fund's share of a penalty on
    it) into the reserves and the keeper paid in collateral when the collateral is worth more than the debt, else all
    of it, the deficit to the InsuranceFund, then to LPs."""
    close_factor, critical_bps, penalty_bps, max_penalty_bps, keeper_share_bps, min_reward, dust_usd = params
    usdc_low, usdc_high = prices["USDC"]
    out = Outcome()

    def add_cash(amount: int) -> None:  # repay debt first, then credit
        if acct["scaled_debt"]:
            scaled = min(amount * WAD // index, acct["scaled_debt"])
            if scaled:
                paid = div_up(scaled * index, WAD)
                amount -= paid
                books.reserves["USDC"] += paid
                books.total_scaled_debt -= scaled
                acct["scaled_debt"] -= scaled
        acct["credit"] += amount

    def owe_pool(amount: int) -> None:  # credit first, the rest becomes debt to the Pool (a receivable)
        from_credit = min(amount, acct["credit"])
        borrowed = amount - from_credit
        acct["credit"] -= from_credit
        scaled = div_up(borrowed * WAD, index) if borrowed else 0
        acct["scaled_debt"] += scaled
        books.total_scaled_debt += scaled
        books.reserves["USDC"] += from_credit

    def seize(usd: int, upper: bool, to_pool: bool) -> int:
        """`MarginEngine._seize`: collateral worth `usd` (every unit for None) in listing order; the USD moved."""
        moved = 0
        for symbol in [s for s in COLLATERAL_ORDER if s in acct["collateral"]]:
            if usd is not None and moved >= usd:
                break
            low, high = prices[symbol]
            price = high if upper else low
            balance = acct["collateral"][symbol]
            amount = balance if usd is None else div_up((usd - moved) * 10 ** DECIMALS[symbol], price)
            amount = min(amount, balance)
            acct["collateral"][symbol] = balance - amount
            if acct["collateral"][symbol] == 0:
                del acct["collateral"][symbol]
            if to_pool:
                books.reserves[symbol] += amount
            else:
                books.keeper_paid[symbol] = books.keeper_paid.get(symbol, 0) + amount
            value = value_down(amount, price, DECIMALS[symbol])
            moved = moved + value if usd is None else min(moved + value, usd)
        return moved

    def pay_keeper_in_collateral(units: int) -> int:
        usd = units * usdc_low // 10**6
        moved = seize(usd, True, False)
        return units if moved == usd else moved * 10**6 // usdc_high

    def penalty_of(penalty_usd: int, worth_usd: int) -> tuple[int, int]:
        penalty = div_up(penalty_usd * 10**6, usdc_low)
        affordable = max(max(worth_usd, 0) * 10**6 // usdc_high - CHARGE_ROUNDING_UNITS, 0)
        penalty = min(penalty, affordable)
        reward = min(min_reward + penalty * keeper_share_bps // BPS, penalty) if penalty else 0
        return penalty, reward

    h = model_health(acct, prices, index)
    assert h["liquidatable"], "the scenario only liquidates liquidatable accounts"
    if h["maintenanceMargin"]:
        equity, margin = h["maintenanceEquity"], h["maintenanceMargin"]
        shortfall = margin if equity <= 0 else max(margin - equity, 0)
        rate = penalty_bps + (max_penalty_bps - penalty_bps) * shortfall // margin
        out.fraction = close_factor
        critical = equity < margin * critical_bps // BPS
        if critical or margin < dust_usd:
            out.fraction = BPS
        for market in sorted(acct["positions"]):
            size, entry, entry_index = acct["positions"][market]
            delta = -trunc_div(size * out.fraction, BPS)
            if delta == 0 or abs(size + delta) < MARKETS[market][6]:
                delta = -size
            low, high = prices[MARKET_ASSET[market]]
            price = high if size > 0 else low
            closing = min(abs(delta), abs(size))
            realized = pnl_down(closing if size > 0 else -closing, entry, price)
            realized -= borrow_fee(size, entry, entry_index, index)
            if size + delta == 0:
                del acct["positions"][market]
            else:
                acct["positions"][market] = (size + delta, entry, index)
            out.closed += div_up(abs(delta) * price, WAD)
            if realized > 0:
                profit = realized * 10**6 // usdc_high
                books.reserves["USDC"] -= profit
                add_cash(profit)
            elif realized < 0:
                owe_pool(div_up(-realized * 10**6, usdc_low))
        # The penalty is paid only out of the maintenance equity left after the close, less two units for rounding.
        h = model_health(acct, prices, index)
        out.penalty, out.reward = penalty_of(div_up(out.closed * rate, BPS), h["maintenanceEquity"])
        if out.penalty:
            from_credit = min(out.penalty, acct["credit"])
            acct["credit"] -= from_credit
            reward_paid = min(out.reward, from_credit)
            out.to_fund = from_credit - reward_paid
            books.keeper_paid["USDC"] = books.keeper_paid.get("USDC", 0) + reward_paid
            books.insurance += out.to_fund
            if out.reward > reward_paid:
                reward_paid += pay_keeper_in_collateral(out.reward - reward_paid)
            share = out.penalty - out.reward
            if share > out.to_fund:
                owe_pool(share - out.to_fund)
            out.reward = reward_paid
            out.penalty = reward_paid + share
        if h["maintenanceEquity"] >= 0:  # the charge never makes a non-negative equity negative
            assert model_health(acct, prices, index)["maintenanceEquity"] >= 0

    if h["maintenanceMargin"] == 0 and h["maintenanceEquity"] < 0:
        scaled_debt, acct["scaled_debt"] = acct["scaled_debt"], 0
        debt = div_up(scaled_debt * index, WAD)
        debt_usd = div_up(debt * usdc_high, 10**6)
        collateral_usd = sum(value_down(a, prices[s][0], DECIMALS[s]) for s, a in acct["collateral"].items())
        solvent = collateral_usd > debt_usd
        penalty = reward = share_usd = 0
        if solvent:
            penalty, reward = penalty_of(div_up(debt_usd * penalty_bps, BPS), collateral_usd - debt_usd)
            share_usd = (penalty - reward) * usdc_low // 10**6
        moved = seize(debt_usd + share_usd if solvent else None, False, True)
        moved_for_debt = min(moved, debt_usd)
        collateral_value = moved_for_debt * 10**6 // usdc_high
        deficit = max(debt - collateral_value, 0)
        covered = 0
        left = scaled_debt
        if deficit:
            covered = min(deficit, books.insurance)
            books.insurance -= covered
            scaled_covered = min(covered * WAD // index, left)
            repaid = div_up(scaled_covered * index, WAD)
            books.reserves["USDC"] += repaid
            left -= scaled_covered
            scaled_social = min(div_up((deficit - covered) * WAD, index) if moved_for_debt else left, left)
            if scaled_social:
                out.socialized = (div_up(scaled_social * index, WAD), scaled_social)
                left -= scaled_social
            books.insurance += covered - repaid  # rounding dust of the cover goes back to the fund
            books.total_scaled_debt -= scaled_covered + scaled_social
        books.total_scaled_debt -= left
        out.absorbed = {
            "debt": debt,
            "collateralValue": collateral_value,
            "deficit": deficit,
            "insuranceCovered": covered,
        }
        if solvent and penalty:
            share = min((moved - debt_usd) * 10**6 // usdc_high if moved > debt_usd else 0, penalty - reward)
            paid = pay_keeper_in_collateral(reward) if reward else 0
            out.penalty += paid + share
            out.reward += paid
    return out


# ---------------------------------------------------------------- the model of the Pool's valuation


def model_valuation(
    reserves: dict[str, int], total_scaled_debt: int, index: int, prices, positions: list[dict]
) -> dict:
    """NAV (both bounds) and traders' exposure as the Pool computes them: reserves at each price bound rounded down,
    receivables (all trader debt) likewise, minus traders' net PnL per market from the aggregates of every open
    position (each side's size and entry notional, borrow fees accrued since each position's entry index)."""
    reserve_low = sum(value_down(reserves[s], prices[s][0], DECIMALS[s]) for s in POOL_ASSETS if reserves[s])
    reserve_high = sum(value_down(reserves[s], prices[s][1], DECIMALS[s]) for s in POOL_ASSETS if reserves[s])
    debt = total_scaled_debt * index // WAD
    receivable_low = value_down(debt, prices["USDC"][0], 6)
    receivable_high = value_down(debt, prices["USDC"][1], 6)
    pnl_low = pnl_high = 0
    for market in MARKETS:
        longs = shorts = long_notional = short_notional = fee_base = fee_scaled = 0
        for books in positions:
            if market not in books:
                continue
            size, entry, entry_index = books[market]
            notional = div_up(abs(size) * entry, WAD)
            if size > 0:
                longs, long_notional = longs + size, long_notional + notional
            else:
                shorts, short_notional = shorts - size, short_notional + notional
            fee_base += notional
            fee_scaled += notional * WAD // entry_index
        if longs == 0 and shorts == 0:
            continue
        fees = max(fee_scaled * index // WAD - fee_base, 0)
        entries = short_notional - long_notional - fees
        at = [longs * p // WAD - div_up(shorts * p, WAD) + entries for p in prices[MARKET_ASSET[market]]]
        pnl_low, pnl_high = pnl_low + min(at), pnl_high + max(at)
    return {
        "nav_low": reserve_low + receivable_low - pnl_high,
        "nav_high": reserve_high + receivable_high - pnl_low,
        "pnl_low": pnl_low,
        "pnl_high": pnl_high,
    }


def model_share_price(nav: int, supply: int) -> int:
    assert nav + VIRTUAL_VALUE > 0, "the Pool would revert PoolInsolvent"
    return WAD * (max(nav, 0) + VIRTUAL_VALUE) // (supply + VIRTUAL_SHARES)


def trading_fee(size: int, price: int, fee_bps: int) -> int:
    """Settlement units of the trading fee on `size` at `price` (USDC at $1): notional and fee rounded up."""
    return div_up(div_up(div_up(abs(size) * price, WAD) * fee_bps, BPS) * 10**6, WAD)


# ---------------------------------------------------------------- the scenario


@pytest.fixture(scope="module")
def lps(accounts, lp):
    extra = []
    for _ in range(2):
        account = accounts.generate_test_account()
        account.balance = 10**21
        extra.append(account)
    return dict(zip(LP_DEPOSITS, [lp, *extra], strict=True))


@pytest.fixture(scope="module")
def traders(accounts, trader, trader2):
    t5 = accounts.generate_test_account()
    t5.balance = 10**21
    return dict(zip(TRADERS, [trader, trader2, accounts[8], accounts[9], t5], strict=True))


@pytest.fixture(scope="module")
def story(core, tokens, oracle, feeds, chain, lps, traders, keeper, stranger, post, move_price):
    """Run the whole scenario once; record what the tests check."""
    pool, engine, liquidator, insurance = core.pool, core.engine, core.liquidator, core.insurance
    s = {"shares": {}, "insurance_fee_share": 0}

    # LPs, one asset each, in listing order. The first deposit meets an empty pool.
    for symbol, lp in lps.items():
        amount = units(symbol, LP_DEPOSITS[symbol])
        tokens[symbol].mint(lp, amount, sender=lp)
        tokens[symbol].approve(pool, amount, sender=lp)
        pool.deposit(tokens[symbol], amount, 0, lp, sender=lp)
        s["shares"][symbol] = pool.balanceOf(lp)

    # The InsuranceFund's seed, from a donor.
    tokens["USDC"].mint(stranger, INSURANCE_SEED, sender=stranger)
    tokens["USDC"].approve(insurance, INSURANCE_SEED, sender=stranger)
    insurance.fund(INSURANCE_SEED, b"seed".ljust(32, b"\0"), sender=stranger)

    # Traders.
    for name, (basket, trades) in TRADERS.items():
        account = traders[name]
        for symbol, amount in basket.items():
            post(account, symbol, units(symbol, amount))
        for market, size in trades:
            credit = engine.cash(account).credit
            engine.modifyPosition(market, wad(size), wad(10**6) if size > 0 else 0, sender=account)
            fee = trading_fee(wad(size), wad(PRICES[MARKET_ASSET[market]]), MARKETS[market][4])
            # The fund's share of a fee comes out of credit only (the rest is owed to the Pool).
            s["insurance_fee_share"] += min(fee * INSURANCE_FEE_SHARE_BPS // BPS, credit)
    engine.withdraw(tokens["USDC"], LOAN, traders["t5"], sender=traders["t5"])
    s["insurance_before_crash"] = insurance.bookedBalance()

    move_price(CRASH)
    prices = price_ranges(oracle, tokens)
    s["prices"] = prices
    s["health_before"] = {n: health_dict(engine.health(a)) for n, a in traders.items()}
    s["books_before"] = {n: account_books(engine, tokens, a) for n, a in traders.items()}
    s["index_before"] = pool.borrowIndex()

    def pool_books() -> Books:
        return Books(
            reserves={sym: pool.reserves(tokens[sym]) for sym in POOL_ASSETS},
            total_scaled_debt=pool.totalScaledDebt(),
            insurance=insurance.bookedBalance(),
        )

    # One liquidation alone, then a batch with two liquidatable accounts and two healthy ones.
    p = liquidator.params()
    params = (
        p.closeFactorBps,
        p.criticalHealthBps,
        p.penaltyBps,
        p.maxPenaltyBps,
        p.keeperShareBps,
        p.minKeeperReward,
        p.dustMarginUsd,
    )
    s["receipts"] = []
    s["outcomes"] = {}
    s["books_model"] = {}
    for batch in (["t2"], ["t1", "t3", "t4", "t5"]):
        books = pool_books()
        accounts_before = {n: account_books(engine, tokens, traders[n]) for n in batch}
        if len(batch) == 1:
            tx = liquidator.liquidate(traders[batch[0]], sender=keeper)
        else:
            tx = liquidator.liquidateMany([traders[n] for n in batch], sender=keeper)
        index = pool.borrowIndex(block_id=tx.block_number)
        for name in batch:
            acct = accounts_before[name]
            if model_health(acct, prices, index)["liquidatable"]:
                s["outcomes"][name] = model_liquidation(acct, books, prices, index, params)
            s["books_model"][name] = acct
        s["receipts"].append((batch, tx, books, pool_books()))
    s["books_after"] = {n: account_books(engine, tokens, a) for n, a in traders.items()}

    # Time passes (borrow fees accrue) and WETH ticks up once: the NAV has distinct lower and upper bounds.
    chain.pending_timestamp += 3_000
    for symbol, price in LAST_TICK.items():
        feeds[symbol].setAnswer(price * 10**FEED_DECIMALS, sender=keeper)
        oracle.update(tokens[symbol], sender=keeper)
    return s


# ---------------------------------------------------------------- checks


def test_lp_deposits__each_asset__mints_shares_at_one_dollar_per_share(story, pool, lps, tokens):
    # Prices are where the fixtures set them and nothing else is booked yet: every deposit is priced at $1/share.
    supply = 0
    for symbol, lp in lps.items():
        value = units(symbol, LP_DEPOSITS[symbol]) * wad(PRICES[symbol]) // 10 ** DECIMALS[symbol]
        assert story["shares"][symbol] == value * (supply + VIRTUAL_SHARES) // (supply + VIRTUAL_VALUE)
        assert pool.balanceOf(lp) == story["shares"][symbol]
        supply += story["shares"][symbol]
    assert pool.totalSupply() == supply == 1_000_000 * WAD + 8 * 60_000 * WAD + 160 * 3_000 * WAD


def test_insurance_fund__seed_plus_fee_share__funds_it_before_the_crash(story):
    assert story["insurance_before_crash"] == INSURANCE_SEED + story["insurance_fee_share"]


def test_engine_health__every_trader_after_the_crash__matches_the_model(story):
    for name, books in story["books_before"].items():
        assert story["health_before"][name] == model_health(books, story["prices"], story["index_before"])
    liquidatable = {n for n, h in story["health_before"].items() if h["liquidatable"]}
    assert liquidatable == {"t1", "t2", "t3"}


def test_liquidations__events__match_the_waterfall_model(
    story, engine, liquidator, pool, traders, keeper, tokens
):
    for batch, tx, _, _ in story["receipts"]:
        liquidated = {e.account: e for e in tx.events.filter(liquidator.Liquidated)}
        absorbed = {e.account: e for e in tx.events.filter(liquidator.Absorbed)}
        socialized = list(tx.events.filter(pool.DeficitSocialized))
        skipped = [e.account for e in tx.events.filter(liquidator.Skipped)]
        expected = {n: story["outcomes"][n] for n in batch if n in story["outcomes"]}
        assert set(liquidated) == {traders[n].address for n in expected}
        assert skipped == [traders[n].address for n in batch if n not in expected]
        for name, out in expected.items():
            event = liquidated[traders[name].address]
            assert event.keeper == keeper.address
            assert (event.fractionBps, event.closedNotional, event.penalty, event.keeperReward) == (
                out.fraction,
                out.closed,
                out.penalty,
                out.reward,
            )
            if out.absorbed is None:
                assert traders[name].address not in absorbed
            else:
                e = absorbed[traders[name].address]
                assert {k: getattr(e, k) for k in out.absorbed} == out.absorbed
        expected_social = [out.socialized for out in expected.values() if out.socialized]
        assert [(e.amount, e.scaledDebt) for e in socialized] == expected_social
        # No liquidation borrows from the Pool: the keeper is paid out of the accounts.
        assert not list(tx.events.filter(pool.Lent))
    # The keeper brought nothing and its engine account holds what the model paid it: USDC credit from the
    # accounts' credit, their collateral otherwise; its wallet received nothing.
    paid: dict[str, int] = {}
    for _, _, modelled, _ in story["receipts"]:
        for symbol, amount in modelled.keeper_paid.items():
            paid[symbol] = paid.get(symbol, 0) + amount
    held = {
        symbol: engine.cash(keeper)[0] if symbol == "USDC" else engine.collateralBalance(keeper, token)
        for symbol, token in tokens.items()
    }
    assert {s: a for s, a in held.items() if a} == {s: a for s, a in paid.items() if a}
    assert all(token.balanceOf(keeper) == 0 for token in tokens.values())


def test_waterfall__first_deficit_covered_in_full_second_larger_one_socialized(story, insurance):
    first, second = story["outcomes"]["t2"], story["outcomes"]["t3"]
    assert story["outcomes"]["t1"].fraction == 5_000 and story["outcomes"]["t1"].absorbed is None
    # The fund covered the first deficit in full: nothing socialized.
    assert 0 < first.absorbed["deficit"] == first.absorbed["insuranceCovered"]
    assert first.socialized is None
    # The second deficit is larger and emptied the fund; LPs take the rest.
    deficit, covered = second.absorbed["deficit"], second.absorbed["insuranceCovered"]
    assert deficit > first.absorbed["deficit"]
    assert 0 < covered < deficit
    # What the fund had when it covered the second deficit: the seed and the trading-fee share, less the first
    # cover, plus the InsuranceFund's part of the penalties paid from credit (and the rounding dust of the first cover).
    penalty_shares = sum(o.to_fund for o in story["outcomes"].values())
    first_cover = first.absorbed["insuranceCovered"]
    fund_before = story["insurance_before_crash"] + penalty_shares - first_cover
    assert fund_before <= covered <= fund_before + 1  # +1: the first cover's rounding dust, if any
    assert insurance.bookedBalance() <= 1  # emptied, to the dust of the second cover's rounding
    # The socialized amount is the uncovered rest, rounded (via scaled debt) in the Pool's favour by at most a unit.
    amount, _ = second.socialized
    assert deficit - covered <= amount <= deficit - covered + 1


def test_books__pool_reserves_debt_and_insurance__match_the_model(
    story, pool, insurance, tokens, engine, traders
):
    for _, _, modelled, actual in story["receipts"]:
        assert (actual.reserves, actual.total_scaled_debt, actual.insurance) == (
            modelled.reserves,
            modelled.total_scaled_debt,
            modelled.insurance,
        )
    # The absorbed collateral joined the reserves in full.
    assert pool.reserves(tokens["LTT"]) == units("LTT", 2_500)
    assert pool.reserves(tokens["WBTC"]) == units("WBTC", LP_DEPOSITS["WBTC"]) + units("WBTC", 0.1)
    # Receivables are exactly the accounts' debts (docs/design.md#invariants, item 3).
    assert pool.totalScaledDebt() == sum(engine.cash(a)[1] for a in traders.values())
    for name, acct in story["books_model"].items():
        assert story["books_after"][name] == acct


def test_after_liquidations__no_account_has_positions_with_negative_equity(story, engine, traders):
    for name, account in traders.items():
        books = story["books_after"][name]
        h = engine.health(account)
        if books["positions"]:
            assert h.maintenanceEquity >= 0
            assert not h.liquidatable
        elif name in ("t2", "t3"):  # absorbed: nothing left on the account
            assert books == {"collateral": {}, "credit": 0, "scaled_debt": 0, "positions": {}}
            assert (h.maintenanceEquity, h.liquidatable) == (0, False)
    assert set(story["books_after"]["t1"]["positions"]) == {WETH_PERP}
    assert story["books_after"]["t1"]["positions"][WETH_PERP][0] == wad(4)


def test_pool_nav_and_share_price__match_independent_valuation_to_the_wei(
    story, pool, engine, oracle, tokens, traders
):
    prices = price_ranges(oracle, tokens)
    index = pool.borrowIndex()
    reserves = {s: pool.reserves(tokens[s]) for s in POOL_ASSETS}
    positions = [account_books(engine, tokens, a)["positions"] for a in traders.values()]
    v = model_valuation(reserves, pool.totalScaledDebt(), index, prices, positions)

    assert engine.poolExposure(False)[:2] == (v["pnl_low"], v["pnl_high"])
    assert pool.nav(False) == v["nav_low"]
    assert pool.nav(True) == v["nav_high"]
    supply = pool.totalSupply()
    assert pool.sharePrice(False) == model_share_price(v["nav_low"], supply)
    assert pool.sharePrice(True) == model_share_price(v["nav_high"], supply)
    # Same valuation from the books the waterfall model predicted instead of those the Pool reports.
    modelled = story["receipts"][-1][2]
    assert model_valuation(modelled.reserves, modelled.total_scaled_debt, index, prices, positions) == v
    assert v["nav_low"] < v["nav_high"]  # the last tick split the price bounds
    assert pool.totalDebt() > LOAN  # t5's loan, its opening fee and their borrow fees are receivables
