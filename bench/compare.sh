#!/usr/bin/env bash
# Compare this checkout with an earlier revision by instructions executed
# (valgrind's callgrind), operation by operation, on the benchmark's data
# sets. Instruction counts do not move with the load on a shared machine the
# way times do, so a restructure can show it costs nothing: a change of a
# percent or two is within what a different build layout gives.
#
#   bash bench/compare.sh REV          # e.g. bash bench/compare.sh main~5
#
# REV is built in a worktree under $BENCH_DIR with its own target directory
# (reused between runs). The data sets are the ones `bench/run.sh --quick`
# makes; run that once first. Benchmarks are not tests: CI does not run this.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
REV=${1:?usage: bash bench/compare.sh REV}
DIR=${BENCH_DIR:-/tmp/yardstick-bench}
export YARDSTICK_TODAY=2026-11-22 NO_COLOR=1
: >"$DIR/empty.toml"
export YARDSTICK_CONFIG=$DIR/empty.toml

command -v valgrind >/dev/null || { echo "bench: valgrind is missing (apt-get install valgrind)" >&2; exit 2; }
for set in team org; do
  [[ -f $DIR/$set.db ]] || { echo "bench: $DIR/$set.db is missing: run bash bench/run.sh --quick first" >&2; exit 2; }
done

SHA=$(git rev-parse --verify "$REV^{commit}")
WT=$DIR/compare-src
if [[ -d $WT ]]; then git -C "$WT" checkout -q --detach "$SHA"; else git worktree add -q --detach "$WT" "$SHA"; fi
echo "bench: building $REV ($SHA) and this checkout" >&2
(cd "$WT" && cargo build --release --quiet --target-dir "$DIR/compare-target")
cargo build --release --quiet
OLD=$DIR/compare-target/release/yardstick
NEW=$ROOT/target/release/yardstick

instructions() {
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null |
    sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
row() { # name, then the arguments; a writing command gets a fresh copy per binary
  local name=$1 a b
  shift
  if [[ $1 == copy:* ]]; then
    local src=${1#copy:}
    shift
    cp "$src" "$DIR/compare-a.db" && cp "$src" "$DIR/compare-b.db"
    a=$(instructions "$OLD" --db "$DIR/compare-a.db" "$@")
    b=$(instructions "$NEW" --db "$DIR/compare-b.db" "$@")
    rm -f "$DIR"/compare-[ab].db*
  else
    a=$(instructions "$OLD" "$@")
    b=$(instructions "$NEW" "$@")
  fi
  line "$name" "$a" "$b"
}
line() { printf '| %s | %s | %s | %s |\n' "$1" "$2" "$3" "$(python3 -c "print(f'{$3 / $2:.3f}')")"; }

echo "Instructions executed, $REV ($(git rev-parse --short "$SHA")) against this checkout ($(git rev-parse --short HEAD)$(git diff --quiet HEAD || echo ', with changes')):"
echo
echo "| operation | $REV | this checkout | ratio |"
echo "|---|---|---|---|"
T=$DIR/team.db
O=$DIR/org.db
row "start-up" --version
row "team file: plan list" --db "$T" plan list --format tsv
row "team file: report team" --db "$T" report team --format tsv
row "team file: checkin" "copy:$T" checkin api-latency 300 -q
row "org file: report one team" --db "$O" report team platform-11 --format tsv
row "org file: report person" --db "$O" report person p62 --format json
row "org file: report whole org" --db "$O" report goals --format tsv
row "org file: export CSV" --db "$O" export --format csv -o /dev/null
# demo makes its file: each binary gets its own new one.
rm -f "$DIR"/compare-[ab].db*
a=$(instructions "$OLD" demo --db "$DIR/compare-a.db" --people 100 --weeks 52)
b=$(instructions "$NEW" demo --db "$DIR/compare-b.db" --people 100 --weeks 52)
rm -f "$DIR"/compare-[ab].db*
line "demo --people 100 --weeks 52" "$a" "$b"
