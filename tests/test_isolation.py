"""The suites' chain isolation lets a failed assertion fail the test (ape's own `chain.isolate()` does not)."""

import pytest

from support.isolation import isolated


def test_isolated__failed_assertion_inside__propagates(chain):
    with pytest.raises(AssertionError, match="inside the block"), isolated(chain):
        raise AssertionError("inside the block")


def test_isolated__block_mines__chain_restored_after(chain, accounts):
    height = chain.blocks.height
    with isolated(chain):
        accounts[0].transfer(accounts[1], 1)
        assert chain.blocks.height == height + 1
    assert chain.blocks.height == height


def test_ape_isolate__failed_assertion_inside__is_dropped(chain):
    """Why the suites do not use ape's `chain.isolate()`: if ape starts to propagate, this fails and the helper can go."""
    ran = []
    with chain.isolate():
        ran.append("block")
        raise AssertionError("dropped by ape")
    assert ran == ["block"]  # the block failed, and the test went on
