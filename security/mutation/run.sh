#!/usr/bin/env bash
# The mutation campaign (`make mutate`; never in CI): slither-mutate over the five core contracts, each mutant
# compiled and tested by the forge suite (FOUNDRY_PROFILE=mutate: no optimizer, no gas harnesses, 8 x 64 invariant
# runs; the oracle's mutants against tests/forge/OracleAggregator*, the others' against the rest), then
# security/mutation/summarize.py writes security/mutation/summary.md (caught/total per contract, the survivors).
#
# slither-mutate edits the sources in place, so the campaign runs on a scratch copy of the sources and the forge
# tests under .build/mutate/ (never on the working tree). It runs through security/mutation/mutate.py, which is
# slither-mutate with the mutant's compile check done by an incremental `forge build` (see there why).
#
# Knobs (environment): MUTATE_CONTRACTS (default: the six files of the five contracts, smallest first),
# MUTATE_MUTATORS (slither-mutate mutator names, comma-separated; default MIA,LOR: every mutant flips or fixes a
# decision, about 600 mutants over the six files, 10 to 20 hours here; add ROR,AOR for the operators, several days),
# MUTATE_TIMEOUT (seconds per mutant's test run, default 400).
# Logs: .build/mutate/logs/<contract>.log (one line per mutant), compile-failures.txt, times.txt.
set -euo pipefail

repo="$(cd "$(dirname "$0")/../.." && pwd)"
work="$repo/.build/mutate"
contracts="${MUTATE_CONTRACTS:-InsuranceFund Liquidator MarginEngineExtension Pool MarginEngine OracleAggregator}"
mutators="${MUTATE_MUTATORS:-MIA,LOR}"
timeout="${MUTATE_TIMEOUT:-400}"
rm -rf "$work/src" "$work/logs" "$work/campaign"
mkdir -p "$work/src/tests" "$work/logs" "$work/campaign"
cp -r "$repo/contracts" "$repo/interfaces" "$repo/tools" "$repo/foundry.toml" "$work/src/"
cp -r "$repo/tests/forge" "$work/src/tests/forge"
rm -rf "$work/src/contracts/.cache"
ln -sfn "$(readlink -f "$repo/node_modules")" "$work/src/node_modules"

export PATH="$repo/.venv/bin:$PATH"
export FOUNDRY_PROFILE=mutate
export MUTATE_COMPILE_LOG="$work/logs/compile-failures.txt"
cd "$work/src"
forge build >/dev/null
for c in $contracts; do
  echo "== mutating $c ($(date -u +%H:%M:%S))"
  start=$(date +%s)
  # The oracle's mutants against its own unit and invariant tests; the other contracts' against the core's.
  if [ "$c" = OracleAggregator ]; then tests="forge test --match-path 'tests/forge/OracleAggregator*.t.sol'"
  else tests="forge test --no-match-path 'tests/forge/OracleAggregator*.t.sol'"; fi
  "$repo/.venv/bin/python" "$repo/security/mutation/mutate.py" "contracts/$c.sol" --test-cmd "$tests" --timeout "$timeout" \
    --mutators-to-run "$mutators" --output-dir "$work/campaign/$c" -v >"$work/logs/$c.log" 2>&1 || true
  echo "$c: $(( $(date +%s) - start )) s" | tee -a "$work/logs/times.txt"
done
"$repo/.venv/bin/python" "$repo/security/mutation/summarize.py" "$work/logs" "$repo/security/mutation/summary.md" \
  --mutators "$mutators" --timeout "$timeout"
