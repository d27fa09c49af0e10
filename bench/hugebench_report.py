#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""hugebench.csv (bench/huge.sh) as a Markdown table: the median per read of
each mapping under each clock, and PTE-mapped over PMD-mapped."""
import csv
import statistics
import sys

rows = list(csv.DictReader(open(sys.argv[1])))
print("| clock | PMD-mapped (2 MiB) | PTE-mapped (4 KiB) | PTE / PMD | faults to map 256 MiB, PMD / PTE |")
print("|---|---|---|---|---|")
for clock, unit in (("tcg", "ns"), ("icount", "instructions")):
    med, faults = {}, {}
    for mode in ("pmd-2M", "pte-4K"):
        sel = [r for r in rows if r["clock"] == clock and r["mode"] == mode]
        if not sel:
            sys.exit(f"no {clock} {mode} rows")
        med[mode] = statistics.median(float(r["ns_per_read"]) for r in sel)
        faults[mode] = sel[0]["prefault_faults"]
    print(f"| {clock} | {med['pmd-2M']:.1f} {unit} | {med['pte-4K']:.1f} {unit} | "
          f"{med['pte-4K'] / med['pmd-2M']:.2f} | {faults['pmd-2M']} / {faults['pte-4K']} |")
