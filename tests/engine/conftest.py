"""MarginEngine and Liquidator fixtures: the whole core on four assets, two markets and a seeded pool. They live in
engine_fixtures.py so that tests/keepers and tests/attacks run against the same core."""

from engine_fixtures import *  # noqa: F403
