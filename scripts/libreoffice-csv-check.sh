#!/usr/bin/env bash
# Open a CSV in LibreOffice Calc (headless) as a user would, and count the
# cells that became formulas. yardstick's CSV must give 0.
#
#   scripts/libreoffice-csv-check.sh FILE.csv      prints "N formula cells"
#
# LibreOffice is installed (Debian's libreoffice-calc-nogui) when missing and
# we may install packages; otherwise the script says so and exits 77 (skip).
set -euo pipefail
csv=${1:?usage: $0 FILE.csv}
if ! command -v soffice >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "installing LibreOffice Calc (libreoffice-calc-nogui)…" >&2
        timeout 900 apt-get install -y -qq --no-install-recommends libreoffice-calc-nogui >/dev/null 2>&1 \
            || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq --no-install-recommends libreoffice-calc-nogui >/dev/null 2>&1; } \
            || { echo "cannot install LibreOffice here" >&2; exit 77; }
    else
        echo "LibreOffice (soffice) is not installed and cannot be installed here" >&2
        exit 77
    fi
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The default CSV import: comma, double quotes, UTF-8 — what double-clicking does.
HOME="$work" soffice --headless --norestore -env:UserInstallation="file://$work/profile" \
    --infilter="CSV:44,34,76" --convert-to fods --outdir "$work" "$csv" >/dev/null 2>&1
out="$work/$(basename "${csv%.*}").fods"
[ -f "$out" ] || { echo "LibreOffice did not convert $csv" >&2; exit 1; }
# grep finds nothing when there is nothing to count: that is an answer, not an error.
formulas=$({ grep -o 'table:formula=' "$out" || true; } | wc -l | tr -d ' ')
floats=$({ grep -o 'office:value-type="float"' "$out" || true; } | wc -l | tr -d ' ')
echo "$formulas formula cells, $floats number cells"
