"""slither-mutate with forge as the mutant compiler (security/mutation/run.sh calls it like slither-mutate).

slither-mutate checks that a mutant compiles with crytic-compile, which for a foundry project runs a targeted
`forge build --build-info <file>` after a `forge clean`: two builds per mutant (the check, then the test command's),
and the targeted build's partial build-info fails crytic's parsing once the cache is warm (every mutant after the
first is then counted as a compilation failure). Here the check is the project's own incremental `forge build`;
the test command that follows reuses its cache, so a mutant costs one incremental build and one test run.
Everything else (mutators, patching, timeouts, counting, logging) is slither-mutate's.
"""

import os
import subprocess
from pathlib import Path

from slither.tools.mutator import __main__ as slither_mutate
from slither.tools.mutator.utils import testing_generated_mutant


def compile_with_forge(file_path: str, mappings: str | None) -> bool:
    """Whether the sources (with the mutant in `file_path`) compile, by an incremental `forge build`."""
    del mappings  # forge builds the whole project from foundry.toml
    build = subprocess.run(["forge", "build"], capture_output=True, text=True, check=False)
    failures = os.environ.get("MUTATE_COMPILE_LOG")
    if build.returncode != 0 and failures:
        with Path(failures).open("a") as log:
            log.write(f"== {file_path}\n{build.stdout[-2000:]}{build.stderr[-2000:]}\n")
    return build.returncode == 0


testing_generated_mutant.compile_generated_mutant = compile_with_forge

if __name__ == "__main__":
    slither_mutate.main()
