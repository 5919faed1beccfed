"""Scenario simulator: liquidation cascades and oracle failures on a local anvil."""
