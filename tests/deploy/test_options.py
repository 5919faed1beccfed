"""Options on a deployment of config/local.yaml (its OptionsBook, margin product 0): the console's quote, buy and sell
through `MarginEngine.tradeProduct`, the positions table (size, mark, delta, vega) and one health over collateral,
cash, a perp and a written call, each number checked against the chain."""

import pytest
from ape.exceptions import ContractLogicError

from ballast import optionmath
from ballast.console import init_console, usd
from ballast.deploy import run_deploy
from ballast.options import option_positions, quote
from ballast.prices import restamp_and_update, settle_prices

from support.deploy import LOCAL_CONFIG, deploy_context, quiet_console

WAD = 10**18
USDC = 10**6


@pytest.fixture(scope="module")
def deployed(project, chain, accounts, deployments):
    return run_deploy(deploy_context(project, chain, accounts[0]), LOCAL_CONFIG, deployments)


@pytest.fixture(scope="module")
def names(deployed, project, chain, deployments):
    """The console's names, printing into a recording console (`names["console"]`)."""
    console = quiet_console()
    return {**init_console(chain, project, deployments, console), "console": console}


@pytest.fixture(scope="module")
def funded(names, lp, trader, trader2):
    """An LP's million USDC in the Pool; each trader with 10 WETH of collateral and 20,000 USDC of cash."""
    d = names["deployment"]
    usdc, weth = d.tokens["USDC"], d.tokens["WETH"]
    usdc.mint(lp, 1_000_000 * USDC, sender=lp)
    usdc.approve(d.pool, 2**256 - 1, sender=lp)
    d.pool.deposit(usdc, 1_000_000 * USDC, 0, lp, sender=lp)
    for t in (trader, trader2):
        weth.mint(t, 10 * WAD, sender=t)
        weth.approve(d.engine, 2**256 - 1, sender=t)
        d.engine.deposit(weth, 10 * WAD, t, sender=t)
        usdc.mint(t, 20_000 * USDC, sender=t)
        usdc.approve(d.engine, 2**256 - 1, sender=t)
        d.engine.deposit(usdc, 20_000 * USDC, t, sender=t)
    return d


def rows(out: str, label: str) -> list[str]:
    """The cells of the table rows whose first cell is `label`."""
    found = []
    for line in out.splitlines():
        cells = [c.strip() for c in line.split("│")[1:-1]]
        if cells and cells[0] == label:
            found.append(cells)
    return found


def test_perp_and_written_call__one_health_including_both(names, funded, trader, chain):
    d, console = funded, names["console"]
    book = d.options
    d.engine.modifyPosition(0, 2 * WAD, 2**255, sender=trader)  # a 2 WETH perp long
    before = d.engine.health(trader)
    call = d.manifest.options.series[0]  # the ATM call
    q = names["quote"](call.name, -1)
    assert q.cash > 0 and q.spread_bps >= 50
    traded = names["sell"](trader, call.name, 1)  # write one call
    assert traded.size_after == -WAD and traded.cash > 0
    assert int(book.positionOf(trader, call.id)) == -WAD

    names["health"](trader)
    held = names["options"](trader)
    out = console.file.getvalue()
    after, risk = d.engine.health(trader), book.accountRisk(trader, False)

    # One health: the engine's maintenance margin is the perp's plus the written call's; its equity moved by the
    # premium received and the call's (negative) value; the product's figures shown are the book's.
    assert risk.maintenanceMargin > 0 and risk.maintenanceValue < 0 and risk.stressLoss > 0
    assert after.maintenanceMargin == before.maintenanceMargin + risk.maintenanceMargin
    moved = after.maintenanceEquity - before.maintenanceEquity
    # Within a cent: the cash is booked in USDC units, and the perp's funding accrues over the blocks between reads.
    assert abs(moved - (traded.cash + risk.maintenanceValue)) <= 10**16
    assert rows(out, "maintenance equity")[-1][1] == usd(after.maintenanceEquity)
    assert rows(out, "maintenance margin")[-1][1] == usd(after.maintenanceMargin)
    assert rows(out, "initial margin")[-1][1] == usd(after.initialMargin)
    assert rows(out, "stress equity")[-1][1] == usd(after.stressEquity)
    assert rows(out, "options: maintenance value")[-1][1] == usd(risk.maintenanceValue)
    assert rows(out, "options: maintenance margin")[-1][1] == usd(risk.maintenanceMargin)
    assert rows(out, "options: initial margin")[-1][1] == usd(risk.initialMargin)
    assert rows(out, "options: stress loss")[-1][1] == usd(risk.stressLoss)

    # The positions table: the written call marked at the median (= TWAP here) is the book's maintenance value;
    # delta and vega from the model at the chain's time.
    (p,) = held
    assert (p.series_id, p.size, p.is_call, p.settled) == (call.id, -WAD, True, False)
    assert p.mark == risk.maintenanceValue
    spot, sigma = int(d.oracle.median(d.tokens["WETH"])), int(book.impliedVol(d.tokens["WETH"]))
    tau = optionmath.time_to_expiry(call.expiry, chain.blocks.head.timestamp)
    assert p.delta == -optionmath.call_delta(spot, 3000 * WAD, sigma, tau)
    assert -WAD < p.delta < -WAD // 3  # about minus a half: at the money
    assert p.vega == -optionmath.vega(spot, 3000 * WAD, sigma, tau) < 0
    (row,) = rows(out, call.name)
    assert row[1:3] == ["call", "$3,000.00"] and row[4] == "-1.000000" and row[6] == usd(p.mark)


def test_buy__pays_at_most_the_limit_and_refuses_a_premium_above_it(names, funded, trader2, chain):
    d = funded
    put = d.manifest.options.series[1]
    q = quote(d, put.id, 2)
    assert q.cash < 0
    with pytest.raises(ContractLogicError):
        names["buy"](trader2, put.id, 2, max_premium=-q.cash / WAD / 2)  # half the premium: LimitNotMet
    credit_before = int(d.engine.cash(trader2)[0])
    traded = names["buy"](trader2, put.name, 2, max_premium=-q.cash / WAD * 1.01)
    assert traded.size_after == 2 * WAD and -q.cash * 101 // 100 >= -traded.cash > 0
    assert credit_before - int(d.engine.cash(trader2)[0]) == -(
        traded.cash // 10**12
    )  # paid from its cash, rounded up
    (p,) = option_positions(d, trader2, chain.blocks.head.timestamp)
    assert p.size == 2 * WAD and p.mark > 0 and p.delta < 0 < p.vega  # a long put: short delta, long vega


def test_console_banner__lists_the_option_helpers(names, funded):
    assert names["options_book"] is not None
    out = names["console"].file.getvalue()
    assert "options_book, quote(series, size), buy(account, series, size)" in out.splitlines()[0]


def test_crash__one_liquidation_closes_the_perp_and_the_written_call(names, funded, stranger, gov, chain):
    """The done-means walk-through's end: an account with WETH and USDC, a WETH perp long and a written WETH call;
    WETH falls 45 %; one `Liquidator.liquidate` closes the same share of the perp and of the call."""
    d = funded
    usdc, weth, book = d.tokens["USDC"], d.tokens["WETH"], d.options
    weth.mint(stranger, 2 * WAD, sender=stranger)
    weth.approve(d.engine, 2**256 - 1, sender=stranger)
    d.engine.deposit(weth, 2 * WAD, stranger, sender=stranger)
    usdc.mint(stranger, 2_000 * USDC, sender=stranger)
    usdc.approve(d.engine, 2**256 - 1, sender=stranger)
    d.engine.deposit(usdc, 2_000 * USDC, stranger, sender=stranger)
    d.engine.modifyPosition(0, 4 * WAD, 2**255, sender=stranger)  # long 4 WETH
    call = d.manifest.options.series[0]
    names["sell"](stranger, call.id, 1)  # write one 3,000 call
    assert not d.engine.health(stranger).liquidatable

    # The crash: every WETH source at 55 % of its answer; the TWAP follows over two windows.
    window = int(d.oracle.getAssetConfig(weth).twapWindow)
    for feed in d.feeds["WETH"]:
        feed.setAnswer(feed.answer() * 55 // 100, sender=gov)
    settle_prices(chain, d.oracle, {weth: d.feeds["WETH"]}, window, gov)
    for symbol in ("USDC", "WBTC", "LTT"):
        restamp_and_update(d.oracle, {d.tokens[symbol]: d.feeds[symbol]}, gov)
    assert d.engine.health(stranger).liquidatable

    perp_before = int(d.engine.position(stranger, 0).size)
    receipt = d.liquidator.liquidate(stranger, sender=gov)
    closed = list(receipt.decode_logs(book.PositionLiquidated))
    assert (
        len(closed) == 1 and closed[0].seriesId == call.id and closed[0].closed < 0
    )  # part of the short call
    perp_after = int(d.engine.position(stranger, 0).size)
    assert 0 <= perp_after < perp_before  # the perp closed in the same transaction
    # The same share of each: the call's closed fraction equals the perp's (to the book's rounding up).
    perp_share = (perp_before - perp_after) * 10_000 // perp_before
    call_share = -closed[0].closed * 10_000 // WAD
    assert abs(call_share - perp_share) <= 1


def test_console_path_in_raw_calls__perp_and_written_calls__one_health(names, funded, attacker):
    """The account of README's console block built with the contracts' own calls (the LP's deposit is the `funded`
    fixture's): 10,000 USDC, a 6 WETH perp long, 2 WETH of collateral, then 2 calls of series 1 written; the engine
    takes the trade and the health shown is the engine's, options included."""
    d, trader = funded, attacker
    tokens, engine = d.tokens, d.engine
    tokens["USDC"].mint(trader, 10_000 * 10**6, sender=trader)
    tokens["USDC"].approve(engine, 2**256 - 1, sender=trader)
    engine.deposit(tokens["USDC"], 10_000 * 10**6, trader, sender=trader)
    engine.modifyPosition(0, 6 * 10**18, 3_100 * 10**18, sender=trader)
    tokens["WETH"].mint(trader, 2 * 10**18, sender=trader)
    tokens["WETH"].approve(engine, 2**256 - 1, sender=trader)
    engine.deposit(tokens["WETH"], 2 * 10**18, trader, sender=trader)
    q = names["quote"](1, -2)
    traded = names["sell"](trader, 1, 2)
    assert q.cash > 0 and traded.size_after == -2 * WAD and traded.cash > 0
    names["options"](trader)
    names["health"](trader)
    names["positions"](trader)
    h, risk = engine.health(trader), d.options.accountRisk(trader, False)
    assert not h.liquidatable and h.initialEquity >= h.initialMargin and h.stressEquity >= 0
    assert (
        risk.maintenanceMargin > 0 and h.maintenanceMargin > risk.maintenanceMargin
    )  # the perp's and the calls'
    out = names["console"].file.getvalue()
    assert rows(out, "maintenance margin")[-1][1] == usd(h.maintenanceMargin)
    assert rows(out, "options: maintenance margin")[-1][1] == usd(risk.maintenanceMargin)
