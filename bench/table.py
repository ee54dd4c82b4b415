"""Turn bench/run.sh's hyperfine results into the RESULTS.md table.

Reads lines "operation|target|hyperfine-json|peak-rss-kb" on stdin.
"""

import datetime
import json
import os
import platform
import re
import subprocess
import sys


def fmt(seconds):
    if seconds >= 1:
        return f"{seconds:.2f} s"
    return f"{seconds * 1000:.1f} ms"


def met(target, y, s, rss_mb):
    """Whether the yardstick median meets the row's target; None if unclear."""
    ok = True
    for m in re.finditer(r"≤ ([\d.]+) ?(ms|s|×|MB)(?![a-z])", target):
        limit, unit = float(m.group(1)), m.group(2)
        if unit == "ms":
            ok &= y * 1000 <= limit
        elif unit == "s":
            ok &= y <= limit
        elif unit == "×":
            ok &= y <= limit * s
        elif unit == "MB":
            ok &= rss_mb <= limit
    return ok


def machine():
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    sqlite = subprocess.run(["sqlite3", "--version"], capture_output=True, text=True).stdout.split()[0]
    return f"{platform.system()} {platform.release()}, {os.cpu_count()} cores ({cpu}), {mem:.0f} GiB; sqlite3 CLI {sqlite}"


def main():
    quick = sys.argv[1:] == ["1"]
    rows = []
    for line in sys.stdin:
        name, target, path, rss = line.rstrip("\n").split("|")
        with open(path) as f:
            results = {r["command"]: r for r in json.load(f)["results"]}
        y = results["yardstick"]["median"]
        s = results["sqlite3"]["median"]
        rss_mb = int(rss or 0) / 1024
        ok = met(target, y, s, rss_mb)
        rows.append(
            f"| {name} | {fmt(y)} | {fmt(s)} | {y / s:.2f} | {rss_mb:.1f} MB | {target} | {'yes' if ok else '**no**'} |"
        )
    today = datetime.date.today().isoformat()
    out = [
        "# Benchmark results",
        "",
        f"Run {today} on {machine()}.",
        "Medians of whole-process runs after a warm-up (hyperfine); peak memory is",
        "yardstick's maximum resident set size. Made by `bash bench/run.sh"
        + (" --quick" if quick else "")
        + "`; see docs/performance.md for what each row runs.",
        "",
        "| operation | yardstick | sqlite3 | ratio | yardstick peak memory | target | met |",
        "|---|---|---|---|---|---|---|",
        *rows,
        "",
    ]
    print("\n".join(out))


main()
