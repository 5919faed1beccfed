"""MarginEngine and Liquidator fixtures: the whole core on four assets, two markets and a seeded pool
(`support.core_fixtures`, shared with tests/keepers and tests/attacks)."""

from support.core_fixtures import *  # noqa: F403  (pytest registers the fixtures a conftest imports)
