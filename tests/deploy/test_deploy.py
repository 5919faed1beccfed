"""`ballast.deploy` on the test chain with config/local.yaml: a stale manifest is replaced, the wiring reads back, a
second run verifies without sending anything, a changed config is refused with a diff, the manifest round-trips
into working contract instances, test keys are refused off local networks, and the console extras load it."""

import importlib.util
import json
from types import SimpleNamespace

import pytest
import yaml

from ballast.accounts import TestKeyRefused, is_local_network, refuse_test_key_off_local
from ballast.config import load_config
from ballast.console import init_console
from ballast.deploy import DeployError, check_deployer, resolve_roles, run_deploy
from ballast.manifest import (
    CONTRACT_NAMES,
    Deployment,
    FeedEntry,
    Manifest,
    load_manifest,
    manifest_path,
    write_manifest,
)
from ballast.params import ADMIN_ROLE
from ballast.scenarios.population import deploy_scenario_system
from ballast.verify import verify_settings, verify_wiring

from support.deploy import LOCAL_CONFIG, ROOT, deploy_context, off_local_context, quiet_console
from support.isolation import isolated

NO_CODE = "0x000000000000000000000000000000000000dEaD"
WAD = 10**18


def operator(address: str):
    """An account of someone's own key (only its address is read)."""
    return type("Operator", (), {"address": address})()


@pytest.fixture(scope="module")
def config():
    return load_config(LOCAL_CONFIG)


@pytest.fixture(scope="module")
def deployed(project, chain, accounts, config, deployments):
    """A manifest left by an earlier chain (its addresses hold no code here), then `run_deploy`."""
    stale = Manifest(
        network=chain.provider.network.name,
        ecosystem="ethereum",
        chain_id=chain.chain_id,
        block=1,
        deployer=accounts[0].address,
        config_path="config/local.yaml",
        config_hash=config.config_hash(),
        config=config.normalized(),
        contracts=dict.fromkeys(CONTRACT_NAMES, NO_CODE),
        tokens=dict.fromkeys(config.tokens, NO_CODE),
        feeds={s: [FeedEntry(kind="mock", address=NO_CODE, decimals=8)] for s in config.oracle.assets},
        markets={},
        roles={},
        tools={},
        deployed_at="2020-01-01T00:00:00+00:00",
        tx_count=0,
    )
    write_manifest(stale, deployments)
    return run_deploy(deploy_context(project, chain, accounts[0]), LOCAL_CONFIG, deployments)


def test_stale_local_manifest__is_redeployed_with_a_note(deployed):
    assert deployed.action == "redeployed"
    (note,) = deployed.notes
    assert "lists contracts with no code on this chain (OracleAggregator, BallastTimelock, Pool and" in note
    assert note.endswith("(a fresh local chain?): deploying again")


def test_manifest__records_contracts_tokens_feeds_block_hash_chain_and_tools(
    deployed, config, chain, accounts
):
    m = deployed.manifest
    assert set(m.contracts) == {*CONTRACT_NAMES, "OptionsBook"}  # config/local.yaml has options
    assert list(m.tokens) == ["USDC", "WBTC", "WETH", "LTT", "USDT"]
    assert {s: [(f.kind, f.decimals) for f in feeds] for s, feeds in m.feeds.items()} == {
        "USDC": [("mock", 8)] * 3,
        "WBTC": [("mock", 8)] * 3,
        "WETH": [("mock", 8)] * 3,
        "LTT": [("mock", 8), ("mock", 8), ("mock", 18)],
        "USDT": [("mock", 8), ("mock", 8), ("mock", 6)],
    }
    assert m.markets == {"WETH-PERP": 0, "WBTC-PERP": 1, "LTT-PERP": 2}
    assert m.config_hash == config.config_hash()
    assert m.chain_id == chain.chain_id
    assert 0 < m.block <= chain.blocks.height
    assert m.tx_count > 50
    assert m.deployer == accounts[0].address
    assert m.roles["riskManager"] == accounts[6].address  # test:6
    assert m.roles["guardian"] == accounts[3].address
    assert set(m.tools) == {"eth-ape", "ape-solidity", "ape-foundry", "solc", "node"}
    assert m.tools["eth-ape"] == "0.8.51"
    assert m.tools["solc"].startswith("0.8.30")
    written = json.loads(deployed.path.read_text())
    assert written["contracts"]["Pool"] == m.contracts["Pool"]
    assert written["config_hash"].startswith("sha256:")


def test_wiring_and_settings__read_back_as_configured(deployed, project, config):
    assert verify_wiring(project, deployed.manifest) == []
    assert verify_settings(project, deployed.manifest, config) == []


def test_timelock__is_the_only_admin_and_the_deployer_kept_no_role(deployed, project, accounts):
    d = Deployment(project, deployed.manifest)
    for contract in (d.oracle, d.pool, d.engine, d.liquidator, d.insurance):
        assert contract.hasRole(ADMIN_ROLE, d.timelock)
        assert not contract.hasRole(ADMIN_ROLE, accounts[0])
    assert d.pool.hasRole(d.pool.RISK_MANAGER_ROLE(), accounts[6])
    assert not d.pool.hasRole(d.pool.RISK_MANAGER_ROLE(), accounts[0])
    assert d.engine.hasRole(d.engine.GUARDIAN_ROLE(), accounts[3])
    assert d.timelock.getMinDelay() == 600
    assert d.timelock.hasRole(d.timelock.PROPOSER_ROLE(), accounts[0])


def test_options__book_is_margin_product_0_with_its_vol_and_three_series_a_week_out(
    deployed, project, chain, accounts
):
    m = deployed.manifest
    d = Deployment(project, m)
    assert m.options is not None and m.options.book == m.contracts["OptionsBook"] == d.options.address
    assert m.options.product == 0
    assert [str(p) for p in d.engine.marginProducts()] == [m.contracts["OptionsBook"]]
    book = d.options
    assert book.engine() == d.engine.address and book.oracle() == d.oracle.address
    assert book.settlementWindow() == 120
    assert book.impliedVol(d.tokens["WETH"]) == 8 * 10**17
    assert list(book.liveSeries()) == [1, 2, 3]
    (expiry,) = {s.expiry for s in m.options.series}  # one tenor: one expiry
    listed_at = chain.blocks[m.block + m.tx_count - 1].timestamp  # about the deployment's last block
    assert expiry % 60 == 0 and 7 * 86_400 <= expiry - listed_at + 60 <= 7 * 86_400 + 120
    assert [(s.id, s.type, s.strike) for s in m.options.series] == [
        (1, "call", "3000"),
        (2, "put", "3000"),
        (3, "call", "3500"),
    ]
    for entry in m.options.series:
        s = book.series(entry.id)
        assert (s.expiry, s.isCall, s.strike, s.maxOpenSize) == (
            expiry,
            entry.type == "call",
            int(entry.strike) * WAD,
            500 * WAD,
        )
        assert entry.name.startswith("WETH-") and entry.name.endswith(
            f"-{entry.strike}-{entry.type[0].upper()}"
        )
    assert book.hasRole(book.RISK_MANAGER_ROLE(), accounts[6])  # test:6
    assert not book.hasRole(book.RISK_MANAGER_ROLE(), accounts[0])
    assert book.hasRole(ADMIN_ROLE, d.timelock) and not book.hasRole(ADMIN_ROLE, accounts[0])
    assert m.options.series_id(m.options.series[1].name) == 2


def test_second_run__verifies_and_sends_nothing(deployed, project, chain, accounts, deployments):
    before = (accounts[0].nonce, chain.blocks.height, deployed.path.read_text())
    outcome = run_deploy(deploy_context(project, chain, accounts[0]), LOCAL_CONFIG, deployments)
    assert outcome.action == "verified"
    assert outcome.manifest == deployed.manifest
    assert outcome.notes == ()
    assert (accounts[0].nonce, chain.blocks.height, deployed.path.read_text()) == before


def test_changed_config__refused_with_the_changed_fields(
    deployed, project, chain, accounts, deployments, tmp_path
):
    text = LOCAL_CONFIG.read_text()
    target = load_config(LOCAL_CONFIG).insurance.target
    changed = tmp_path / "local.yaml"
    changed.write_text(
        text.replace("minSize: 0.01", "minSize: 0.02").replace(f"target: {target} ", f"target: {target * 2} ")
    )
    nonce = accounts[0].nonce
    with pytest.raises(DeployError) as info:
        run_deploy(deploy_context(project, chain, accounts[0]), changed, deployments)
    lines = str(info.value).splitlines()
    assert lines[0].endswith(
        "differs from the config deployed on local (" + str(deployed.path) + "); changed fields:"
    )
    assert lines[1:3] == [
        '  markets[0].minSize: "0.01" -> "0.02"',
        f'  insurance.target: "{target}" -> "{target * 2}"',
    ]
    assert accounts[0].nonce == nonce


def test_manifest_round_trip__same_addresses_and_the_instances_answer(deployed, project, deployments):
    loaded = load_manifest("local", deployments)
    assert loaded == deployed.manifest
    assert manifest_path("local", deployments) == deployed.path
    d = Deployment.load(project, "local", deployments)
    assert d.pool.address == loaded.contracts["Pool"]
    assert d.pool.settlementAsset() == loaded.tokens["USDC"]
    assert d.pool.assets() == [loaded.tokens[s] for s in ("USDC", "WBTC", "WETH", "USDT", "LTT")]
    assert d.pool.extension() == loaded.contracts["PoolExtension"]
    assert d.pool.products() == [loaded.contracts["MarginEngine"]]  # the MarginEngine is product 0
    assert d.engine.marketCount() == 3  # served by the MarginEngineExtension through the engine's full ABI
    assert d.engine.marketParams(loaded.markets["WETH-PERP"]).asset == loaded.tokens["WETH"]
    assert d.engine.extension() == loaded.contracts["MarginEngineExtension"]
    assert d.liquidator.params().penaltyBps == 100
    insurance = load_config(LOCAL_CONFIG).insurance
    assert d.insurance.target() == insurance.target * 10**6
    assert d.insurance.bookedBalance() == insurance.seed * 10**6  # seeded at deployment
    assert d.oracle.median(d.tokens["WETH"]) == 3_000 * WAD  # median of 3000, 2998.5, 3001.8
    assert d.tokens["USDT"].symbol() == "USDT" and d.tokens["USDT"].decimals() == 6
    assert d.feeds["WBTC"][1].answer() == 60_030 * 10**8


def test_wiring_check__catches_a_manifest_that_points_at_other_contracts(deployed, project):
    c = dict(deployed.manifest.contracts)
    c["Pool"], c["Liquidator"] = c["Liquidator"], c["Pool"]
    problems = verify_wiring(project, deployed.manifest.model_copy(update={"contracts": c}))
    assert any(p.startswith("Pool.members() ") for p in problems)
    assert any(p.startswith("MarginEngine.pool() is") for p in problems)


def test_off_local__test_accounts_and_test_roles_are_refused(project, accounts, config):
    with pytest.raises(DeployError, match=r"refusing to deploy on sepolia from 0x\w+: it is a test account"):
        check_deployer(off_local_context(project, accounts[0]))
    # An account outside ape's ten, derived from the same public mnemonic, is refused as well.
    from ape.utils.testing import generate_dev_accounts

    eleventh = generate_dev_accounts(number_of_accounts=12)[11].address
    with pytest.raises(DeployError, match="it is a test account"):
        check_deployer(off_local_context(project, operator(eleventh)))
    fresh = operator("0x" + "12" * 20)
    check_deployer(off_local_context(project, fresh))
    with pytest.raises(DeployError) as info:
        resolve_roles(off_local_context(project, fresh), config)
    assert str(info.value) == (
        "roles.riskManager: test:6 is a test account; test accounts hold roles only on local networks "
        "(this is sepolia)"
    )
    pinned = config.model_copy(
        update={"roles": config.roles.model_copy(update={"risk_manager": "deployer", "guardian": eleventh})}
    )
    with pytest.raises(DeployError, match=r"roles\.guardian: 0x\w+ is derived from the public test mnemonic"):
        resolve_roles(off_local_context(project, fresh), pinned)


# ---------------------------------------------------------------------------------------------------- console


def test_console_extras__expose_the_deployment_and_print_tables(
    deployed, project, chain, accounts, deployments
):
    console = quiet_console()
    names = init_console(chain, project, deployments, console)
    d = names["deployment"]
    assert names["pool"].address == deployed.manifest.contracts["Pool"]
    assert names["engine"].address == deployed.manifest.contracts["MarginEngine"]
    assert names["onboarding"].address == deployed.manifest.contracts["AssetOnboarding"]
    assert set(names["tokens"]) == set(deployed.manifest.tokens)
    lp, trader = accounts[1], accounts[2]
    usdc, weth = d.tokens["USDC"], d.tokens["WETH"]
    usdc.mint(lp, 1_000_000 * 10**6, sender=lp)
    usdc.approve(d.pool, 2**256 - 1, sender=lp)
    d.pool.deposit(usdc, 1_000_000 * 10**6, 0, lp, sender=lp)
    weth.mint(trader, 10 * WAD, sender=trader)
    weth.approve(d.engine, 2**256 - 1, sender=trader)
    d.engine.deposit(weth, 10 * WAD, trader, sender=trader)
    d.engine.modifyPosition(0, 5 * WAD, 2**255, sender=trader)

    names["prices"]()
    names["health"](trader)
    names["positions"](trader.address)
    out = console.file.getvalue()
    assert out.startswith("ballast on ethereum:local (chain ")
    assert "oracle prices on local" in out
    weth_row = next(line for line in out.splitlines() if line.startswith("│ WETH "))
    assert "$3,000.00" in weth_row and "Ok" in weth_row and "3,000.0000 / 2,998.5000 / 3,001.8000" in weth_row
    assert f"health of {trader.address}" in out
    assert (
        next(line for line in out.splitlines() if "collateral WETH" in line).split("│")[2].strip()
        == "10.000000"
    )
    assert next(line for line in out.splitlines() if "liquidatable" in line).split("│")[2].strip() == "no"
    position_row = next(line for line in out.splitlines() if line.startswith("│ WETH-PERP"))
    assert [cell.strip() for cell in position_row.split("│")[2:4]] == ["long", "5.000000"]


def test_console_extras__without_a_manifest_say_how_to_deploy_and_still_load(
    project, chain, tmp_path, capsys
):
    console = quiet_console()
    names = init_console(chain, project, tmp_path / "empty", console)
    (line,) = console.file.getvalue().splitlines()
    # The test's anvil is one ape started for this process: the line leads to the project's node, once.
    assert line.startswith(
        "ballast: no usable deployment for ethereum:local: no deployment manifest for network"
    )
    assert line.count("`make node`") == line.count("`make deploy`") == 1, line
    assert "ape console --network ethereum:local`" in line and "ape run deploy" not in line, line
    assert names["pool"] is None and names["tokens"] == {}
    names["prices"]()
    assert capsys.readouterr().out.strip() == line


def test_ape_console_extras_file__loads_the_manifest_of_the_connected_network(
    deployed, project, chain, deployments, monkeypatch
):
    monkeypatch.setenv("BALLAST_DEPLOYMENTS_DIR", str(deployments))
    spec = importlib.util.spec_from_file_location("ape_console_extras", ROOT / "ape_console_extras.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    names = module.ape_init_extras(chain=chain, project=project)
    for name in (
        "pool",
        "engine",
        "oracle",
        "insurance",
        "liquidator",
        "tokens",
        "health",
        "positions",
        "prices",
    ):
        assert names[name] is not None, name
    assert names["oracle"].address == deployed.manifest.contracts["OracleAggregator"]


def test_keepers_off_local__test_key_refused_before_signing(accounts):
    """The keeper commands and bots share the deploy's guard: a test key never signs off local networks."""
    sepolia = SimpleNamespace(name="sepolia", is_local=False)
    with pytest.raises(
        TestKeyRefused, match=r"^refusing to run the keeper on sepolia from 0x\w+: it is a test"
    ):
        refuse_test_key_off_local(accounts[4], sepolia, what="run the keeper")
    refuse_test_key_off_local(
        operator("0x" + "12" * 20), sepolia, what="run the keeper"
    )  # a key of one's own
    refuse_test_key_off_local(
        accounts[4], SimpleNamespace(name="local", is_local=True)
    )  # local: test keys are fine


def test_is_local_network__loopback_dev_chain_yes_stand_in_testnet_no():
    custom = SimpleNamespace(name="custom", is_local=False)
    anvil = SimpleNamespace(uri="http://127.0.0.1:8545", chain_id=31337)
    assert is_local_network(custom, anvil)  # `--network http://127.0.0.1:8545`: the local anvil
    assert not is_local_network(custom, SimpleNamespace(uri="http://127.0.0.1:8555", chain_id=31338))
    assert not is_local_network(custom, SimpleNamespace(uri="https://rpc.example.org", chain_id=31337))
    assert not is_local_network(custom)


def test_isolated_collateral_and_ramp_duration__deployed_as_configured(project, chain, accounts, tmp_path):
    """A collateral's `debtCeilingUsd` lists it isolated and `roles.timelock.rampDuration` sets the engine's ramp
    duration; the read-back checks both."""
    data = yaml.safe_load(LOCAL_CONFIG.read_text())
    data["collateral"]["LTT"]["debtCeilingUsd"] = 250_000
    data["roles"]["timelock"]["rampDuration"] = 3_600
    path = tmp_path / "isolated.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    with isolated(chain):
        system = deploy_scenario_system(project, chain, accounts, path)
        ltt = system.tokens["LTT"]
        assert tuple(system.engine.collateralIsolation(ltt)) == (250_000 * WAD, 0)
        assert tuple(system.engine.collateralIsolation(system.tokens["WETH"])) == (0, 0)
        assert system.engine.rampDuration() == 3_600
        assert verify_settings(project, system.manifest, load_config(path)) == []
