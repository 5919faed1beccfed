"""The expiry and risk keepers' state files: a round trip, and a file of another chain, contract or version, or one
that is not JSON, refused in one line (`ballast.keepers.common.read_state_file`)."""

import json

import pytest

from ballast.errors import KeeperStateError
from ballast.keepers.expiry.state import ExpiryState
from ballast.keepers.risk.state import RiskState

BOOK = "0x1111111111111111111111111111111111111111"
ENGINE = "0x2222222222222222222222222222222222222222"


def test_expiry_and_risk_states__saved_then_loaded__the_same(tmp_path):
    expiry = ExpiryState(31337, BOOK, {3: {"price": 2_900, "tx": "0xab"}})
    expiry.save(tmp_path / "expiry.json")
    assert ExpiryState.load(tmp_path / "expiry.json", 31337, BOOK) == expiry
    risk = RiskState(31337, ENGINE, {"market:0": 1_700_000_000}, {"market:0": {"block": 12}})
    risk.save(tmp_path / "risk.json")
    assert RiskState.load(tmp_path / "risk.json", 31337, ENGINE) == risk


def test_missing_file__a_fresh_state():
    assert ExpiryState.load(None, 1, BOOK) == ExpiryState(1, BOOK)
    assert RiskState.load(None, 1, ENGINE) == RiskState(1, ENGINE)


def test_state_of_another_chain_contract_or_version__refused_in_one_line(tmp_path):
    path = tmp_path / "expiry.json"
    ExpiryState(31337, BOOK).save(path)
    with pytest.raises(
        KeeperStateError, match=f"belongs to book {BOOK} on chain 31337, not {ENGINE} on chain 31337"
    ):
        ExpiryState.load(path, 31337, ENGINE)
    with pytest.raises(KeeperStateError, match=r"on chain 31337, not .* on chain 1$"):
        ExpiryState.load(path, 1, BOOK)
    data = json.loads(path.read_text()) | {"version": 9}
    path.write_text(json.dumps(data))
    with pytest.raises(KeeperStateError, match=r"expiry keeper state .* has version 9, not 1"):
        ExpiryState.load(path, 31337, BOOK)


def test_unreadable_state__refused_in_one_line(tmp_path):
    path = tmp_path / "risk.json"
    path.write_text("{not json")
    with pytest.raises(KeeperStateError, match="cannot read risk keeper state"):
        RiskState.load(path, 31337, ENGINE)
    path.write_text(json.dumps({"version": 1, "chain_id": 31337, "engine": ENGINE, "last_step": {}}))
    with pytest.raises(KeeperStateError, match=r"cannot read risk keeper state .*last_tightened"):
        RiskState.load(path, 31337, ENGINE)
