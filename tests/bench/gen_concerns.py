#!/usr/bin/env python3
"""Write N realistic, valid concerns as JSON Lines for ffc-send.

usage: gen_concerns.py N [CHILDREN] > concerns.jsonl

Concerns come from police, health and education about CHILDREN children
(default N / 10), each agency naming the child the way it knows it (NHS
number, UPN, or its own id with name and date of birth), spread over 2025
and 2026. Deterministic: the same arguments give the same file.
"""

import json
import random
import sys

UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"
GIVEN = ["Ella", "Noah", "Amara", "Kai", "Leo", "Maya", "Oscar", "Zoë", "Isla", "Yusuf",
         "Freya", "Arlo", "Aisha", "Finn", "Ruby", "Ibrahim"]
FAMILY = ["Smith", "Brown", "Okafor", "Walsh", "O'Brien", "Patel", "Khan", "Jones",
          "Nowak", "Smith-Jones", "Evans", "Begum"]
CATEGORIES = ["DOMESTIC_ABUSE", "SUBSTANCE_MISUSE", "MENTAL_HEALTH", "NEGLECT",
              "PHYSICAL_ABUSE", "EMOTIONAL_ABUSE", "MISSING", "EDUCATION_ABSENCE",
              "WAS_NOT_BROUGHT", "SELF_HARM", "INJURY", "OTHER_CONCERN"]
SEVERITIES = ["LOW"] * 6 + ["MODERATE"] * 3 + ["HIGH"]
T_START = 1735689600000  # 2025-01-01
T_SPAN = 600 * 86400000


def nhs_number(n):
    k = 0
    while True:
        nine = "%09d" % (300000000 + n * 13 + k)
        total = sum(int(d) * (10 - i) for i, d in enumerate(nine))
        c = 11 - total % 11
        c = 0 if c == 11 else c
        if c != 10 and len(set(nine + str(c))) > 1:
            return nine + str(c)
        k += 1


def upn(n):
    body = "9%011d" % n
    total = sum(int(ch) * (i + 2) for i, ch in enumerate(body))
    return UPN_LETTERS[total % 23] + body


def main():
    n = int(sys.argv[1])
    children = int(sys.argv[2]) if len(sys.argv) > 2 else max(1, n // 10)
    rnd = random.Random(20261122)
    out = sys.stdout
    for i in range(n):
        c = rnd.randrange(children)
        rc = random.Random(c)
        given, family = rc.choice(GIVEN), rc.choice(FAMILY)
        dob = "%04d-%02d-%02d" % (2008 + rc.randrange(17), 1 + rc.randrange(12),
                                  1 + rc.randrange(28))
        agency = ("POLICE", "HEALTH", "EDUCATION")[rnd.randrange(3)]
        if agency == "HEALTH":
            kid = {"nhs_number": nhs_number(c), "given_name": given, "family_name": family,
                   "date_of_birth": dob}
            cat = rnd.choice(["WAS_NOT_BROUGHT", "NEGLECT", "INJURY", "MENTAL_HEALTH",
                              "SELF_HARM"])
        elif agency == "EDUCATION":
            kid = {"upn": upn(c), "given_name": given, "family_name": family,
                   "date_of_birth": dob}
            cat = rnd.choice(["EDUCATION_ABSENCE", "EMOTIONAL_ABUSE", "NEGLECT",
                              "OTHER_CONCERN"])
        else:
            kid = {"local_id": "P-%07d" % c, "given_name": given, "family_name": family,
                   "date_of_birth": dob}
            cat = rnd.choice(CATEGORIES)
        at = T_START + rnd.randrange(T_SPAN)
        out.write(json.dumps({
            "concern_id": "%s-%08d" % (agency[:3], i), "agency": agency,
            "source_system": agency.lower() + "-records", "children": [kid],
            "category": cat, "severity": rnd.choice(SEVERITIES), "occurred_at_ms": at,
            "reported_at_ms": at + 3600000,
            "summary": "Generated concern %d for load testing." % i,
            "reporter": "bench"}, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
