#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Count the leaf test cases in kunit.py's JSON: prints 'passed failed skipped'."""
import json
import sys


def walk(group, counts):
    for case in group.get("test_cases", []):
        status = case["status"]
        if status == "PASS":
            counts[0] += 1
        elif status == "SKIP":
            counts[2] += 1
        else:
            counts[1] += 1
            print(f"kunit: {status} {group['name']}.{case['name']}", file=sys.stderr)
    for sub in group.get("sub_groups", []):
        walk(sub, counts)


counts = [0, 0, 0]
with open(sys.argv[1]) as f:
    walk(json.load(f), counts)
print(*counts)
