"""Hypothesis properties of the Pool (docs/design.md#invariants, items 1, 2 and 7). Each example runs in
chain.isolate()."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from support.pool import DECIMALS, PRICES, WAD, asset_params, units

SYMBOLS = st.sampled_from(["USDC", "WBTC", "WETH"])
USD_AMOUNTS = st.integers(min_value=1, max_value=400_000)
PROPERTY_SETTINGS = settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@PROPERTY_SETTINGS
@given(symbol=SYMBOLS, usd=USD_AMOUNTS)
def test_round_trip__deposit_then_withdraw__never_returns_more(
    chain, seeded_pool, risk_manager, deposit, lp2, tokens, symbol, usd
):
    pool = seeded_pool
    with chain.isolate():
        pool.setCooldown(0, sender=risk_manager)
        token = tokens[symbol]
        amount = max(units(symbol, usd / PRICES[symbol]), 1)
        before = token.balanceOf(lp2)
        deposit(lp2, symbol, amount)  # mints `amount` to lp2, then deposits it
        shares = pool.balanceOf(lp2)
        pool.withdraw(shares, token, 0, lp2, sender=lp2)
        assert token.balanceOf(lp2) - before <= amount
        assert pool.balanceOf(lp2) == 0


@PROPERTY_SETTINGS
@given(
    attacker_units=st.integers(min_value=1, max_value=10**6),
    donation_usd=st.integers(min_value=1, max_value=10_000_000),
    victim_usd=st.integers(min_value=100, max_value=1_000_000),
)
def test_first_depositor_inflation__victim_loses_less_than_a_tenth_of_a_percent(
    chain, pool, gov, risk_manager, deposit, usdc, lp, lp2, attacker_units, donation_usd, victim_usd
):
    with chain.isolate():
        pool.setAssetParams(usdc, asset_params(5_000, base_fee=0, tax=0), sender=risk_manager)
        deposit(lp, "USDC", attacker_units)  # attacker mints first, from a few wei of USDC
        usdc.mint(lp, units("USDC", donation_usd), sender=lp)
        usdc.transfer(pool, units("USDC", donation_usd), sender=lp)  # then donates to inflate
        victim_value = victim_usd * WAD
        deposit(lp2, "USDC", units("USDC", victim_usd))
        held = pool.balanceOf(lp2) * pool.sharePrice(False) // WAD
        assert victim_value - held < victim_value // 1_000


OPS = st.lists(
    st.one_of(
        st.tuples(st.just("deposit"), SYMBOLS, USD_AMOUNTS),
        st.tuples(st.just("withdraw"), SYMBOLS, st.integers(min_value=1, max_value=100)),
        st.tuples(
            st.just("borrow"),
            st.integers(min_value=0, max_value=50_000),
            st.integers(min_value=1, max_value=50_000),
        ),
        st.tuples(st.just("repay"), st.just(None), st.just(None)),
        st.tuples(st.just("wait"), st.integers(min_value=1, max_value=30 * 24 * 3600), st.just(None)),
        st.tuples(st.just("deficit"), st.integers(min_value=1, max_value=100), st.just(None)),
    ),
    min_size=1,
    max_size=8,
)


@PROPERTY_SETTINGS
@given(ops=OPS)
def test_books__random_operations__share_price_monotone_and_balances_cover_books(
    chain, seeded_pool, risk_manager, engine, gov, deposit, refresh, tokens, lp, lp2, ops
):
    """Share price falls only by a socialized deficit (and then by exactly its value, to rounding); every token
    balance covers the booked reserve; LP balances add up to the total supply."""
    pool = seeded_pool
    usdc = tokens["USDC"]
    with chain.isolate():
        pool.setCooldown(0, sender=risk_manager)
        loans: list[int] = []
        price = pool.sharePrice(False)
        for op, a, b in ops:
            allowed_drop = 0
            if op == "deposit":
                deposit(lp2, a, max(units(a, b / PRICES[a]), 1))
            elif op == "withdraw" and pool.balanceOf(lp2) > 0:
                shares = pool.balanceOf(lp2) * b // 100
                if shares and pool.availableLiquidity(tokens[a]) > 0:
                    value = shares * pool.sharePrice(False) // WAD
                    amount = value * 10 ** DECIMALS[a] // (PRICES[a] * WAD)
                    if 0 < amount < pool.availableLiquidity(tokens[a]):
                        pool.withdraw(shares, tokens[a], 0, lp2, sender=lp2)
            elif op == "borrow":
                usdc.mint(engine, units("USDC", a), sender=gov)
                scaled = engine.receiveLoss(units("USDC", a), units("USDC", b), sender=gov)
                loans.append(scaled.events.filter(pool.LossReceived)[0].scaledDebt)
            elif op == "repay" and loans:
                scaled = loans.pop()
                usdc.mint(engine, -(-scaled * pool.borrowIndex() // WAD) + 1, sender=gov)
                engine.repay(scaled, sender=gov)
            elif op == "wait":
                chain.pending_timestamp += a
                chain.mine()
                refresh()
                pool.poke(sender=gov)
            elif op == "deficit" and loans:
                scaled = loans.pop()
                tx = engine.socializeDeficit(scaled, sender=gov)
                allowed_drop = tx.events.filter(pool.DeficitSocialized)[0].valueUsd
            new_price = pool.sharePrice(False)
            supply = pool.totalSupply()
            drop_bound = allowed_drop * WAD // (supply + WAD) + 1 if allowed_drop else 0
            assert new_price + drop_bound >= price, (op, price, new_price)
            price = new_price
            for token in tokens.values():
                assert token.balanceOf(pool) >= pool.reserves(token)
            assert pool.balanceOf(lp) + pool.balanceOf(lp2) == supply
