#!/usr/bin/env bash
# The long stress and crash tests of issue 7 (quality.md, reliability 1–4, 7).
#
#   tests/stress/run.sh             every long scenario, in release mode
#   tests/stress/run.sh crash       only those whose name contains "crash"
#   YARDSTICK_STRESS_SEED=7 tests/stress/run.sh    replay other random delays
#
# The scenarios are the `#[ignore]`d `*_long` tests of tests/stress.rs; the
# quick variants of the same scenarios run in plain `cargo test`. Each
# scenario prints one `STRESS name: key=value …` line; they are repeated at
# the end as the figures to copy into tests/stress/README.md. Exit status:
# that of `cargo test` (0 only if every long scenario passed).
set -uo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 2
log=$(mktemp "${TMPDIR:-/tmp}/yardstick-stress.XXXXXX")
trap 'rm -f "$log"' EXIT

echo "yardstick stress run: $(date -u +%Y-%m-%dT%H:%M:%SZ), $(uname -sm), $(nproc 2>/dev/null || echo '?') cores, seed ${YARDSTICK_STRESS_SEED:-20261122 (default)}"
start=$(date +%s)
cargo test --release --test stress -- \
    --ignored --nocapture --test-threads=1 "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
end=$(date +%s)

echo
echo "== figures ($((end - start)) s) =="
grep -o 'STRESS .*' "$log" || echo "(no figures: did the build fail?)"
grep -E '^test .* (ok|FAILED)$' "$log" | sed 's/^/  /'
if [ "$status" -eq 0 ]; then
    echo "all long scenarios passed"
else
    echo "FAILED: see the panics above (cargo test exited $status)"
fi
exit "$status"
