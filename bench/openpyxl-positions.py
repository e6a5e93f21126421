"""Reference for `npm run bench:export`: openpyxl in write-only mode on the same rows (read from a CSV).

Usage: python3 bench/openpyxl-positions.py rows.csv out.xlsx
Prints JSON: the seconds spent writing the workbook, the seconds of a pass that only reads and converts the
rows (subtracted, so openpyxl is timed on writing alone, as tixport's xlsx is timed without Postgres), and the
process's peak RSS. Rows are streamed, never held all at once, so memory stays flat at a million rows.
"""
import csv
import json
import re
import resource
import sys
import time
from datetime import datetime

from openpyxl import Workbook

NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")


def typed(value):
    """The same cell types as tixport's xlsx: numbers as numbers, local date-times as datetimes."""
    if value == "":
        return None
    if NUMBER.match(value):
        return float(value) if "." in value else int(value)
    if DATETIME.match(value):
        return datetime.fromisoformat(value)
    return value


def rows(source):
    with open(source, newline="", encoding="utf-8") as handle:
        for row in csv.reader(handle):
            yield [typed(v) for v in row]


def main(source, target):
    started = time.perf_counter()
    for _ in rows(source):
        pass
    reading = time.perf_counter() - started

    started = time.perf_counter()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Order positions")
    for row in rows(source):
        sheet.append(row)
    workbook.save(target)
    total = time.perf_counter() - started

    print(
        json.dumps(
            {
                "seconds": round(max(total - reading, 0.0), 3),
                "read_seconds": round(reading, 3),
                "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
