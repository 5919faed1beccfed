"""Deployment config validation (ballast.config): every bad field is one line naming it; the hash covers the
meaning of the config, not its layout."""

import copy
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from ballast.config import ConfigError, diff_configs, load_config, parse_config

ROOT = Path(__file__).resolve().parents[2]
LOCAL = ROOT / "config" / "local.yaml"
SOURCE = "config/local.yaml"


@pytest.fixture(scope="module")
def local_data():
    return yaml.safe_load(LOCAL.read_text())


def issues_of(data, mutate):
    changed = copy.deepcopy(data)
    mutate(changed)
    with pytest.raises(ConfigError) as info:
        parse_config(changed, SOURCE)
    return info.value.issues, str(info.value).splitlines()


def test_local_config__validates_with_five_tokens_three_sources_each_and_three_markets():
    config = load_config(LOCAL)
    assert config.settlement_asset == "USDC"
    assert {s: t.decimals for s, t in config.tokens.items()} == {
        "USDC": 6,
        "WBTC": 8,
        "WETH": 18,
        "LTT": 18,
        "USDT": 6,
    }
    assert config.tokens["USDT"].kind == "mock-no-return"
    assert all(len(a.sources) == 3 for a in config.oracle.assets.values())
    assert [m.name for m in config.markets] == ["WETH-PERP", "WBTC-PERP", "LTT-PERP"]
    assert config.oracle_params("LTT").max_deviation_bps == 500  # override
    assert config.oracle_params("WETH").max_deviation_bps == 200  # default


BAD_FIELDS = [
    pytest.param(
        lambda d: d["markets"][1].update(maintenanceMarginBps=800, initialMarginBps=500),
        "markets[1].maintenanceMarginBps: must be below initialMarginBps (got 800 >= 500)",
        id="mm-above-im",
    ),
    pytest.param(
        lambda d: d["collateral"]["WBTC"].update(maintHaircutBps=9_500),
        "collateral.WBTC.maintHaircutBps: must be at most 9000 (got 9500)",
        id="haircut-out-of-bounds",
    ),
    pytest.param(
        lambda d: d["collateral"]["WETH"].update(initialHaircutBps=500),
        "collateral.WETH.initialHaircutBps: must be at least maintHaircutBps (got 500 < 1000)",
        id="initial-below-maint-haircut",
    ),
    pytest.param(
        lambda d: d["collateral"]["WBTC"].update(supplyCap="lots"),
        "collateral.WBTC.supplyCap: must be a number of tokens or 'unlimited' (got 'lots')",
        id="cap-not-a-number",
    ),
    pytest.param(
        lambda d: d["pool"]["assets"]["USDC"].update(depositCapp=3),
        "pool.assets.USDC.depositCapp: unknown field (check the spelling)",
        id="misspelt-key",
    ),
    pytest.param(
        lambda d: d["oracle"]["assets"]["WETH"]["sources"][1].update(kind="oracle"),
        "oracle.assets.WETH.sources[1].kind: must be one of 'mock', 'push', 'feed', 'chainlink', 'pyth', "
        "'redemption' or 'uniswap-twap' (got 'oracle')",
        id="source-kind",
    ),
    pytest.param(
        lambda d: d["oracle"]["assets"]["WETH"]["sources"][2].update(decimals="eight"),
        "oracle.assets.WETH.sources[2].decimals: must be a whole number (got 'eight')",
        id="decimals-not-a-number",
    ),
    pytest.param(
        lambda d: d["oracle"]["assets"]["WBTC"].update(quorum=4),
        "oracle.assets.WBTC.quorum: quorum 4 needs at least that many sources (got 3 sources)",
        id="quorum-above-sources",
    ),
    pytest.param(
        lambda d: (
            d["oracle"]["defaults"].update(twapWindow=30),
            d.pop("options"),
        ),  # options would add a line
        "oracle.defaults.twapWindow: must be at least oracle.minTwapWindow (got 30 < 60)",
        id="twap-below-minimum",
    ),
    pytest.param(
        lambda d: d["oracle"]["assets"]["WETH"]["sources"][0].update(answer=3),
        "oracle.assets.WETH.sources[0].answer: must lie within minPrice..maxPrice (got 3, band 30..300000)",
        id="mock-answer-outside-bounds",
    ),
    pytest.param(
        lambda d: d["roles"].update(guardian="alice"),
        "roles.guardian: must be `deployer`, `test:N` or a 0x address (got 'alice')",
        id="role-reference",
    ),
    pytest.param(
        lambda d: d["tokens"]["USDC"].update(kind="existing", address="0x1234"),
        "tokens.USDC.address: must be a 0x-prefixed 20-byte hex address (got '0x1234')",
        id="bad-address",
    ),
    pytest.param(
        lambda d: d["markets"][0].pop("asset"),
        "markets[0].asset: required field is missing",
        id="missing-field",
    ),
    pytest.param(
        lambda d: d["liquidation"].update(penaltyBps=300, maxPenaltyBps=600),
        "liquidation.maxPenaltyBps: must be below every market's maintenanceMarginBps, or liquidating at the "
        "threshold creates bad debt (got 600 >= 500 of markets[0] WETH-PERP)",
        id="penalty-above-mm",
    ),
    pytest.param(
        lambda d: d["liquidation"].update(penaltyBps=300, maxPenaltyBps=200),
        "liquidation.maxPenaltyBps: must be at least penaltyBps (got 200 < 300)",
        id="max-penalty-below-penalty",
    ),
    pytest.param(
        lambda d: d["oracle"]["liveness"].update(windDownAfter=60),
        "oracle.liveness.windDownAfter: must be at least 3600 (got 60)",
        id="wind-down-too-soon",
    ),
    pytest.param(
        lambda d: d.update(settlementAsset="DAI"),
        "settlementAsset: unknown token 'DAI' (tokens: USDC, WBTC, WETH, LTT, USDT)",
        id="unknown-settlement",
    ),
    pytest.param(
        lambda d: d["collateral"].update(USDC={**d["collateral"]["WETH"]}),
        "collateral.USDC: the settlement asset is cash, not collateral",
        id="settlement-as-collateral",
    ),
    pytest.param(
        lambda d: d["pool"]["assets"]["WBTC"].update(targetWeightBps=2_500),
        "pool.assets: targetWeightBps must add up to 10000 (got 10500)",
        id="weights-sum",
    ),
    pytest.param(
        lambda d: d["adl"].update(targetBps=6_000),
        "adl.targetBps: must be below adl.thresholdBps (got 6000 >= 5000)",
        id="adl-target",
    ),
    pytest.param(
        # The Liquidator keeps it in 112 bits (its parameters fill one storage slot): 2^112 WAD is about 5.19e15 USD.
        lambda d: d["liquidation"].update(dustMarginUsd=5_200_000_000_000_000),
        "liquidation.dustMarginUsd: too large",
        id="dust-margin-over-112-bits",
    ),
    pytest.param(
        lambda d: d["markets"][2].update(asset="USDX"),
        "markets[2].asset: 'USDX' has no oracle configuration (oracle.assets)",
        id="market-without-oracle",
    ),
]


@pytest.mark.parametrize(("mutate", "expected"), BAD_FIELDS)
def test_bad_field__is_one_line_naming_the_field(local_data, mutate, expected):
    issues, lines = issues_of(local_data, mutate)
    assert issues == [expected]
    assert lines == [f"{SOURCE}: {expected}"]


def test_several_bad_fields__one_line_each(local_data):
    def mutate(d):
        d["markets"][1].update(maintenanceMarginBps=800, initialMarginBps=500)
        d["collateral"]["LTT"].update(stressShockBps=9_999)
        d["roles"]["timelock"].update(minDelay=-1)

    issues, lines = issues_of(local_data, mutate)
    assert sorted(issues) == sorted(
        [
            "collateral.LTT.stressShockBps: must be at most 9000 (got 9999)",
            "roles.timelock.minDelay: must be at least 0 (got -1)",
        ]
    )  # field bounds first; the cross-field rule of markets[1] is checked once these pass
    assert all(line.startswith(f"{SOURCE}: ") for line in lines)


def test_missing_file_and_broken_yaml__one_line(tmp_path):
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path / "nope.yaml")
    assert str(info.value).endswith("nope.yaml: no such file")
    broken = tmp_path / "broken.yaml"
    broken.write_text("tokens:\n  USDC: {kind: mock\n")
    with pytest.raises(ConfigError) as info:
        load_config(broken)
    assert len(str(info.value).splitlines()) == 1
    assert "not valid YAML" in str(info.value)
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(ConfigError) as info:
        load_config(binary)
    assert str(info.value).endswith("binary.yaml: cannot read it (not UTF-8 text)")


def test_hash__ignores_layout_and_number_spelling_but_not_values(local_data):
    config = parse_config(local_data)
    reordered = dict(reversed(list(copy.deepcopy(local_data).items())))
    reordered["oracle"]["assets"]["USDC"]["sources"][0]["answer"] = "1.000"  # was 1.00
    assert parse_config(reordered).config_hash() == config.config_hash()
    changed = copy.deepcopy(local_data)
    changed["insurance"]["target"] = 100_001
    assert parse_config(changed).config_hash() != config.config_hash()


def test_diff__names_each_changed_field(local_data):
    old = parse_config(local_data).normalized()
    changed = copy.deepcopy(local_data)
    changed["markets"][0]["tradingFeeBps"] = 20
    changed["collateral"].pop("LTT")
    assert diff_configs(old, parse_config(changed).normalized()) == [
        "collateral.LTT: removed (was "
        '{"initialHaircutBps": 5000, "maintHaircutBps": 4000, "stressShockBps": 5000, "supplyCap": "100000", '
        '"debtCeilingUsd": 0})',
        "markets[0].tradingFeeBps: 10 -> 20",
    ]


# ---------------------------------------------------------------------------------------------------- options


def test_local_config__options_weth_atm_call_and_put_a_week_out_and_an_otm_call():
    options = load_config(LOCAL).options
    assert options is not None
    assert options.settlement_window == 120
    assert options.implied_vol == {"WETH": Decimal("0.8")}
    assert [(s.asset, s.strike, s.tenor, s.type) for s in options.series] == [
        ("WETH", 3000, 7 * 86_400, "call"),
        ("WETH", 3000, 7 * 86_400, "put"),
        ("WETH", 3500, 7 * 86_400, "call"),
    ]
    r = options.risk
    assert (
        r.margin_shock_bps,
        r.stress_shock_bps,
        r.vol_shock_bps,
        r.maintenance_ratio_bps,
        r.short_floor_bps,
    ) == (
        1500,
        3000,
        3000,
        6000,
        100,
    )


BAD_OPTIONS = [
    pytest.param(
        lambda o: o.update(settlementWindow=200),
        "options.series[0].asset: the oracle's twapWindow of WETH must be at least twice "
        "options.settlementWindow (got 300 < 2 x 200)",
        id="twap-window-too-short",
    ),
    pytest.param(
        lambda o: o.update(settlementWindow=30),
        "options.settlementWindow: must be at least oracle.minTwapWindow (got 30 < 60)",
        id="window-below-oracle-minimum",
    ),
    pytest.param(
        lambda o: o["series"][1].update(strike=20_000),
        "options.series[1].strike: must lie within x4 of the price of WETH at listing (750..12000; got 20000)",
        id="strike-out-of-band",
    ),
    pytest.param(
        lambda o: o["series"][2].update(tenor="1h"),
        "options.series[2].tenor: must lie within 3720..31535940 seconds (the settlement window and an hour of "
        "trading, to 365 days; got 3600)",
        id="tenor-too-short",
    ),
    pytest.param(
        lambda o: o["series"][0].update(tenor="7x"),
        "options.series[0].tenor: must be whole seconds or a duration such as 3600s, 168h or 7d (got '7x')",
        id="tenor-not-a-duration",
    ),
    pytest.param(
        lambda o: o["series"][2].update(strike=3000),
        "options.series[2]: the same series as options.series[0]",
        id="duplicate-series",
    ),
    pytest.param(
        lambda o: o["series"][0].update(asset="WBTC", strike=60_000),
        "options.series[0].asset: WBTC has no implied volatility (options.impliedVol.WBTC)",
        id="no-implied-vol",
    ),
    pytest.param(
        lambda o: o["impliedVol"].update(WETH=7),
        "options.impliedVol.WETH: must be at most 5 (got 7)",
        id="vol-out-of-bounds",
    ),
    pytest.param(
        lambda o: o["risk"].update(maxSpreadBps=20),
        "options.risk.maxSpreadBps: must be at least baseSpreadBps (got 20 < 50)",
        id="max-spread-below-base",
    ),
    pytest.param(
        lambda o: o["series"][0].update(type="straddle"),
        "options.series[0].type: must be one of 'call' or 'put' (got 'straddle')",
        id="unknown-type",
    ),
]


@pytest.mark.parametrize(("mutate", "expected"), BAD_OPTIONS)
def test_bad_options_field__is_one_line_naming_the_field(local_data, mutate, expected):
    issues, lines = issues_of(local_data, lambda d: mutate(d["options"]))
    assert issues == [expected]
    assert lines == [f"{SOURCE}: {expected}"]


def test_no_options_section__normalizes_and_hashes_as_before_options_existed(local_data):
    without = copy.deepcopy(local_data)
    del without["options"]
    config = parse_config(without)
    assert config.options is None
    assert "options" not in config.normalized()
    assert parse_config(local_data).config_hash() != config.config_hash()
    assert "options" in parse_config(local_data).normalized()


BAD_ONBOARDING = [
    pytest.param(
        lambda o: o.update(minInitialHaircutBps=1_000),
        "onboarding.minInitialHaircutBps: must be at least onboarding.minMaintHaircutBps (got 1000 < 2000)",
        id="initial-below-maint-minimum",
    ),
    pytest.param(
        lambda o: o.update(minBond="0.0000001"),
        "onboarding.minBond: must be 1 to 2^128 - 1 units of USDC (got 0)",
        id="bond-below-one-unit",
    ),
    pytest.param(
        lambda o: o.update(reviewPeriod=3_600),
        "onboarding.reviewPeriod: must be at least 86400 (got 3600)",
        id="review-too-short",
    ),
    pytest.param(
        lambda o: o.update(maxDebtCeilingUsd=2_000_000_000),
        "onboarding.maxDebtCeilingUsd: must be at most 1000000000 (got 2000000000)",
        id="ceiling-above-contract-bound",
    ),
]


@pytest.mark.parametrize(("mutate", "expected"), BAD_ONBOARDING)
def test_bad_onboarding_field__is_one_line_naming_the_field(local_data, mutate, expected):
    issues, lines = issues_of(local_data, lambda d: mutate(d["onboarding"]))
    assert issues == [expected]
    assert lines == [f"{SOURCE}: {expected}"]


def test_no_onboarding_section__defaults_and_hashes_as_before_the_section_existed(local_data):
    without = copy.deepcopy(local_data)
    del without["onboarding"]
    config = parse_config(without)
    assert config.onboarding is None
    assert "onboarding" not in config.normalized()
    # config/local.yaml states the defaults: the parameters are the same, the hash is not.
    assert config.onboarding_params == parse_config(local_data).onboarding_params
    assert config.onboarding_params.min_bond == 10_000
    assert config.onboarding_params.review_period == 7 * 86_400
    assert parse_config(local_data).config_hash() != config.config_hash()
