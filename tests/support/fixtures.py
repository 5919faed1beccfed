"""Fixtures that only pick one thing out of another fixture: a test account by its index in ape's test accounts
(`account_fixture`, a factory) and the contracts of the deployed core (`lock`, `pool`, `engine`, `liquidator`,
`insurance`: fields of the suite's `core` fixture, a `ballast.system.Core`; `lock` is the Pool, which holds the
shared lock), which a conftest imports with `*` (pytest registers the fixtures a conftest imports)."""

import ape
import pytest

#: What `from support.fixtures import *` registers: the contract fixtures.
__all__ = ["engine", "insurance", "liquidator", "lock", "pool"]


def account_fixture(name: str, index: int, doc: str | None = None, *, scope="module", chain_isolation=None):
    """A fixture returning `accounts[index]`, to bind to `name` at module level (ape keys what it knows about a
    fixture by name); `chain_isolation` as `ape.fixture` takes it (None: ape decides)."""

    def account(accounts):
        return accounts[index]

    account.__name__, account.__doc__ = name, doc
    return ape.fixture(chain_isolation, scope=scope, name=name)(account)


def _core_contract(name: str):
    def contract(core):
        return getattr(core, name)

    contract.__name__ = name
    return pytest.fixture(scope="module", name=name)(contract)


lock = _core_contract("lock")
pool = _core_contract("pool")
engine = _core_contract("engine")
liquidator = _core_contract("liquidator")
insurance = _core_contract("insurance")
