"""Deploying config/oracle-adapters.yaml: WETH through ChainlinkAdapters on mock aggregators, WSTETH through
RedemptionRateAdapters (its underlying's price times a mock rate provider's rate); the oracle lists them like feeds."""

from decimal import Decimal
from pathlib import Path

import pytest

from ballast.config import load_config
from ballast.config.schema import SourceConfig
from ballast.deploy import run_deploy
from ballast.errors import DeployError
from ballast.oracle_adapters import adapter_maker
from ballast.scenarios.population import deploy_scenario_system
from ballast.verify import verify_settings

from support.deploy import deploy_context
from support.isolation import isolated

ROOT = Path(__file__).resolve().parents[2]
ADAPTERS = ROOT / "config" / "oracle-adapters.yaml"
WAD = 10**18


@pytest.fixture(scope="module")
def adapter_system(project, chain, accounts):
    with isolated(chain):
        yield deploy_scenario_system(project, chain, accounts, ADAPTERS)


def test_manifest__records_each_adapter_with_18_decimals(adapter_system):
    weth = adapter_system.manifest.feeds["WETH"]
    assert [(f.kind, f.decimals) for f in weth] == [("chainlink", 18), ("chainlink", 18), ("mock", 8)]
    assert [f.kind for f in adapter_system.manifest.feeds["WSTETH"]] == ["redemption", "redemption"]


def test_chainlink_adapters__scale_their_aggregators_to_18_decimals(adapter_system, project):
    first, second, _ = adapter_system.manifest.feeds["WETH"]
    a = project.ChainlinkAdapter.at(first.address)
    b = project.ChainlinkAdapter.at(second.address)
    assert (a.feedDecimals(), b.feedDecimals()) == (8, 18)
    assert a.latestRoundData()[1] == 3000 * WAD
    assert b.latestRoundData()[1] == int(Decimal("2998.5") * WAD)
    # each reports its aggregator's own round, stamps included (the aggregator judges the age)
    for adapter in (a, b):
        ours, theirs = adapter.latestRoundData(), project.MockFeed.at(adapter.feed()).latestRoundData()
        assert [ours[i] for i in (0, 2, 3, 4)] == [theirs[i] for i in (0, 2, 3, 4)]
        assert ours[3] > 0


def test_wsteth__is_the_underlying_price_times_the_redemption_rate(adapter_system, project):
    adapters = [project.RedemptionRateAdapter.at(f.address) for f in adapter_system.manifest.feeds["WSTETH"]]
    assert [a.rate() for a in adapters] == [int(Decimal("1.21") * WAD)] * 2
    expected = (
        int(Decimal(3000 * WAD) * Decimal("1.21")) + int(Decimal("2998.5") * WAD * Decimal("1.21"))
    ) // 2
    assert adapter_system.oracle.getPriceData(adapter_system.tokens["WSTETH"]).median == expected
    assert adapters[0].maxGrowthBpsPerYear() == 2000
    assert [a.anchor()[0] for a in adapters] == [int(Decimal("1.21") * WAD)] * 2
    assert all(a.rateCap() >= a.rate() for a in adapters)


def test_read_back__the_oracle_configuration_matches_the_config(adapter_system, project):
    assert verify_settings(project, adapter_system.manifest, load_config(ADAPTERS)) == []


def test_adapter_maker__wraps_existing_contracts_and_refuses_an_address_without_code(
    project, chain, accounts
):
    """`chainlink` on an existing aggregator, `redemption` on an existing feed and ERC-4626 vault; an address with no
    code is one DeployError naming the field."""
    sender = accounts[0]
    with isolated(chain):
        feed = project.MockFeed.deploy(8, 2000 * 10**8, "ETH / USD", sender=sender)
        steth = project.MockERC20.deploy("Staked ETH", "stETH", 18, sender=sender)
        vault = project.MockVault4626.deploy(steth, "Wrapped stETH", "wstETH", sender=sender)
        steth.mint(sender, 100 * WAD, sender=sender)
        steth.approve(vault, 100 * WAD, sender=sender)
        vault.deposit(100 * WAD, sender, sender=sender)
        steth.mint(vault, 10 * WAD, sender=sender)

        def make(**fields):
            source = SourceConfig.model_validate(fields)
            return adapter_maker(
                project, chain, sender, source, "oracle.assets.X.sources[0]", "x", lambda: None
            )

        chainlink = make(kind="chainlink", address=str(feed.address))()
        assert chainlink.feed() == feed.address and chainlink.latestRoundData()[1] == 2000 * WAD
        redemption = make(kind="redemption", underlying=str(feed.address), address=str(vault.address))()
        rate = vault.convertToAssets(WAD)
        assert redemption.rate() == rate
        assert redemption.latestRoundData()[1] == 2000 * rate
        nowhere = "0x000000000000000000000000000000000000dEaD"
        with pytest.raises(
            DeployError, match=r"oracle.assets.X.sources\[0\].address: no contract at 0x0+dEaD"
        ):
            make(kind="pyth", address=nowhere, priceId="0x" + "11" * 32)()


def test_deploy__a_source_address_without_code_is_one_line_before_anything_is_deployed(
    project, chain, accounts, tmp_path
):
    nowhere = "0x000000000000000000000000000000000000dEaD"
    config = tmp_path / "adapters.yaml"
    config.write_text(
        ADAPTERS.read_text().replace(
            "- {kind: chainlink, answer: 2998.5, feedDecimals: 18}",
            f"- {{kind: chainlink, address: '{nowhere}'}}",
        )
    )
    with isolated(chain):
        nonce = accounts[0].nonce
        with pytest.raises(DeployError) as err:
            run_deploy(deploy_context(project, chain, accounts[0]), config, tmp_path / "deployments")
        assert accounts[0].nonce == nonce  # no token, feed or contract deployed
    assert str(err.value) == f"oracle.assets.WETH.sources[1].address: no contract at {nowhere}"
    assert not (tmp_path / "deployments").exists() or not any((tmp_path / "deployments").iterdir())
