"""MarginEngine and Liquidator fixtures: the whole core on four assets, two markets and a seeded pool
(`support.core_fixtures`, shared with tests/keepers and tests/attacks), and the property tests' extra accounts."""

from support.core_fixtures import *  # noqa: F403  (pytest registers the fixtures a conftest imports)
from support.fixtures import account_fixture

fresh = account_fixture("fresh", 9, "A trader with no engine account: each example opens its own.")
own_keeper = account_fixture(
    "own_keeper", 8, "A second address of the victim's owner, used to liquidate its own account."
)
