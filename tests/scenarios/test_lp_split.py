"""The LP share-price split (no chain): on a hand-built run whose NAV is known, every part has its exact value and
the parts and the residual add up to the measured change; summary.md and the terminal show it with the one
definition of "LP loss"."""

from dataclasses import replace

import pytest
from rich.console import Console
from test_report import make_result

from ballast.scenarios.lp_split import WAD, PoolState, market_move, split
from ballast.scenarios.report import LP_LOSS_DEFINITION, print_summary, render_summary

DECIMALS = {"USDC": 6, "WETH": 18}
SUPPLY = 1_300_000 * WAD
USD = 10**18


def _state(usdc: int, weth: int, weth_price: int, receivable: int, pnl: int) -> PoolState:
    """Reserves in whole tokens, prices and PnL in whole USD; the share price from the lower NAV they make."""
    reserves = {"USDC": usdc * 10**6, "WETH": weth * WAD}
    nav = usdc * USD + weth * weth_price * USD + receivable * USD - pnl * USD
    share_price = (nav + WAD) * WAD // (SUPPLY + WAD)
    return PoolState(
        reserves=reserves,
        low_prices={"USDC": USD, "WETH": weth_price * USD},
        receivable=receivable * 10**6,
        trader_pnl=pnl * USD,
        share_price=share_price,
        supply=SUPPLY,
    )


# Start: 1M USDC and 100 WETH at 3,000 (NAV 1.3M). Block 1: WETH 2,400, traders' unrealized PnL -50,000. Block 2:
# WETH 2,500; traders realized -35,000 (5,000 paid in USDC, 30,000 as debt), the account was absorbed: 10 WETH (25,000
# at the block's price), 3,000 USDC from the InsuranceFund, 2,000 socialized; 10 USDC of interest left on the
# receivable; unrealized PnL -20,000.
STATES = [
    _state(1_000_000, 100, 3_000, 0, 0),
    _state(1_000_000, 100, 2_400, 0, -50_000),
    _state(1_008_000, 110, 2_500, 10, -20_000),
]
REALIZED = -35_000 * USD
SOCIALIZED = 2_000 * USD


def test_market_move__previous_holdings_times_each_price_change():
    # 100 WETH x -600, then the 100 WETH held before block 2 x +100 (the 10 absorbed in block 2 came at its price).
    assert market_move(STATES, DECIMALS, "USDC") == -50_000 * USD


def test_split__hand_built_run__exact_parts_and_they_add_up():
    lp = split(STATES, DECIMALS, "USDC", REALIZED, 0, SOCIALIZED)

    assert lp.market_move == -50_000.0
    assert lp.traders_pnl == 55_000.0  # -(realized -35,000 + unrealized change -20,000)
    assert lp.absorbed_surplus == 0.0
    assert lp.lp_loss == 2_000.0
    lines = lp.lines()
    *parts, measured = lines
    # NAV rose by 3,010: -50,000 + 55,000 - 2,000 = 3,000, and 10 of interest in the residual.
    assert measured.per_share == lp.share_price_end - lp.share_price_start
    assert measured.usd == pytest.approx(3_010 * SUPPLY / (SUPPLY + WAD), abs=1e-6)
    assert sum(x.per_share for x in parts) == pytest.approx(measured.per_share, abs=1e-15)
    assert sum(x.usd for x in parts) == pytest.approx(measured.usd, abs=1e-6)
    residual = parts[-1]
    assert residual.label.startswith("residual")
    # 10 of interest, less the virtual share's part of the 3,010: 3,010 / 1,300,001.
    assert residual.usd == pytest.approx(10.0 - 3_010 / 1_300_001, abs=1e-6)
    assert [x.label for x in parts[:4]] == [
        "market move of the Pool's reserves",
        "traders' PnL (the Pool as counterparty)",
        "collateral absorbed above the debt it cancelled",
        "LP loss: deficits socialized",
    ]
    assert parts[3].usd == -2_000.0
    assert parts[0].usd == -50_000.0 and parts[1].usd == 55_000.0
    assert not lp.supply_changed


def test_split__absorbed_surplus__is_its_own_line_not_residual():
    # The same run, but the absorbed collateral exceeded the debt by 1,500 and the Pool kept it.
    states = [*STATES[:2], _state(1_009_500, 110, 2_500, 10, -20_000)]
    lp = split(states, DECIMALS, "USDC", REALIZED, 1_500 * USD, SOCIALIZED)
    *parts, _ = lp.lines()

    assert parts[2].usd == 1_500.0
    assert parts[-1].usd == pytest.approx(10.0 - 4_510 / 1_300_001, abs=1e-6)


def test_split__supply_changed__flagged():
    states = [*STATES[:2], replace(STATES[2], supply=SUPPLY + WAD)]
    assert split(states, DECIMALS, "USDC", REALIZED, 0, SOCIALIZED).supply_changed


def test_report__split_section_and_lp_loss_definition(tmp_path):
    result = make_result()
    lp = split(STATES, DECIMALS, "USDC", REALIZED, 0, SOCIALIZED)
    result.outcome = replace(result.outcome, lp_split=lp, liquidatable_at_end=2, stale_liquidations=0)

    summary = render_summary(result, [])
    assert "## LP share price" in summary
    assert "| market move of the Pool's reserves | -$50,000.00 |" in summary
    assert "| LP loss: deficits socialized | -$2,000.00 |" in summary
    assert "| LP share-price change (measured) | +$3,010.00 |" in summary
    assert LP_LOSS_DEFINITION in summary
    assert "| accounts liquidatable at the end | 2 |" in summary
    assert "| liquidations at a Stale or Frozen price | 0 |" in summary

    console = Console(record=True, width=200)
    print_summary(result, tmp_path, console)
    text = console.export_text()
    assert "LP share price" in text and "residual (interest, fees, sweeps, rounding)" in text
    assert "+$3,010.00" in text
