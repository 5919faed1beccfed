"""The options scenarios at small scale: `crash-vol-spike` (liquidations close accounts' options with their perps while
implied volatility rises in the book's steps) and `expiry-mid-crash` (a series expires mid-crash and the expiry keeper
settles it at the TWAP ending at expiry); every block reports the Pool's exposure by product, summing to the engine's
total."""

from itertools import pairwise

import pytest

from ballast.scenarios.catalog import SCENARIOS, settings_for
from ballast.scenarios.model import ENGINE_TOTAL, PERPS, Verdict
from ballast.scenarios.report import render_summary

SMALL = {"accounts": 16, "blocks": 16, "seed": 2}
FIELDS = ("pnl_low", "pnl_high", "reserved")


def _failed(result):
    return [f"{p.name}: {p.detail}" for p in result.properties if p.verdict is not Verdict.PASS]


@pytest.fixture
def vol_spike(run):
    spec = SCENARIOS["crash-vol-spike"]
    return run(spec, settings_for(spec, **SMALL))


@pytest.fixture
def expiry(run):
    spec = SCENARIOS["expiry-mid-crash"]
    return run(spec, settings_for(spec, **SMALL))


def _show(result):
    o = result.outcome
    print(
        result.scenario, o.liquidations, o.options, o.deficits, o.insurance_used, o.lp_loss, _failed(result)
    )
    for row in (result.blocks[0], result.blocks[-1]):
        print(row.block, row.exposure)


def test_crash_vol_spike__small__options_and_perps_liquidated_together(vol_spike):
    result, record = vol_spike
    options = result.outcome.options

    assert _failed(result) == []
    assert options.option_traders > 0
    assert options.liquidations_closing_options > 0
    assert options.liquidations_closing_options_and_perps > 0
    assert options.options_closed_usd > 0
    assert len(options.vol_steps) >= 2
    assert all(after <= before * 1.25 + 1e-12 for _, before, after in options.vol_steps)
    steps = record.vol_steps
    assert record.vol_rule == (2_500, 3_600)  # read from the book: 25 % of the current value, once an hour
    assert all(b.timestamp - a.timestamp >= 3_600 for a, b in pairwise(steps))
    liquidated = {x.account for x in record.liquidations if x.products}
    holders = {t.address for t in record.population.traders if t.options and t.positions}
    assert liquidated & holders, "hedged perp traders (basket, perp and options) are among the liquidated"


def test_expiry_mid_crash__small__series_settled_at_expiry_twap(expiry):
    result, record = expiry
    options = result.outcome.options

    assert _failed(result) == []
    assert len(record.listed_series) == 2
    assert {s.series_id for s in record.settlements} == set(record.listed_series)
    crash = [
        m.block
        for m in result.blocks
        if m.assets["WETH"].path_price < result.blocks[0].assets["WETH"].path_price
    ]
    for st in record.settlements:
        assert st.at_expiry
        assert st.price == pytest.approx(st.twap_at_expiry, rel=1e-12)
        assert 0 <= st.delay <= settings_for(SCENARIOS["expiry-mid-crash"]).block_time
        assert min(crash) < st.block < max(crash), "expiry falls in the middle of the crash"
    first = options.settlements[0]
    assert first.spot_at_end < first.spot_at_expiry < result.blocks[0].assets["WETH"].path_price
    assert options.realizations > 0
    assert options.paid_to_longs > 0
    assert result.outcome.lp_loss == 0
    assert result.outcome.deficits == pytest.approx(result.outcome.insurance_used)


@pytest.mark.parametrize("which", ["vol_spike", "expiry"])
def test_options_scenarios__every_block__exposure_by_product_sums_to_the_engine_total(request, which):
    result, _ = request.getfixturevalue(which)

    for row in result.blocks:
        assert list(row.exposure) == [PERPS, "options", ENGINE_TOTAL]
        for field in FIELDS:
            parts = getattr(row.exposure[PERPS], field) + getattr(row.exposure["options"], field)
            assert parts == pytest.approx(getattr(row.exposure[ENGINE_TOTAL], field), abs=1e-6)
    assert any(row.exposure["options"].reserved > 0 for row in result.blocks)
    summary = render_summary(result, [])
    assert "## Pool exposure by product" in summary
    assert "| worst (block" in summary
