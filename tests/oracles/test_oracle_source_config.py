"""The config's adapter sources (docs/oracles.md): each kind's fields, one line naming the field when one is missing or
belongs to another kind; existing configs stay valid."""

import copy
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from ballast.config import ConfigError, load_config, parse_config

ROOT = Path(__file__).resolve().parents[2]
LOCAL = ROOT / "config" / "local.yaml"
ADAPTERS = ROOT / "config" / "oracle-adapters.yaml"
POOL = "0x1F98431c8aD98523631AE4a59f267346ea31F984"
PYTH = "0x4305FB66699C3B2702D4d05CF36551390A4c69C6"
WRAPPER = "0x7f39C581F595B53c5cb19bD0b3f8dA6c935E2Ca0"
ID = "0xff61491a931112ddf1bd8147cd1b641375f79f5825126d665480874634fd0ace"


@pytest.fixture(scope="module")
def local_data():
    return yaml.safe_load(LOCAL.read_text())


def with_weth_sources(data, sources):
    changed = copy.deepcopy(data)
    changed["oracle"]["assets"]["WETH"]["sources"] = sources
    return changed


def issues_of(data):
    with pytest.raises(ConfigError) as info:
        parse_config(data, "config/local.yaml")
    return info.value.issues


def test_every_config__still_validates():
    for path in sorted((ROOT / "config").glob("*.yaml")):
        if path.name != "keeper-oracle.yaml":  # the keeper's own settings, not a deployment
            load_config(path)


def test_adapter_example__lists_each_kind_with_18_decimals():
    config = load_config(ADAPTERS)
    kinds = {s.kind for a in config.oracle.assets.values() for s in a.sources}
    assert {"chainlink", "redemption"} <= kinds
    assert all(s.decimals == 18 for a in config.oracle.assets.values() for s in a.sources if s.is_adapter)


def test_each_kind__parses_with_its_fields(local_data):
    data = with_weth_sources(
        local_data,
        [
            {"kind": "chainlink", "answer": 3000, "feedDecimals": 8},
            {"kind": "pyth", "address": PYTH, "priceId": ID, "maxConfBps": 50},
            {"kind": "redemption", "answer": 2500, "rate": "1.2"},
            {
                "kind": "uniswap-twap",
                "address": POOL,
                "window": 1800,
                "minLiquidity": 10**15,
                "quoteFeed": WRAPPER,
            },
        ],
    )
    sources = parse_config(data, "x").oracle.assets["WETH"].sources
    assert [s.decimals for s in sources] == [18, 18, 18, 18]
    assert sources[1].price_id == ID and sources[1].max_conf_bps == 50
    assert sources[2].deployed_price() == Decimal(3000)
    assert sources[3].window == 1800 and sources[3].min_liquidity == 10**15
    assert sources[3].quote_feed == WRAPPER


BAD_SOURCES = [
    pytest.param(
        {"kind": "pyth", "priceId": ID},
        "oracle.assets.WETH.sources[0].address: required (the Pyth contract)",
        id="pyth-without-contract",
    ),
    pytest.param(
        {"kind": "pyth", "address": PYTH},
        "oracle.assets.WETH.sources[0].priceId: required (the Pyth feed id, 0x + 64 hex digits)",
        id="pyth-without-id",
    ),
    pytest.param(
        {"kind": "chainlink"},
        "oracle.assets.WETH.sources[0]: a chainlink source takes an aggregator address, or an answer for a mock feed",
        id="chainlink-neither",
    ),
    pytest.param(
        {"kind": "chainlink", "answer": 3000, "decimals": 8},
        "oracle.assets.WETH.sources[0].decimals: a chainlink adapter reports 18 decimals",
        id="adapter-decimals",
    ),
    pytest.param(
        {"kind": "chainlink", "answer": 3000, "window": 60},
        "oracle.assets.WETH.sources[0].window: not used by a chainlink source",
        id="field-of-another-kind",
    ),
    pytest.param(
        {"kind": "uniswap-twap", "address": POOL},
        "oracle.assets.WETH.sources[0].window: required (seconds of the pool's TWAP)",
        id="twap-without-window",
    ),
    pytest.param(
        {"kind": "redemption", "answer": 2500, "address": WRAPPER, "rate": 1.2},
        "oracle.assets.WETH.sources[0]: a redemption source takes a wrapper address, or a rate for a mock provider",
        id="redemption-both",
    ),
    pytest.param(
        {"kind": "redemption", "answer": 2500, "rate": 1000},
        "oracle.assets.WETH.sources[0].rate: answer x rate must lie within minPrice..maxPrice "
        "(got 2500000, band 30..300000)",
        id="redemption-price-out-of-band",
    ),
    *[
        pytest.param(
            source,
            f"oracle.assets.WETH.sources[0].maxAge: not used by a {source['kind']} source "
            "(the aggregator judges the answer's age by the source's heartbeat)",
            id=f"{source['kind']}-max-age",
        )
        for source in (
            {"kind": "chainlink", "answer": 3000, "maxAge": 3600},
            {"kind": "pyth", "address": PYTH, "priceId": ID, "maxAge": 60},
            {"kind": "redemption", "answer": 2500, "rate": 1.2, "maxAge": 3600},
            {"kind": "uniswap-twap", "address": POOL, "window": 1800, "quoteFeed": WRAPPER, "maxAge": 3600},
        )
    ],
    pytest.param(
        {"kind": "redemption", "answer": 2500, "rate": 1.2, "maxDropBps": 500},
        "oracle.assets.WETH.sources[0].maxDropBps: no longer used: a redemption source reports a rate below its "
        "anchor as it is (docs/oracles.md)",
        id="redemption-max-drop",
    ),
]


@pytest.mark.parametrize(("source", "expected"), BAD_SOURCES)
def test_bad_source__is_one_line_naming_the_field(local_data, source, expected):
    others = copy.deepcopy(local_data["oracle"]["assets"]["WETH"]["sources"])
    issues = issues_of(with_weth_sources(local_data, [source, *others]))
    assert expected in issues, issues


def test_bad_price_id__is_refused_by_its_pattern(local_data):
    others = local_data["oracle"]["assets"]["WETH"]["sources"]
    issues = issues_of(
        with_weth_sources(local_data, [{"kind": "pyth", "address": PYTH, "priceId": "0x1234"}, *others])
    )
    assert any(issue.startswith("oracle.assets.WETH.sources[0].priceId") for issue in issues), issues


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            {"kind": "chainlinkk", "answer": 3000},
            "oracle.assets.WETH.sources[0].kind: must be one of 'mock', 'push', 'feed', 'chainlink', 'pyth', "
            "'redemption' or 'uniswap-twap' (got 'chainlinkk')",
        ),
        ({"answer": 3000}, "oracle.assets.WETH.sources[0].kind: required field is missing"),
        (
            {"kind": "redemption", "answer": 3000, "rate": 0},
            "oracle.assets.WETH.sources[0].rate: must be above 0 (got 0)",
        ),
        (
            {"kind": "uniswap-twap", "address": POOL, "minLiquidity": 1},
            "oracle.assets.WETH.sources[0].window: required (seconds of the pool's TWAP)",
        ),
    ],
    ids=["unknown-kind", "no-kind", "zero-rate", "twap-without-window"],
)
def test_bad_source__its_one_line_only_no_consequences(local_data, source, expected):
    """An unknown or missing kind is the entry's one line (not also the `decimals` an adapter kind would default);
    a refused rate is not also reported against the price band."""
    others = copy.deepcopy(local_data["oracle"]["assets"]["WETH"]["sources"])
    assert issues_of(with_weth_sources(local_data, [source, *others])) == [expected]
