"""The console's trading helpers in token units on a deployment of config/local.yaml: each one's effect checked
against the chain, and `why_unhealthy` on an account a price drop made liquidatable checked against the engine's own
health view (and its suggested deposit against the engine's verdict after it)."""

import re
from dataclasses import replace
from decimal import Decimal

import pytest
from ape.exceptions import ContractLogicError

from ballast import console_trading as trading
from ballast import reader, risk
from ballast.console_errors import describe_error
from ballast.console_trading import HelperError

WAD = 10**18
USDC = 10**6


@pytest.fixture(scope="module")
def liquidity(names, lp):
    """A million USDC of LP liquidity (the Pool pays traders' profits and lends their losses)."""
    return names["lp_deposit"](1_000_000, lp)


def test_lp_deposit__mints_the_mock_and_gets_pool_shares(names, lp):
    d = names["deployment"]
    before = int(d.pool.balanceOf(lp)), int(d.pool.reserves(d.tokens["USDC"]))
    deposit = names["lp_deposit"](2_500.5, lp)
    assert deposit.units == 2_500_500_000 and deposit.shares > 0
    assert int(d.pool.balanceOf(lp)) == before[0] + deposit.shares
    assert int(d.pool.reserves(d.tokens["USDC"])) == before[1] + 2_500_500_000
    assert repr(deposit).startswith(
        f"LP {lp.address[:6]}…{lp.address[-4:]}: deposited 2,500.5000 USDC (minted) into the Pool"
    )


def test_fund__cash_and_collateral_in_token_units(names, trader):
    d = names["deployment"]
    cash = names["fund"](trader, "usdc", 1_234.56)
    collateral = names["fund"](trader, "WETH", "0.1")
    assert int(d.engine.cash(trader)[0]) == 1_234_560_000
    assert int(d.engine.collateralBalance(trader, d.tokens["WETH"])) == WAD // 10
    lines = [repr(cash), repr(collateral)]
    assert lines[0].endswith("deposited 1,234.5600 USDC (minted) into the engine as cash")
    assert lines[1].endswith("deposited 0.1000 WETH (minted) into the engine as collateral")
    with pytest.raises(HelperError, match=r"^WBTC-PERP|no token 'WBTC-PERP'"):
        names["fund"](trader, "WBTC-PERP", 1)


def test_quote_open_close__at_the_oracles_price_in_whole_units(names, liquidity, trader):
    d = names["deployment"]
    names["fund"](trader, "USDC", 10_000)
    q = names["quote"]("weth-perp", 2.5, trader)
    weth = d.tokens["WETH"]
    assert q.market == 0 and q.size == 5 * WAD // 2 and q.adds_risk
    assert q.price == int(d.oracle.priceForRisk(weth, False))  # a buyer pays the higher of median and TWAP
    assert q.notional == 7_500 * WAD and q.fee == 7_50 * WAD // 100 and q.initial_margin == 750 * WAD
    assert q.acceptable_price == q.price * 10_050 // 10_000
    assert repr(q) == (
        "buy 2.5000 WETH-PERP at $3,000.00: notional $7,500.00, fee $7.5000, initial margin $750.00; acceptable price "
        "$3,015.00 (50 bps); it would go through now"
    )
    too_big = names["quote"]("WETH-PERP", 100, trader)  # a dry run from the account says why it would fail
    assert too_big.refusal.startswith("InsufficientMargin(initialEquity=$")
    assert repr(too_big).endswith(f"; it would revert now: {too_big.refusal}")
    t = names["open_position"]("WETH-PERP", 2.5, trader)
    assert int(d.engine.position(trader, 0).size) == 5 * WAD // 2 == t.size_after
    assert t.price == q.price and t.fee == 7_500_000  # USDC units
    short = names["perp_quote"](0, -1, trader)
    assert not short.adds_risk and short.initial_margin == 0
    closed = names["close"]("WETH-PERP", trader)
    assert closed.size == -5 * WAD // 2 and int(d.engine.position(trader, 0).size) == 0
    # The realized PnL, if any, is the borrow fee of the seconds the position was open.
    assert re.fullmatch(
        r".* sold 2\.5000 WETH-PERP at \$3,000\.00, fee 7\.5000 USDC(, realized PnL -\$0\.\d{4})?; position now flat",
        repr(closed),
    )
    with pytest.raises(HelperError, match="has no position on WETH-PERP"):
        names["close"](0, trader)
    with pytest.raises(
        HelperError, match=r"no market 'DOGE-PERP' \(markets: WETH-PERP \(0\), WBTC-PERP \(1\)"
    ):
        names["open_position"]("DOGE-PERP", 1, trader)


def test_quote__dispatches_to_options_by_series_name_or_id_and_to_markets_by_name(names, trader, output):
    d = names["deployment"]
    series = d.manifest.options.series[0]
    q = names["quote"](series.name, 1)
    assert q.series_id == series.id and q.cash < 0  # a premium paid
    assert names["option_quote"](series.name, 1) == q
    assert output().splitlines()[0].startswith(f"buy 1.000000 {series.name}: premium $")
    # A number is a series id, as `quote` has always taken it (series ids 1-3 and market ids 0-2 overlap) ...
    assert series.id in d.manifest.markets.values()
    assert names["quote"](series.id, 1) == q
    # ... a market by name or by `perp_quote`; a market id no series has is a market.
    assert names["quote"]("WBTC-PERP", 0.1).market == 1 == names["perp_quote"](1, 0.1).market
    assert names["quote"](0, 0.1).name == "WETH-PERP"
    with pytest.raises(
        HelperError, match=f"^{series.id} is an options series id: quote\\(series, size\\) takes no account"
    ):
        names["quote"](series.id, 1, trader)


def test_set_price__moves_every_mock_feed_and_settles_the_twap(names, chain):
    d = names["deployment"]
    moved = names["set_price"]("WBTC", 55_000.5)
    assert moved.median == moved.twap == 55_000_500_000_000_000_000_000 and moved.status == 0
    for entry, feed in zip(d.manifest.feeds["WBTC"], d.feeds["WBTC"], strict=True):
        assert int(feed.latestRoundData()[1]) == 55_000_5 * 10 ** (entry.decimals - 1)
    # The other assets were restamped and updated: their prices are still Ok.
    assert all(int(d.oracle.getPriceData(d.tokens[s])[2]) == 0 for s in d.manifest.feeds)


def test_why_unhealthy__after_a_crash_names_the_engines_shortfall_and_a_deposit_that_clears_it(
    names, liquidity, trader2, output
):
    """(The table goes to the console; the verdict is the result's `repr`.)"""
    d = names["deployment"]
    names["fund"](trader2, "USDC", 5_000)
    names["fund"](trader2, "WETH", 2)
    names["open_position"]("WETH-PERP", 10, trader2)
    healthy = names["why_unhealthy"](trader2)
    assert not healthy.health.liquidatable and healthy.fixes == []
    assert repr(healthy).startswith("healthy: maintenance equity")
    # Where the crash would have to go: the position and the 2 WETH of collateral both lose with the price.
    (edge,) = re.findall(
        r"WETH-PERP: liquidatable if WETH falls to about \$([\d,.]+) \(other prices held\)", repr(healthy)
    )
    assert 2_100 < float(edge.replace(",", "")) < 2_300

    names["set_price"]("WETH", 2_100)
    diagnosis = names["why_unhealthy"](trader2)
    h = d.engine.health(trader2)
    assert h.liquidatable and diagnosis.health.liquidatable
    assert diagnosis.health.maintenance_equity == h.maintenanceEquity
    assert diagnosis.health.maintenance_margin == h.maintenanceMargin
    assert diagnosis.shortfall == h.maintenanceMargin - h.maintenanceEquity > 0
    # The terms add up to the totals.
    assert (
        sum(c.counted for c in diagnosis.collateral)
        + diagnosis.cash
        + sum(p.pnl for p in diagnosis.positions)
        == h.maintenanceEquity
    )
    assert sum(p.margin for p in diagnosis.positions) == h.maintenanceMargin
    (weth,) = diagnosis.collateral
    assert (weth.symbol, weth.units, weth.price, weth.haircut_bps) == ("WETH", 2 * WAD, 2_100 * WAD, 1_000)
    (position,) = diagnosis.positions
    assert position.name == "WETH-PERP" and position.margin == 1_050 * WAD
    shortfall_text = f"shortfall ${Decimal(diagnosis.shortfall) / WAD:,.2f}"
    out = repr(diagnosis)
    assert f"maintenance health of {trader2.address}" in output()
    assert "LIQUIDATABLE: maintenance equity" in out and shortfall_text in out
    # Closing 10 WETH frees $1,050 of margin less fees: short of the shortfall, so only the deposit is offered.
    (deposit,) = diagnosis.fixes
    assert deposit.symbol == "USDC" and deposit.what == f"deposit {deposit.units / USDC:,.2f} USDC or more"
    assert "Anyone may liquidate it now" in out

    # The deposit suggested is the threshold at the block read (the engine's math, `ballast.risk`): a unit less
    # leaves the account liquidatable. On chain, a deposit a little over it clears the account (interest accrues
    # from block to block).
    params = reader.fetch_risk_params(d.engine, diagnosis.block)
    prices = reader.fetch_prices(d.oracle, params.assets(), diagnosis.block)
    index = reader.fetch_borrow_index(d.pool, diagnosis.block)
    state = reader.fetch_account(d.engine, params, trader2.address, diagnosis.block)
    assert risk.health(state, params, prices, index) == diagnosis.health
    assert not risk.health(
        replace(state, credit=state.credit + deposit.units), params, prices, index
    ).liquidatable
    assert risk.health(
        replace(state, credit=state.credit + deposit.units - 1), params, prices, index
    ).liquidatable
    names["fund"](trader2, "USDC", Decimal(deposit.units) / USDC + 1)
    assert not d.engine.health(trader2).liquidatable


def test_to_units__exact_for_decimals_and_strings():
    assert trading.to_units(0.1, 18) == 10**17
    assert trading.to_units("2.5", 6) == 2_500_000
    assert trading.to_units(Decimal("1e-7"), 6) == 0


def test_why_unhealthy__a_reduction_that_clears_the_shortfall_is_offered_and_the_engine_agrees(
    names, liquidity, stranger
):
    """6,100 USDC behind a 10 WETH long: at $2,500 the account is $180 short of maintenance. Reducing frees 5 % of
    the price per WETH less the 0.1 % fee, so about 1.47 WETH closes the gap; the engine refuses a partial reduce
    that leaves the account below maintenance (a tenth too little) and takes one a tenth above it."""
    d = names["deployment"]
    names["fund"](stranger, "USDC", 6_100)
    names["open_position"]("WETH-PERP", 10, stranger)
    names["set_price"]("WETH", 2_500)
    diagnosis = names["why_unhealthy"](stranger)
    assert diagnosis.health.liquidatable and d.engine.health(stranger).liquidatable
    deposit, reduce = diagnosis.fixes
    assert deposit.symbol == "USDC" and reduce.symbol == "WETH"
    assert reduce.what == f"reduce WETH-PERP by {reduce.units / WAD:,.4f} WETH (of 10.0000)"
    assert 1.4 * WAD < reduce.units < 1.55 * WAD
    with pytest.raises(ContractLogicError) as caught:
        names["open_position"]("WETH-PERP", -Decimal(reduce.units) * 9 / 10 / WAD, stranger)
    assert "reverted: BelowMaintenance(maintenanceEquity=$" in describe_error(caught.value)
    names["open_position"]("WETH-PERP", -Decimal(reduce.units) * 11 / 10 / WAD, stranger)
    assert not d.engine.health(stranger).liquidatable


def test_bad_inputs__one_line_naming_the_value_and_nothing_sent(names, stranger):
    """A new user's mistakes in the console: each a `HelperError` (one `ballast: ...` line), before any transaction."""
    from ballast.console_hooks import failure_line

    series = names["deployment"].manifest.options.series[0].name
    cases = [
        (lambda: names["fund"](stranger, "USDC", -5), "amount must be positive (got -5)"),
        (lambda: names["fund"](stranger, "USDC", 0), "amount must be positive (got 0)"),
        (lambda: names["fund"](stranger, "USDC", "abc"), "amount 'abc' is not a number"),
        (lambda: names["fund"](stranger, "USDC", float("nan")), "amount nan is not a finite number"),
        (lambda: names["lp_deposit"](10**80, stranger), f"amount {10**80} is too large (over 2^255 units)"),
        (lambda: names["open_position"]("WETH-PERP", "1O", stranger), "size '1O' is not a number"),
        (lambda: names["open_position"]("WETH-PERP", 10**60, stranger), "is too large (over 2^255 units)"),
        (lambda: names["why_unhealthy"]("bob"), "'bob' is no account: give one (accounts[0]"),
        (lambda: names["health"]("bob"), "'bob' is no account"),
        (lambda: names["set_price"]("WETH", 0), "price must be positive (got 0)"),
        (lambda: names["set_price"]("WETH", -100), "price must be positive (got -100)"),
        (lambda: names["set_price"]("WETH", "1e-30"), "price 1e-30 is below one unit of 8 decimals"),
        (lambda: names["buy"](stranger, series, "abc"), "size 'abc' is not a number"),
        (lambda: names["buy"](stranger, series, 0), "size must not be 0"),
        (lambda: names["sell"](stranger, series, -1), "sell a positive size (got -1; buy to go long)"),
    ]
    d = names["deployment"]
    nonce, price = stranger.nonce, d.oracle.getPriceData(d.tokens["WETH"])
    for call, message in cases:
        with pytest.raises(HelperError) as err:
            call()
        line = failure_line(err.value)
        assert line is not None and line.startswith("ballast: ") and message in line, line
        assert "\n" not in line
    assert stranger.nonce == nonce and d.oracle.getPriceData(d.tokens["WETH"]) == price
