"""The allowed leverage against hand-computed values (ballast.riskdata.leverage)."""

from __future__ import annotations

import pytest

from ballast.config import load_config
from ballast.errors import RiskDataError
from ballast.riskdata.leverage import (
    CollateralTerms,
    MarketTerms,
    Terms,
    allowed_leverage,
    allowed_notional,
    average_allowed_leverage,
)
from ballast.scenarios.population import DEFAULT_CONFIG, Population, Trader

TERMS = Terms(
    settlement="USDC",
    collateral={"WETH": CollateralTerms(initial_haircut_bps=2_000, stress_shock_bps=2_500)},
    markets={"WETH-PERP": MarketTerms("WETH", 1_000, 2_000), "FLAT-PERP": MarketTerms("WETH", 500, 0)},
)


def test_cash_only_is_limited_by_the_stress_shock_when_it_binds():
    # E = 1,000; by margin 1,000 / 0.10 = 10,000; by stress 1,000 / 0.20 = 5,000.
    assert allowed_notional({"USDC": 1_000.0}, TERMS, "WETH-PERP") == pytest.approx(5_000.0)
    assert allowed_leverage({"USDC": 1_000.0}, TERMS, "WETH-PERP") == pytest.approx(5.0)


def test_collateral_counts_after_its_haircut_and_its_stress_loss():
    # WETH 1,000: initial value 800, stress 200; E = 800 + 200 cash = 1,000.
    # by margin 10,000; by stress (1,000 - 200) / 0.2 = 4,000; leverage 4,000 / 1,200.
    holdings = {"WETH": 1_000.0, "USDC": 200.0}
    assert allowed_notional(holdings, TERMS, "WETH-PERP") == pytest.approx(4_000.0)
    assert allowed_leverage(holdings, TERMS, "WETH-PERP") == pytest.approx(4_000.0 / 1_200.0)


def test_a_market_without_a_stress_shock_is_limited_by_its_initial_margin_only():
    assert allowed_notional({"WETH": 1_000.0}, TERMS, "FLAT-PERP") == pytest.approx(800.0 / 0.05)


def test_nothing_deposited_allows_no_leverage():
    assert allowed_leverage({}, TERMS, "WETH-PERP") == 0.0


def test_unknown_market_asset_or_negative_holding_is_a_risk_data_error():
    with pytest.raises(RiskDataError, match="market 'NOPE' is not in the parameter set"):
        allowed_notional({"USDC": 1.0}, TERMS, "NOPE")
    with pytest.raises(RiskDataError, match="WBTC is not a collateral asset"):
        allowed_notional({"WBTC": 1.0}, TERMS, "WETH-PERP")
    with pytest.raises(RiskDataError, match="negative"):
        allowed_notional({"USDC": -1.0}, TERMS, "WETH-PERP")


def test_population_mean_uses_each_traders_main_market():
    prices = {"USDC": 1.0, "WETH": 2_000.0}
    traders = [
        # 0.5 WETH = 1,000 USD, its main market WETH-PERP: E = 800, stress 200; by margin 8,000, by stress
        # (800 - 200) / 0.2 = 3,000 -> leverage 3.0
        Trader("0x1", "long", {"WETH": 0.5}, {"WETH-PERP": 1.0, "FLAT-PERP": 0.1}, 0.5, 1_000.0),
        # cash only, no position: the first market (WETH-PERP) -> 5.0
        Trader("0x2", "idle", {"USDC": 500.0}, {}, 0.0, 500.0),
    ]
    population = Population(seed=1, profile="test", traders=traders, lps={}, prices=prices)
    assert average_allowed_leverage(population, TERMS) == pytest.approx((3.0 + 5.0) / 2)


def test_terms_from_the_local_config_match_its_entries():
    config = load_config(DEFAULT_CONFIG)
    terms = Terms.from_config(config)
    weth = config.collateral["WETH"]
    assert terms.collateral["WETH"] == CollateralTerms(weth.initial_haircut_bps, weth.stress_shock_bps)
    first = config.markets[0]
    assert terms.markets[first.name] == MarketTerms(
        first.asset, first.initial_margin_bps, first.stress_shock_bps
    )
