#!/usr/bin/env python3
"""Check a yardstick CSV export against the JSON output of the same command.

Usage:
    scripts/check-csv.py FILE.csv JSON_FILE [--key PART]

    yardstick report goals --format csv  -o goals.csv
    yardstick report goals --format json -o goals.json
    scripts/check-csv.py goals.csv goals.json

The CSV is read with Python's csv module (a leading UTF-8 byte-order mark, as
written by --bom, is allowed). The rows are compared with the first table of
the JSON document: the first value, in document order, that is a list of
objects (or the part named with --key). A document without a table is
compared as one row: its first object that is not a chart.

Every cell must equal its JSON value:

- strings: equal, apart from the documented formula neutralisation: text
  whose first visible character (past controls, whitespace, a byte-order
  mark and other invisible format characters) is = + - @, or that starts
  with tab, CR or LF, gets a leading ' in the CSV unless the whole text is a
  plain real number (-3.5 stays -3.5);
- numbers: compared as floats;
- null: an empty cell;
- true/false: the words true and false;
- arrays of numbers (sparklines): the numbers separated by single spaces.

The header must be the JSON keys in the same order. Prints
"N rows checked, M mismatches" and exits 0 when M is 0, 1 on a mismatch and
2 when a file cannot be read.
"""

import csv
import json
import math
import sys
import unicodedata

FORMULA = ("=", "+", "-", "@")
BREAKS = ("\t", "\r", "\n")
NUMBER_CHARS = set("0123456789+-.eE")
# Invisible format characters a spreadsheet may skip: soft hyphen, combining
# grapheme joiner, Arabic letter mark, Mongolian vowel separator, zero-width
# space and joiners, direction marks, embeddings and overrides, word joiner
# and isolates, byte-order mark.
INVISIBLE = (
    set("\u00ad\u034f\u061c\u180e\ufeff")
    | {chr(c) for c in range(0x200B, 0x2010)}
    | {chr(c) for c in range(0x202A, 0x202F)}
    | {chr(c) for c in range(0x2060, 0x2070)}
)


def invisible_lead(c):
    """Whether a spreadsheet may drop or skip c before it looks for a formula."""
    return unicodedata.category(c) == "Cc" or c.isspace() or c in INVISIBLE


def is_plain_number(text):
    """A finite real number written with digits, signs, a point and an exponent only."""
    if not text or not set(text) <= NUMBER_CHARS:
        return False
    if not any(c.isdigit() for c in text):
        return False
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


def neutralize(text):
    """The CSV form of a text value (the leading ' rule)."""
    first = next((c for c in text if not invisible_lead(c)), "")
    if (text.startswith(BREAKS) or first in FORMULA) and not is_plain_number(text):
        return "'" + text
    return text


def same_number(cell, value):
    try:
        got = float(cell)
    except ValueError:
        return False
    if not math.isfinite(got):
        return False
    return got == value or abs(got - value) <= 1e-9 * max(1.0, abs(value))


def cell_matches(cell, value):
    """Whether the CSV text `cell` is the CSV form of the JSON `value`."""
    if value is None:
        return cell == ""
    if isinstance(value, bool):
        return cell == ("true" if value else "false")
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            return cell == ""
        # A number is written as a number: never with a leading quote.
        return same_number(cell, float(value))
    if isinstance(value, str):
        return cell == neutralize(value)
    if isinstance(value, list):
        numbers = [v for v in value if isinstance(v, (int, float)) and not isinstance(v, bool)]
        if len(numbers) != len(value):
            return False
        parts = cell.split(" ") if cell else []
        return len(parts) == len(numbers) and all(
            same_number(p, float(n)) for p, n in zip(parts, numbers)
        )
    return False


def json_rows(doc, key=None):
    """The rows (list of dicts) of the first table of a yardstick JSON document."""
    if isinstance(doc, list):
        return doc
    if not isinstance(doc, dict):
        raise ValueError("the JSON document is not an object")
    if key is not None:
        part = doc.get(key)
        if isinstance(part, list):
            return part
        if isinstance(part, dict):
            return [part]
        raise ValueError("the JSON document has no part %r" % key)
    for name, part in doc.items():
        if name in ("schema_version", "kind"):
            continue
        if isinstance(part, list) and all(isinstance(r, dict) for r in part):
            return part
    for name, part in doc.items():
        if name in ("schema_version", "kind"):
            continue
        if isinstance(part, dict) and "kind" not in part:
            return [part]
    raise ValueError("the JSON document has no table and no record")


def main(argv):
    args = argv[1:]
    key = None
    if "--key" in args:
        i = args.index("--key")
        if i + 1 >= len(args):
            print("usage: check-csv.py FILE.csv JSON_FILE [--key PART]", file=sys.stderr)
            return 2
        key = args[i + 1]
        del args[i : i + 2]
    if len(args) != 2:
        print("usage: check-csv.py FILE.csv JSON_FILE [--key PART]", file=sys.stderr)
        return 2
    csv_path, json_path = args
    try:
        with open(csv_path, newline="", encoding="utf-8-sig") as f:
            records = list(csv.reader(f, strict=True))
        with open(json_path, encoding="utf-8") as f:
            rows = json_rows(json.load(f), key)
    except (OSError, ValueError, csv.Error) as e:
        print("check-csv: %s" % e, file=sys.stderr)
        return 2

    mismatches = 0

    def mismatch(message):
        nonlocal mismatches
        mismatches += 1
        if mismatches <= 20:
            print("mismatch: " + message, file=sys.stderr)

    if not records:
        mismatch("the CSV file is empty (no header row)")
        header, body = [], []
    else:
        header, body = records[0], records[1:]
    if rows and header != list(rows[0].keys()):
        mismatch("header %r is not the JSON keys %r" % (header, list(rows[0].keys())))
    if len(body) != len(rows):
        mismatch("%d CSV rows but %d JSON rows" % (len(body), len(rows)))
    for n, (record, row) in enumerate(zip(body, rows), start=1):
        if len(record) != len(header):
            mismatch("row %d has %d cells, the header %d" % (n, len(record), len(header)))
            continue
        for name, cell in zip(header, record):
            if name not in row:
                mismatch("row %d: column %r is not in the JSON row" % (n, name))
            elif not cell_matches(cell, row[name]):
                mismatch("row %d, column %r: CSV %r, JSON %r" % (n, name, cell, row[name]))

    checked = min(len(body), len(rows))
    print("%d rows checked, %d mismatches" % (checked, mismatches))
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
