#!/usr/bin/env bash
# review-cycle.sh — one quarter of a team lead's performance management, scripted.
#
# Bob Okafor leads Platform Engineering at Northwind Analytics (the company of
# examples/team-plan.toml). This is the script he runs for his team's Q4:
#
#   1. load the people, teams and goals from the plan file;
#   2. collect a month of weekly check-ins on the team's measures;
#   3. open the Q4 review cycle and hand Alice a copy of the data, so she can
#      write her self review on her own machine; merge her file back;
#   4. collect the other reviews, calibrate, record outcomes, finalize;
#   5. export CSV for the spreadsheet and an HTML packet per person.
#
# Usage: examples/review-cycle.sh [DB [OUTDIR]]
#
#   DB      the team's database, created here (must not exist yet);
#           default: team.db in a new temporary directory
#   OUTDIR  where the CSV files and HTML packets go (created if missing);
#           default: out/ beside the default database
#
# Needs only bash, coreutils, awk and `yardstick` on PATH (or in $YARDSTICK).
# It never prompts: nothing here runs on a terminal, and yardstick never asks
# without one. The clock is pinned with YARDSTICK_TODAY before each step, so
# the run is the same every time, whatever today really is.

set -euo pipefail

YARDSTICK=${YARDSTICK:-yardstick}
if ! command -v "$YARDSTICK" >/dev/null 2>&1; then
  echo "review-cycle.sh: cannot find '$YARDSTICK' (build it and put target/debug on PATH)" >&2
  exit 1
fi

# Where this script lives, to find examples/team-plan.toml from anywhere.
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PLAN="$HERE/team-plan.toml"

# Defaults go to a new temporary directory, kept after the run for a look.
if [[ $# -lt 2 ]]; then
  SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/review-cycle.XXXXXX")
fi
DB=${1:-$SCRATCH/team.db}
OUT=${2:-$SCRATCH/out}
# Alice's laptop, simulated: a directory of her own, removed at the end.
ALICE_HOME=$(mktemp -d "${TMPDIR:-/tmp}/review-cycle-alice.XXXXXX")
trap 'rm -rf "$ALICE_HOME"' EXIT

if [[ -e $DB ]]; then
  echo "review-cycle.sh: $DB already exists; give a new path" >&2
  exit 1
fi
mkdir -p "$OUT"

# Every yardstick command below uses the team's file, unless it says --db.
export YARDSTICK_DB=$DB

LEAD=bob          # me: the team lead
TEAM=platform     # my team
MEMBER=alice      # the member who works offline
CYCLE=2026-Q4     # the review cycle's name
PERIOD=2026-Q4    # the period it reviews

ys() { "$YARDSTICK" "$@"; }
say() { printf '\n==> %s\n' "$*"; }

# tsv_cols a,b,c — pick columns by header name from TSV on stdin, dropping
# the header. Empty cells become "-", so `read` with IFS=tab keeps them.
tsv_cols() {
  awk -F'\t' -v want="$1" '
    NR == 1 { n = split(want, w, ","); for (i = 1; i <= NF; i++) ix[$i] = i; next }
    {
      line = ""
      for (j = 1; j <= n; j++) {
        v = (w[j] in ix) ? $(ix[w[j]]) : ""
        if (v == "") v = "-"
        line = line (j > 1 ? "\t" : "") v
      }
      print line
    }'
}

# ---------------------------------------------------------------------------
say "1. Create $DB and load the plan (26 October 2026)"
export YARDSTICK_TODAY=2026-10-26
ys init --me "$LEAD" --name "Bob Okafor"
# Look before touching anything, then apply. Applying twice changes nothing.
ys plan apply "$PLAN" --dry-run --format tsv >/dev/null
ys plan apply "$PLAN" --format tsv >/dev/null

# The handles of the teams, with their leads: a team goal is checked in by
# the team's lead, a personal goal by its owner.
TEAMS_AND_LEADS=$(ys team list --format tsv | tsv_cols handle,lead)
author_of() {
  local owner=$1 team lead
  while IFS=$'\t' read -r team lead; do
    if [[ $team == "$owner" ]]; then
      [[ $lead == - ]] && lead=$LEAD
      echo "$lead"
      return
    fi
  done <<<"$TEAMS_AND_LEADS"
  echo "$owner"
}

# The team's active goals (personal goals of members and the team's own goal).
mapfile -t GOALS < <(ys plan list --team "$TEAM" --status active --format tsv | tsv_cols key,owner)
echo "Goals of $TEAM: ${#GOALS[@]}"

# ---------------------------------------------------------------------------
say "2. A month of weekly check-ins (Fridays, 30 October to 20 November)"
week=0
for day in 2026-10-30 2026-11-06 2026-11-13 2026-11-20; do
  week=$((week + 1))
  export YARDSTICK_TODAY=$day       # the day the check-ins are written
  for row in "${GOALS[@]}"; do
    IFS=$'\t' read -r key owner <<<"$row"
    author=$(author_of "$owner")
    # The goal's measures: name, kind, baseline, target.
    while IFS=$'\t' read -r measure kind baseline target; do
      # Each week brings a fifth of the way from baseline to target; yes/no
      # measures flip to yes in the last week. Whole numbers stay whole.
      value=$(awk -v k="$kind" -v b="$baseline" -v t="$target" -v w="$week" 'BEGIN {
        f = w / 5
        if (k == "yesno") { print (w >= 4 ? "yes" : "no"); exit }
        v = b + (t - b) * f
        if (k == "milestone" || (b == int(b) && t == int(t))) { printf "%d\n", v + 0.5; exit }
        s = sprintf("%.2f", v); sub(/0+$/, "", s); sub(/\.$/, "", s); print s
      }')
      ys --as "$author" checkin "$key" "$value" --measure "$measure" \
        --date "$day" --confidence $((5 + week)) --note "week $week" -q
    done < <(ys plan show "$key" --format tsv | tsv_cols measure,kind,baseline,target)
  done
done
ys checkin list --team "$TEAM" --since 2026-10-26 --format tsv | awk 'END { print NR - 1 " check-ins recorded" }'

# Feedback as it happens, for the packets.
export YARDSTICK_TODAY=2026-11-20
ys --as "$LEAD" feedback give dev "Automating the canary stage took a whole class of outages off the table" --kind praise

# ---------------------------------------------------------------------------
say "3. Open the review cycle $CYCLE (23 November) with the default template"
export YARDSTICK_TODAY=2026-11-23
ys appraise cycle new "$CYCLE" --period "$PERIOD" --team "$TEAM" \
  --self-due 2026-11-30 --manager-due 2026-12-04
ys appraise cycle open "$CYCLE"

# Alice works on her laptop this week. She gets a copy of the team's file…
ys export -o "$ALICE_HOME/northwind.json"
ALICE_DB=$ALICE_HOME/alice.db
ys init --db "$ALICE_DB"
# The file is Bob's full export as an admin; naming him with --from trusts it as his.
ys --db "$ALICE_DB" import "$ALICE_HOME/northwind.json" --from "$LEAD" --format tsv >/dev/null

# …starts her self review as a draft on Tuesday, finishes it on Thursday…
export YARDSTICK_TODAY=2026-11-24
ys --db "$ALICE_DB" --as "$MEMBER" appraise review "$CYCLE" "$MEMBER" --kind self \
  --rate collaboration=4 --summary "Draft: p95 latency work"
export YARDSTICK_TODAY=2026-11-26
ys --db "$ALICE_DB" --as "$MEMBER" appraise review "$CYCLE" "$MEMBER" --kind self \
  --rate collaboration=4 --rate communication=3 --rate ownership=4 --rate expertise=4 \
  --rate api-latency=4 \
  --comment api-latency="Cached the three hottest endpoints; p95 is down by a third" \
  --summary "Brought p95 latency from 450 ms towards 200 ms and raised test coverage" \
  --submit
# …and sends back only her own data.
ys --db "$ALICE_DB" --as "$MEMBER" export --person "$MEMBER" -o "$ALICE_HOME/$MEMBER.json"

# Back on the lead's machine: look first, then merge. --from names who sent
# the file, so each change is checked against what Alice may write (her own
# self review, yes; anyone else's records, no), whatever the file says about
# itself. Merging is by UUID, so importing the same file again would change
# nothing.
export YARDSTICK_TODAY=2026-11-27
ys import "$ALICE_HOME/$MEMBER.json" --from "$MEMBER" --dry-run --format tsv >/dev/null
ys import "$ALICE_HOME/$MEMBER.json" --from "$MEMBER" --format tsv >/dev/null

# ---------------------------------------------------------------------------
say "4. The other reviews, calibration, outcomes, finalize"
ys --as dev appraise review "$CYCLE" dev --kind self \
  --rate collaboration=3 --rate ownership=4 --rate release-pipeline=3 \
  --summary "Automated the pipeline stage by stage; the zero-downtime deploy landed last week" --submit
ys --as bob appraise review "$CYCLE" bob --kind self \
  --rate collaboration=4 --rate communication=4 --rate ownership=4 --rate expertise=3 \
  --summary "Kept the platform on target while hiring stalled" --submit

# Manager reviews: Bob reviews his reports, Maria (his manager) reviews him.
export YARDSTICK_TODAY=2026-12-02
ys --as bob appraise review "$CYCLE" alice --kind manager \
  --rate api-latency=4 --rate collaboration=4 --rate communication=4 \
  --rate ownership=5 --rate expertise=4 \
  --summary "A strong quarter: the latency work is ahead of plan" --submit
ys --as bob appraise review "$CYCLE" dev --kind manager \
  --rate release-pipeline=3 --rate collaboration=3 --rate communication=3 \
  --rate ownership=4 --rate expertise=3 \
  --summary "Solid delivery; write more of it down" --submit
ys --as maria appraise review "$CYCLE" bob --kind manager \
  --rate collaboration=4 --rate communication=3 --rate ownership=4 --rate expertise=4 \
  --summary "Steady leadership" --submit

# Every self and manager review is in: close reviews and calibrate.
export YARDSTICK_TODAY=2026-12-07
ys appraise cycle calibrate "$CYCLE"
ys appraise calibrate "$CYCLE" dev --level 4 \
  --reason "Carried the on-call rotation alone for three weeks in November"

export YARDSTICK_TODAY=2026-12-08
ys appraise outcome "$CYCLE" alice --potential high --recommend promotion \
  --action "Lead the caching design review" --due 2027-03-31
ys appraise outcome "$CYCLE" dev --potential medium --recommend raise \
  --action "Write up the pipeline runbook" --due 2027-02-28
# Bob's own outcome is his manager's to record, not his.
ys --as maria appraise outcome "$CYCLE" bob --potential medium --recommend bonus

export YARDSTICK_TODAY=2026-12-10
ys appraise cycle finalize "$CYCLE"

# ---------------------------------------------------------------------------
say "5. Exports for the spreadsheet and a packet per person, in $OUT"
# -o writes each file 0600; the format follows the extension.
ys report team "$TEAM" -o "$OUT/team.csv"
ys report goals --team "$TEAM" -o "$OUT/goals.csv"
ys export --person "$MEMBER" --format csv -o "$OUT/checkins-$MEMBER.csv"
ys export --format csv -o "$OUT/checkins.csv"
# One review packet per participant of the cycle.
mapfile -t PEOPLE < <(ys appraise status "$CYCLE" --format tsv | tsv_cols person)
for handle in "${PEOPLE[@]}"; do
  ys report person "$handle" --cycle "$CYCLE" -o "$OUT/$handle.html"
done

# ---------------------------------------------------------------------------
say "Summary"
echo "Database:   $DB"
echo "Check-ins:  $(ys checkin list --format tsv | awk 'END { print NR - 1 }')"
echo "Cycle:      $(ys appraise cycle list --format tsv | tsv_cols name,state | awk -F'\t' -v c="$CYCLE" '$1 == c { print $1 " (" $2 ")" }')"
echo "Files:"
for f in "$OUT"/*; do echo "  $f"; done
echo
ys appraise status "$CYCLE" --format table
