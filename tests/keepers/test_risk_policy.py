"""The risk keeper's policy (pure): each parameter steps toward its proposal by at most 3 % of today's value (at least
1 bps, at most the engine's 500 bps), within the contract's bounds and orderings, not within the dead band, and no
tightening of a subject tightened less than a day ago. Expected values computed by hand in each test."""

import pytest

from ballast.keepers.risk.policy import (
    CollateralState,
    MarketState,
    PolicySettings,
    collateral_subject,
    plan,
    plan_collateral,
    plan_market,
    step_limit,
    subject_of,
)
from ballast.riskdata.proposals import Estimates, Figure, Proposal, Settings

WETH = "0x" + "11" * 20
NOW = 1_700_000_000
DAY = 86_400
DEFAULT = PolicySettings()
ESTIMATES = Estimates(10, 0, 3_000, 300.0, 105_120.0, 12, 1.0, 1.0, 0.01, 0.94, 0.1, 0.1)


def proposal(
    maint_haircut=1_000,
    initial_haircut=1_500,
    stress=2_000,
    maintenance=500,
    initial=1_000,
    cap=None,
    asset="WETH",
) -> Proposal:
    def bps(value: int) -> Figure:
        return Figure(value, "bps", "the test's rule")

    return Proposal(
        asset,
        "test",
        Settings(),
        ESTIMATES,
        bps(maint_haircut),
        bps(initial_haircut),
        bps(stress),
        bps(maintenance),
        bps(initial),
        Figure(cap, "tokens", "the test's cap" if cap is not None else "not proposed"),
    )


def collateral(
    maint=1_000, initial=1_500, stress=2_000, cap=10_000 * 10**18, symbol="WETH"
) -> CollateralState:
    return CollateralState(symbol, WETH, 18, initial, maint, stress, cap)


def market(maintenance=500, initial=1_000, stress=2_000, fee=10, index=0) -> MarketState:
    return MarketState(index, "WETH", WETH, initial, maintenance, stress, fee, 10_000, 10**16, 10**24, 10**24)


def values(p) -> dict[str, int]:
    return {s.name: s.new for s in p.steps}


# ---------------------------------------------------------------------------------------------------- step sizes


@pytest.mark.parametrize(
    ("today", "fraction", "expected"),
    [
        (1_000, 0.03, 30),
        (250, 0.03, 8),  # 7.5 rounds half up
        (150, 0.03, 5),  # 4.5 rounds half up
        (10, 0.03, 1),  # 0.3 rounds to 0: at least 1 bps
        (0, 0.03, 1),
        (4_000, 0.2, 500),  # 800 > the engine's MAX_RISK_STEP_BPS
    ],
)
def test_step_limit__three_percent_of_today_at_least_1_at_most_500(today, fraction, expected):
    assert step_limit(today, PolicySettings(step_fraction=fraction)) == expected


# ---------------------------------------------------------------------------------------------------- collateral


def test_plan_collateral__moves_each_parameter_by_at_most_3_percent_toward_the_proposal():
    # The ETH 2022-11-09 proposal (docs/risk-data.md) against config/local.yaml's WETH parameters.
    p = plan_collateral(collateral(), proposal(1_296, 1_555, 1_037), DEFAULT, NOW, {})
    # maint 1000 + 30 (3 % of 1000); initial 1500 + 45 (3 %, the gap is 55); stress 2000 - 60; cap not proposed.
    assert values(p) == {
        "maint_haircut_bps": 1_030,
        "initial_haircut_bps": 1_545,
        "stress_shock_bps": 1_940,
        "supply_cap": 10_000 * 10**18,
    }
    assert p.args == (1_545, 1_030, 1_940, 10_000 * 10**18)  # setCollateralParams' struct order
    assert p.tightens and p.changed and p.held is None
    maint = p.step("maint_haircut_bps")
    assert (maint.today, maint.proposed, maint.method) == (1_000, 1_296, "the test's rule")
    assert maint.reason == "step limit 30 toward the proposal"
    assert p.step("supply_cap").reason == "not proposed: kept"


def test_plan_collateral__a_proposal_within_one_step_is_reached():
    p = plan_collateral(collateral(), proposal(1_020, 1_530, 1_990), DEFAULT, NOW, {})
    assert values(p)["maint_haircut_bps"] == 1_020
    assert p.step("maint_haircut_bps").reason == "to the proposal"
    assert values(p)["stress_shock_bps"] == 1_990


def test_plan_collateral__never_more_than_the_engines_step_of_500_bps():
    settings = PolicySettings(step_fraction=0.25)
    p = plan_collateral(
        collateral(maint=4_000, initial=5_000, stress=2_000), proposal(8_000, 9_000, 500), settings, NOW, {}
    )
    # 25 % would be 1000, 1250 and 500: the haircuts stop at 500 bps; the stress shock's 500 is its own 25 %.
    assert values(p)["maint_haircut_bps"] == 4_500
    assert values(p)["initial_haircut_bps"] == 5_500
    assert values(p)["stress_shock_bps"] == 1_500


def test_plan_collateral__never_outside_the_contract_bounds():
    # maint 8990 + 270 would be 9260: capped at the contract's 9000; initial 9400 + 282 capped at 9500.
    p = plan_collateral(
        collateral(maint=8_990, initial=9_400, stress=8_900), proposal(9_900, 9_990, 9_500), DEFAULT, NOW, {}
    )
    assert values(p)["maint_haircut_bps"] == 9_000
    assert "capped at 9000 (MarginEngineGovernance._checkCollateral)" in p.step("maint_haircut_bps").reason
    assert values(p)["initial_haircut_bps"] == 9_500
    assert values(p)["stress_shock_bps"] == 9_000  # 8900 + 267, capped at 9000


def test_plan_collateral__initial_haircut_kept_at_least_the_maintenance_haircut():
    # maint 1000 -> 1030 (the proposal); initial 1028's proposal 1031 is within the dead band (3 < 5), but it must
    # not stay below the new maintenance haircut: raised to 1030.
    p = plan_collateral(
        collateral(maint=1_000, initial=1_028), proposal(1_030, 1_031, 2_000), DEFAULT, NOW, {}
    )
    assert values(p)["maint_haircut_bps"] == 1_030
    assert values(p)["initial_haircut_bps"] == 1_030
    assert p.step("initial_haircut_bps").reason.endswith("raised to 1030 (initial >= maintenance haircut)")


def test_plan_collateral__within_the_dead_band__nothing_changes():
    p = plan_collateral(collateral(), proposal(1_004, 1_496, 2_004), DEFAULT, NOW, {})
    assert not p.changed and not p.tightens
    assert all(s.reason.startswith("within the dead band (5)") for s in p.steps if s.proposed is not None)
    assert p.args == (1_500, 1_000, 2_000, 10_000 * 10**18)


def test_plan_collateral__a_wider_dead_band_skips_what_the_default_chases():
    p = plan_collateral(
        collateral(), proposal(1_020, 1_500, 2_000), PolicySettings(dead_band_bps=25), NOW, {}
    )
    assert not p.changed
    assert plan_collateral(collateral(), proposal(1_020, 1_500, 2_000), DEFAULT, NOW, {}).changed


def test_plan_collateral__supply_cap_steps_3_percent_in_tokens_and_has_a_relative_dead_band():
    tokens = 10**18
    p = plan_collateral(collateral(), proposal(cap=5_000), DEFAULT, NOW, {})
    assert values(p)["supply_cap"] == 9_700 * tokens  # 10,000 - 300 tokens
    assert not p.tightens  # a cap is not a maintenance parameter: the engine does not space it
    # 5 bps of 10,000 tokens is 5 tokens: a proposal 4 tokens away is not chased.
    assert not plan_collateral(collateral(), proposal(cap=10_004), DEFAULT, NOW, {}).changed


# ---------------------------------------------------------------------------------------------------- spacing


def test_plan_collateral__tightened_an_hour_ago__rises_held_loosening_goes():
    last = {collateral_subject(WETH): NOW - 3_600}
    p = plan_collateral(collateral(), proposal(1_296, 1_555, 1_037), DEFAULT, NOW, last)
    assert values(p)["maint_haircut_bps"] == 1_000
    assert values(p)["initial_haircut_bps"] == 1_500
    assert values(p)["stress_shock_bps"] == 1_940  # not spaced by the engine
    assert not p.tightens and p.changed
    assert p.held == (
        f"tightening held: last tightened at {NOW - 3_600}, the engine allows the next at {NOW - 3_600 + DAY}"
    )
    assert p.step("maint_haircut_bps").reason == p.held
    assert p.rises_held and p.step("initial_haircut_bps").held and not p.step("stress_shock_bps").held


def test_plan_collateral__tightened_a_day_ago__may_tighten_again():
    last = {collateral_subject(WETH): NOW - DAY}
    p = plan_collateral(collateral(), proposal(1_296, 1_555, 1_037), DEFAULT, NOW, last)
    assert p.tightens and p.held is None and values(p)["maint_haircut_bps"] == 1_030


def test_plan_collateral__in_the_spacing__haircuts_may_still_fall():
    last = {collateral_subject(WETH): NOW - 60}
    p = plan_collateral(collateral(), proposal(500, 800, 2_000), DEFAULT, NOW, last)
    assert values(p)["maint_haircut_bps"] == 970 and values(p)["initial_haircut_bps"] == 1_455
    assert not p.tightens and not p.rises_held  # nothing wanted to rise


def test_plan_collateral__another_subjects_tightening_does_not_hold_this_one():
    p = plan_collateral(collateral(), proposal(1_296, 1_555, 1_037), DEFAULT, NOW, {"market:0": NOW - 60})
    assert p.tightens


# ---------------------------------------------------------------------------------------------------- markets


def test_plan_market__margins_step_3_percent_and_the_struct_keeps_the_other_fields():
    p = plan_market(market(), proposal(maintenance=1_296, initial=1_555, stress=1_037), 100, DEFAULT, NOW, {})
    assert values(p) == {
        "maintenance_margin_bps": 515,
        "initial_margin_bps": 1_030,
        "stress_shock_bps": 1_940,
    }
    # setMarketParams' struct: asset, initial, maintenance, stress, fee, reserve factor, min size, OI caps.
    assert p.args == (WETH, 1_030, 515, 1_940, 10, 10_000, 10**16, 10**24, 10**24)
    assert p.tightens and p.target == 0 and p.subject == "market:0"


def test_plan_market__initial_margin_kept_above_the_maintenance_margin():
    # maintenance 500 -> 515 (3 %); initial 515's proposal 517 is within the dead band, but must exceed 515: 516.
    p = plan_market(market(initial=515), proposal(maintenance=600, initial=517), 100, DEFAULT, NOW, {})
    assert values(p)["maintenance_margin_bps"] == 515
    assert values(p)["initial_margin_bps"] == 516
    assert p.step("initial_margin_bps").reason.endswith("raised to 516 (initial > maintenance margin)")


def test_plan_market__maintenance_margin_kept_above_the_liquidation_penalty():
    # 143 - 4 (3 % of 143 is 4.29) would be 139; the penalty is 140: at least 141.
    p = plan_market(
        market(maintenance=143, initial=300), proposal(maintenance=60, initial=100), 140, DEFAULT, NOW, {}
    )
    assert values(p)["maintenance_margin_bps"] == 141
    assert "raised to 141 (above the liquidation penalty)" in p.step("maintenance_margin_bps").reason


def test_plan_market__maintenance_margin_at_least_the_trading_fee_and_50():
    p = plan_market(
        market(maintenance=59, initial=300, fee=58),
        proposal(maintenance=50, initial=100),
        20,
        DEFAULT,
        NOW,
        {},
    )
    assert values(p)["maintenance_margin_bps"] == 58  # 59 - 2 = 57 < the 58 bps fee
    assert "at least the trading fee" in p.step("maintenance_margin_bps").reason
    p = plan_market(
        market(maintenance=51, initial=300, fee=10),
        proposal(maintenance=50, initial=100),
        20,
        DEFAULT,
        NOW,
        {},
    )
    assert (
        values(p)["maintenance_margin_bps"] == 51
    )  # 51 -> 50 is within the dead band; the floor is 50 anyway


def test_plan_market__a_bound_beyond_the_engines_step__the_market_is_kept():
    # The penalty (700) was raised above this market's maintenance margin (100): reaching 701 is a 601 bps step.
    p = plan_market(
        market(maintenance=100, initial=1_000),
        proposal(maintenance=120, initial=1_000),
        700,
        DEFAULT,
        NOW,
        {},
    )
    assert not p.changed
    assert p.held is not None and "more than the engine's step of 500" in p.held


def test_plan_market__tightened_an_hour_ago__held():
    p = plan_market(
        market(), proposal(maintenance=1_296, initial=1_555), 100, DEFAULT, NOW, {"market:0": NOW - 3_600}
    )
    assert values(p)["maintenance_margin_bps"] == 500 and values(p)["initial_margin_bps"] == 1_000
    assert not p.tightens


# ---------------------------------------------------------------------------------------------------- the whole plan


def test_plan__only_subjects_whose_asset_has_a_proposal_collateral_first():
    wbtc = CollateralState("WBTC", "0x" + "22" * 20, 8, 1_500, 1_000, 2_000, 500 * 10**8)
    plans = plan(
        [collateral(), wbtc], [market()], {"WETH": proposal(1_296, 1_555, 1_037)}, 100, DEFAULT, NOW, {}
    )
    assert [p.label for p in plans] == ["WETH collateral", "market 0 (WETH)"]


def test_subject_of__the_engines_bytes32_keys():
    assert subject_of((2 | 1 << 255).to_bytes(32, "big")) == "market:2"
    assert subject_of(int(WETH, 16).to_bytes(32, "big")) == collateral_subject(WETH)
