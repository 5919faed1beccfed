"""MarginEngine and Liquidator fixtures: the whole core on four assets, two markets and a seeded pool
(`support.core_fixtures`, shared with tests/keepers and tests/attacks), and an extra account for the differential test."""

from support.core_fixtures import *  # noqa: F403  (pytest registers the fixtures a conftest imports)
from support.fixtures import account_fixture

fresh = account_fixture("fresh", 9, "A trader with no engine account: each example opens its own.")
