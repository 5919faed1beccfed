"""The keeper's gas model against the node: for every shape of liquidation (a full or a partial close of one or two
positions, alone or in a batch, an absorption with one or three collateral assets, with or without a position to
close first) the model's gas limit covers anvil's estimate, without being more than three times it, and
it expects every absorption that happens."""

import pytest

from ballast.prices import restamp_and_update

pytestmark = pytest.mark.usefixtures("seeded")


def test_gas_model__every_liquidation_shape__bounds_the_node_estimate(
    engine, liquidator, oracle, feeds, tokens, gov, traders, open_long, post, crash, make_keeper, keeper
):
    small = traders(4)
    for account in small:
        open_long(account, 0.09, 0.3)  # one position: full close under the dust margin
    large = traders(3)
    for account in large:
        open_long(account, 4, 10)  # one position: half closed
    basket, one_position = traders(2)
    post(basket, "WBTC", 10**6)
    post(basket, "LTT", 10**20)
    open_long(basket, 3, 10)
    engine.modifyPosition(1, 10**16, 10**30, sender=basket)  # two positions, three collateral assets
    post(one_position, "LTT", 300 * 10**18)
    post(one_position, "WBTC", 2 * 10**5)
    open_long(one_position, 0.5, 3)  # one position, three collateral assets
    watcher = make_keeper(gas_budget_per_block=1)  # judges, never sends
    others = {tokens[s]: [feeds[s]] for s in ("USDC", "WBTC", "LTT")}

    def check(group):
        watcher.step()
        modelled = watcher.gas_estimate([a.address for a in group])
        estimate = liquidator.liquidateMany.estimate_gas_cost(group, sender=keeper)
        receipt = liquidator.liquidateMany(group, sender=keeper)
        absorbed = {e.account for e in receipt.events.filter(liquidator.Absorbed)}
        expected = {
            a.address
            for a in group
            if watcher.may_absorb(watcher.books[a.address], watcher.health[a.address])
        }
        assert len(list(receipt.events.filter(liquidator.Liquidated))) == len(group)
        assert estimate <= modelled <= estimate * 3, (len(group), estimate, modelled)
        assert absorbed <= expected
        return absorbed

    crash("WETH", 2_400)
    assert not check(small[:1])
    assert not check(small[1:])
    crash("WETH", 2_250)
    restamp_and_update(oracle, others, gov)
    assert not check(large[:1])
    assert not check(large[1:])
    crash("WETH", 1_500)
    restamp_and_update(oracle, others, gov)
    assert check([basket]) == {basket.address}
    assert check([one_position]) == {one_position.address}
    assert check(small[:3]) == {a.address for a in small[:3]}  # no position left: absorption only
