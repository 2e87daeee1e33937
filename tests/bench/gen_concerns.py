#!/usr/bin/env python3
"""Write N realistic, valid concerns as JSON Lines for ffc-send.

usage: gen_concerns.py N [CHILDREN] > concerns.jsonl

Concerns come from police, health, education, social care and others about
CHILDREN children (default N / 10), each agency naming the child the way it
knows it: health by NHS number, schools by UPN, police by their own person
id, social care by NHS number and UPN; all with name and date of birth, most
with a postcode. About one concern in ten is a household incident naming
two or three siblings. Events are spread over 2025 and 2026 (all in the
past), severities mostly low. Field names are proto/ffc.proto's, enums by
name. Deterministic: the same arguments give the same file.
"""

import json
import random
import sys

UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"
GIVEN = ["Ella", "Noah", "Amara", "Kai", "Leo", "Maya", "Oscar", "Zoë", "Isla", "Yusuf",
         "Freya", "Arlo", "Aisha", "Finn", "Ruby", "Ibrahim", "Siobhán", "Kacper", "Chloe",
         "Mohammed", "Lily", "Jayden", "Hana", "Tomasz"]
FAMILY = ["Smith", "Brown", "Okafor", "Walsh", "O'Brien", "Patel", "Khan", "Jones",
          "Nowak", "Smith-Jones", "Evans", "Begum", "Nguyen", "Ahmed", "Kowalski", "Murphy"]
AREAS = ["LS6", "LS7", "LS9", "LS11", "BD3", "BD8", "WF1", "HX1", "M1", "S2"]
CATEGORIES = {
    "POLICE": ["DOMESTIC_ABUSE", "DOMESTIC_ABUSE", "SUBSTANCE_MISUSE", "MISSING", "MISSING",
               "PHYSICAL_ABUSE", "CRIMINAL_EXPLOITATION", "SEXUAL_EXPLOITATION", "NEGLECT"],
    "HEALTH": ["WAS_NOT_BROUGHT", "WAS_NOT_BROUGHT", "NEGLECT", "INJURY", "MENTAL_HEALTH",
               "SELF_HARM"],
    "EDUCATION": ["EDUCATION_ABSENCE", "EDUCATION_ABSENCE", "EMOTIONAL_ABUSE", "NEGLECT",
                  "OTHER_CONCERN"],
    "SOCIAL_CARE": ["NEGLECT", "EMOTIONAL_ABUSE", "DOMESTIC_ABUSE", "SUBSTANCE_MISUSE",
                    "MENTAL_HEALTH"],
    "OTHER": ["OTHER_CONCERN", "NEGLECT", "MENTAL_HEALTH"],
}
AGENCIES = ["POLICE"] * 3 + ["HEALTH"] * 3 + ["EDUCATION"] * 3 + ["SOCIAL_CARE", "OTHER"]
SEVERITIES = ["LOW"] * 12 + ["MODERATE"] * 6 + ["HIGH"] * 2
SYSTEMS = {"POLICE": "Niche RMS", "HEALTH": "SystmOne", "EDUCATION": "CPOMS",
           "SOCIAL_CARE": "Mosaic", "OTHER": "Housing CRM"}
T_START = 1735689600000  # 2025-01-01
T_SPAN = 600 * 86400000  # to late August 2026
DAY = 86400000


def nhs_number(n):
    """A valid NHS number, different for each n."""
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
    rest = "9%011d" % n
    total = sum(int(ch) * (i + 2) for i, ch in enumerate(rest))
    return UPN_LETTERS[total % 23] + rest


class Child:
    def __init__(self, c, family_of):
        rc = random.Random(c)
        fam = family_of(c)
        rf = random.Random(fam)
        self.n = c
        self.given = rc.choice(GIVEN)
        self.family = rf.choice(FAMILY)
        self.postcode = "%s %d%s%s" % (rf.choice(AREAS), rf.randrange(10),
                                       rf.choice("ABDEFGHJLNPQRSTUWXYZ"),
                                       rf.choice("ABDEFGHJLNPQRSTUWXYZ"))
        self.dob = "%04d-%02d-%02d" % (2008 + rc.randrange(17), 1 + rc.randrange(12),
                                       1 + rc.randrange(28))

    def as_known_by(self, agency, rnd):
        kid = {"given_name": self.given, "family_name": self.family,
               "date_of_birth": self.dob}
        if rnd.random() < 0.8:
            kid["postcode"] = self.postcode
        if agency == "HEALTH":
            kid["nhs_number"] = nhs_number(self.n)
        elif agency == "EDUCATION":
            kid["upn"] = upn(self.n)
        elif agency == "POLICE":
            kid["local_id"] = "P-%07d" % self.n
        elif agency == "SOCIAL_CARE":
            kid["nhs_number"] = nhs_number(self.n)
            kid["upn"] = upn(self.n)
            kid["local_id"] = "SC-%06d" % self.n
        return kid


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__.strip().splitlines()[2])
    n = int(sys.argv[1])
    children = int(sys.argv[2]) if len(sys.argv) > 2 else max(1, n // 10)
    rnd = random.Random(20261122)
    # Siblings: children 0-2, 6-8, 12-14, ... are families of three; the
    # others only children.
    def family_of(c):
        return "family-%d" % (c // 3) if (c // 3) % 2 == 0 else "child-%d" % c
    out = sys.stdout
    for i in range(n):
        c = rnd.randrange(children)
        agency = rnd.choice(AGENCIES)
        named = [c]
        if rnd.random() < 0.1:
            named += [s for s in range(c - c % 3, c - c % 3 + 3)
                      if s != c and s < children and family_of(s) == family_of(c)]
        kids = [Child(x, family_of).as_known_by(agency, rnd) for x in named]
        at = T_START + rnd.randrange(T_SPAN)
        severity = "IMMEDIATE_RISK" if rnd.random() < 0.005 else rnd.choice(SEVERITIES)
        out.write(json.dumps({
            "concern_id": "%s-%08d" % (agency[:3], i), "agency": agency,
            "source_system": SYSTEMS[agency], "children": kids,
            "category": rnd.choice(CATEGORIES[agency]), "severity": severity,
            "occurred_at_ms": at, "reported_at_ms": at + rnd.randrange(1, 14) * DAY // 4,
            "summary": "Generated concern %d for load testing: %s." % (
                i, rnd.choice(["seen at home", "reported by neighbour", "school contact",
                               "A&E attendance", "missed appointment", "call-out"])),
            "reporter": "bench %s" % agency.lower()}, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
