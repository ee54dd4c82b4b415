#!/usr/bin/env bash
# yardstick benchmark: each operation of ../shared/design/quality.md, run by
# yardstick and by the equivalent plain `sqlite3` command on the same file,
# several times after a warm-up (hyperfine), then one table of medians,
# ratios and yardstick's peak memory, printed and written to
# bench/RESULTS.md with the date and the machine.
#
#   bash bench/run.sh            # team file, organisation file (3M check-ins), 10M file
#   bash bench/run.sh --quick    # team file and organisation file only
#
# Data sets are made with `yardstick demo` in $BENCH_DIR (default
# /tmp/yardstick-bench; ~4 GB with the 10M set) and reused when present.
# Benchmarks are not tests: CI does not run this.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
QUICK=0
[[ "${1:-}" == "--quick" ]] && QUICK=1
DIR=${BENCH_DIR:-/tmp/yardstick-bench}
mkdir -p "$DIR/json"
export YARDSTICK_TODAY=2026-11-22
: >"$DIR/empty.toml"
export YARDSTICK_CONFIG=$DIR/empty.toml
export NO_COLOR=1

need() {
  if ! command -v "$1" >/dev/null 2>&1; then
    echo "bench: $1 is missing; installing the Debian package $2" >&2
    if [[ $(id -u) == 0 ]]; then
      apt-get install -y "$2" >/dev/null
    else
      sudo apt-get install -y "$2" >/dev/null
    fi
  fi
  echo "bench: using $("$1" --version 2>&1 | head -1)" >&2
}
need sqlite3 sqlite3
need hyperfine hyperfine
[[ -x /usr/bin/time ]] || { echo "bench: installing GNU time" >&2; apt-get install -y time >/dev/null; }

echo "bench: building the release binary" >&2
cargo build --release --quiet
Y=$ROOT/target/release/yardstick

make_set() { # name people weeks
  local f="$DIR/$1.db"
  if [[ ! -f $f ]]; then
    echo "bench: making $1 ($2 people, $3 weeks of check-ins)" >&2
    "$Y" demo --db "$f" --people "$2" --weeks "$3" >/dev/null
  fi
}
make_set team 12 8
make_set org 2000 156
[[ $QUICK == 1 ]] || make_set org10m 6800 156

# The same SQLite settings yardstick uses for a write.
PRAGMAS="PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=5000;"
# sqlite3's best latest-value query: one seek per measure on the covering
# (measure_id, date, value) index.
LATEST="SELECT m.id, (SELECT c.value FROM checkin c WHERE c.measure_id = m.id AND c.value IS NOT NULL ORDER BY c.date DESC LIMIT 1) FROM measure m"
CSV_SQL="SELECT t.date, coalesce(op.handle, ot.handle), g.key, g.title, m.name, m.unit, t.value, t.confidence, t.status, t.note, a.handle, t.uuid FROM checkin t JOIN goal g ON g.id = t.goal_id LEFT JOIN person op ON op.id = g.owner_person_id LEFT JOIN team ot ON ot.id = g.owner_team_id LEFT JOIN measure m ON m.id = t.measure_id LEFT JOIN person a ON a.id = t.author_id ORDER BY t.id"
insert_sql() { # goal-key measure-name value
  echo "$PRAGMAS INSERT INTO checkin(uuid, goal_id, measure_id, date, value, created_at, updated_at) SELECT lower(hex(randomblob(16))), m.goal_id, m.id, '2026-11-22', $3, '2026-11-22T12:00:00Z', '2026-11-22T12:00:00Z' FROM measure m JOIN goal g ON g.id = m.goal_id WHERE g.key = '$1' AND m.name = '$2';"
}
team_latest() { # team handle
  echo "WITH RECURSIVE sub(id) AS (SELECT id FROM team WHERE handle = '$1' UNION SELECT t.id FROM team t JOIN sub ON t.parent_id = sub.id) SELECT m.id, (SELECT c.value FROM checkin c WHERE c.measure_id = m.id AND c.value IS NOT NULL ORDER BY c.date DESC LIMIT 1) FROM measure m JOIN goal g ON g.id = m.goal_id WHERE g.owner_person_id IN (SELECT id FROM person WHERE team_id IN sub) OR g.owner_team_id IN sub"
}

person_latest() { # person handle
  echo "SELECT m.id, (SELECT c.value FROM checkin c WHERE c.measure_id = m.id AND c.value IS NOT NULL ORDER BY c.date DESC LIMIT 1) FROM measure m JOIN goal g ON g.id = m.goal_id WHERE g.owner_person_id = (SELECT id FROM person WHERE handle = '$1')"
}

ROWS=()
# bench NAME TARGET RUNS "yardstick command" "sqlite3 command"
bench() {
  local name=$1 target=$2 runs=$3 ycmd=$4 scmd=$5 key
  key=$(echo "$name" | tr -c 'a-zA-Z0-9' '_')
  echo "bench: $name" >&2
  hyperfine -N --style none --output null --warmup "$([[ $runs -le 3 ]] && echo 0 || echo 3)" \
    --runs "$runs" --export-json "$DIR/json/$key.json" -n yardstick "$ycmd" -n sqlite3 "$scmd" >&2
  local rss
  /usr/bin/time -o "$DIR/rss.txt" -f '%M' bash -c "$ycmd >/dev/null 2>&1" || true
  rss=$(tail -1 "$DIR/rss.txt")
  ROWS+=("$name|$target|$DIR/json/$key.json|$rss")
}

T=$DIR/team.db
O=$DIR/org.db
bench "start-up (trivial command)" "≤ 3× sqlite3" 40 "$Y --version" "sqlite3 :memory: 'SELECT 1'"
bench "team file: plan list" "≤ 5 ms, ≤ 3× sqlite3 start-up" 40 "$Y --db $T plan list --format tsv" "sqlite3 $T 'SELECT id, key, title, status FROM goal'"
bench "team file: report team" "≤ 5 ms, ≤ 3× sqlite3 start-up" 40 "$Y --db $T report team --format tsv" "sqlite3 $T \"$LATEST\""
bench "team file: checkin" "≤ 5 ms, ≤ 3× sqlite3 start-up" 40 "$Y --db $T checkin api-latency 300 -q" "sqlite3 $T \"$(insert_sql api-latency 'p95 latency' 300)\""
bench "org file (3M): checkin" "≤ 5 ms" 30 "$Y --db $O checkin p102-keep-quality-high 5 --measure 'defects after release' -q" "sqlite3 $O \"$(insert_sql p102-keep-quality-high 'defects after release' 5)\""
bench "org file (3M): report one team" "≤ 30 ms" 20 "$Y --db $O report team platform-11 --format tsv" "sqlite3 $O \"$(team_latest platform-11)\""
bench "org file (3M): report person (review packet)" "≤ 30 ms" 20 "$Y --db $O report person p62 --format json" "sqlite3 $O \"$(person_latest p62)\""
bench "org file (3M): report whole org" "≤ 1.5× sqlite3, ≤ 1 s" 10 "$Y --db $O report goals --format tsv" "sqlite3 $O \"$LATEST\""
bench "org file (3M): export CSV" "≤ 1× sqlite3, ≤ 50 MB" 3 "$Y --db $O export --format csv -o /dev/null" "sqlite3 -csv -header $O \"$CSV_SQL\""
if [[ $QUICK == 0 ]]; then
  B=$DIR/org10m.db
  bench "10M file: checkin" "≤ 10 ms" 30 "$Y --db $B checkin p102-keep-quality-high 5 --measure 'defects after release' -q" "sqlite3 $B \"$(insert_sql p102-keep-quality-high 'defects after release' 5)\""
  bench "10M file: export CSV" "≤ 1× sqlite3, ≤ 50 MB" 2 "$Y --db $B export --format csv -o /dev/null" "sqlite3 -csv -header $B \"$CSV_SQL\""
fi

# The bulk load: demo at organisation size against sqlite3 inserting the same
# check-in rows, in one transaction, into an empty file with the same schema
# and the same goals, measures and people (copied beforehand).
BASE=$DIR/bulk-base.db
if [[ ! -f $BASE ]]; then
  "$Y" init --db "$BASE" </dev/null >/dev/null 2>&1
  sql="PRAGMA foreign_keys=OFF; ATTACH '$O' AS src; BEGIN;"
  for t in team person period goal measure; do sql="$sql DELETE FROM main.$t; INSERT INTO main.$t SELECT * FROM src.$t;"; done
  sqlite3 "$BASE" "$sql COMMIT;"
fi
echo "bench: demo at organisation size (two runs each, about a minute a run)" >&2
hyperfine --style none --output null --runs 2 --export-json "$DIR/json/demo.json" \
  --prepare "rm -f $DIR/demo-run.db $DIR/bulk-run.db*; cp $BASE $DIR/bulk-run.db" \
  -n yardstick "$Y demo --db $DIR/demo-run.db --people 2000 --weeks 156" \
  -n sqlite3 "sqlite3 $DIR/bulk-run.db \"$PRAGMAS PRAGMA cache_size=-131072; ATTACH '$O' AS src; BEGIN; INSERT INTO checkin SELECT * FROM src.checkin; COMMIT;\"" >&2
/usr/bin/time -o "$DIR/rss.txt" -f '%M' "$Y" demo --db "$DIR/demo-rss.db" --people 2000 --weeks 156 >/dev/null 2>&1
rss=$(tail -1 "$DIR/rss.txt")
rm -f "$DIR/demo-run.db" "$DIR/demo-rss.db" "$DIR"/bulk-run.db*
ROWS+=("demo --people 2000 --weeks 156|≤ 2× sqlite3 bulk insert|$DIR/json/demo.json|$rss")

# The rows are kept, so the table can be made again: python3 bench/table.py 0 < $DIR/rows.txt
printf '%s\n' "${ROWS[@]}" >"$DIR/rows.txt"
python3 "$ROOT/bench/table.py" "$QUICK" <"$DIR/rows.txt" | tee "$ROOT/bench/RESULTS.md"
