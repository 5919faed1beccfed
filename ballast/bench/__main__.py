"""`python -m ballast.bench check|snapshot`: the gas guard (see `ballast.bench.cli`)."""

from ballast.bench.cli import main

main()
