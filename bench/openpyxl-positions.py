"""Reference for `npm run bench:export`: openpyxl in write-only mode on the same rows (read from a CSV).

Usage: python3 bench/openpyxl-positions.py rows.csv out.xlsx
Prints the seconds spent writing the workbook (reading the CSV is excluded, so openpyxl is favoured).
"""
import csv
import re
import sys
import time

from openpyxl import Workbook

NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def typed(value):
    if value == "":
        return None
    if NUMBER.match(value):
        return float(value) if "." in value else int(value)
    return value


def main(source, target):
    with open(source, newline="", encoding="utf-8") as handle:
        rows = [[typed(v) for v in row] for row in csv.reader(handle)]
    started = time.perf_counter()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Order positions")
    for row in rows:
        sheet.append(row)
    workbook.save(target)
    print(f"{time.perf_counter() - started:.3f}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
