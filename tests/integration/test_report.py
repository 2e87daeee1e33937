"""The partnership's report through the real ffcd: a scenario with known
answers (concerns from three agencies, alerts acknowledged, closed and
raised again, Operation Encompass notices acknowledged in time and not,
a rejected concern, a possible match) gives exactly those counts, as
JSON, CSV and text; a period without activity gives zeros; no child is
named in any form of it; it is for admins only, needs a purpose and is in
the audit trail."""

import csv
import io
import json
import os
import time
import unittest

from ffctest import (CONF, DAY, HOUR, main, nhs_number, now_ms, pb, scratch_dir,
                     start_daemon, upn, wait_for)

OPERATORS = """operators = (
    { name = "j.doe"; role = "practitioner"; unix_user = %d; },
    { name = "a.dmin"; role = "admin"; unix_user = %d; }
  );""" % ((os.getuid(),) * 2)


def day(ms):
    return time.strftime("%Y-%m-%d", time.gmtime(ms // 1000))


def report_conf(test, now):
    """The shipped file with operators, a school, and the days around now
    closed, so a notice raised now is due a fortnight ahead."""
    with open(CONF) as f:
        text = f.read()
    closed = ", ".join('"%s"' % day(now + k * DAY) for k in range(-1, 16))
    for old, new in (("operators = ();", OPERATORS),
                     ("  closed = [];", "  closed = [ %s ];" % closed),
                     ("  notice_max_age_days = 7;", "  notice_max_age_days = 0;"),
                     ("  list = ();", '  list = ( { urn = "100001"; name = "Hillside Primary"; } );'),
                     ('  contact = "";', '  contact = "MACPT duty desk";')):
        assert old in text, old
        text = text.replace(old, new)
    path = os.path.join(scratch_dir(test), "report.conf")
    with open(path, "w") as f:
        f.write(text)
    return path


def concern(cid, agency, category, severity, at, school_urn="", **kid):
    c = pb.Concern(concern_id=cid, agency=agency, category=category, severity=severity,
                   occurred_at_ms=at, reported_at_ms=at, school_urn=school_urn)
    c.children.add(**kid)
    return c


class Report(unittest.TestCase):
    def setUp(self):
        self.now = now_ms()
        self.d = start_daemon(self, conf=report_conf(self, self.now), operator="a.dmin")

    def tearDown(self):
        if self.d.running():
            self.d.assert_stops_cleanly(self)
        self.d.assert_clean(self)

    def ctl(self, *args, operator="a.dmin", purpose="quarterly partnership report"):
        return self.d.tool("ffcctl", "--operator", operator, *args,
                           env={"FFC_PURPOSE": purpose or ""})

    def ok(self, *args, **kw):
        r = self.ctl(*args, **kw)
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout

    def scenario(self):
        now = self.now
        n1, n2 = nhs_number(51), nhs_number(52)
        ella = dict(nhs_number=n1, given_name="Ella", family_name="Jones",
                    date_of_birth="2016-04-12")
        leo = dict(nhs_number=n2, given_name="Leo", family_name="Clark",
                   date_of_birth="2018-12-01")
        mia = dict(given_name="Mia", family_name="Reid", date_of_birth="2014-02-02")
        sent = [
            # Ella: police and health the same day, multi-agency AMBER; no
            # school known: a front-door notice, due a fortnight ahead.
            concern("p1", pb.POLICE, pb.DOMESTIC_ABUSE, pb.MODERATE, now - HOUR, **ella),
            concern("h1", pb.HEALTH, pb.WAS_NOT_BROUGHT, pb.MODERATE, now - HOUR, **ella),
            # Leo: immediate risk twice (closed between): RED, RED again.
            concern("p2", pb.POLICE, pb.PHYSICAL_ABUSE, pb.IMMEDIATE_RISK, now - 2 * HOUR,
                    **leo),
            # Mia at Hillside; a police incident forty days ago: her
            # school's notice was due long since, nobody acknowledged it.
            concern("e2", pb.EDUCATION, pb.EDUCATION_ABSENCE, pb.LOW, now - 100 * DAY,
                    school_urn="100001", upn=upn(53), **mia),
            concern("p4", pb.POLICE, pb.DOMESTIC_ABUSE, pb.MODERATE, now - 40 * DAY, **mia),
            # A pupil with a UPN, nothing else.
            concern("e1", pb.EDUCATION, pb.EDUCATION_ABSENCE, pb.LOW, now - DAY,
                    upn=upn(54)),
            # Kai to health, Kia to the police: perhaps one child.
            concern("h2", pb.HEALTH, pb.WAS_NOT_BROUGHT, pb.LOW, now - DAY, given_name="Kai",
                    family_name="Brown", date_of_birth="2015-05-05", postcode="LS1 4AP"),
            concern("p5", pb.POLICE, pb.NEGLECT, pb.LOW, now - DAY, given_name="Kia",
                    family_name="Brown", date_of_birth="2015-05-05", postcode="LS1 4AP"),
        ]
        for c in sent:
            r = self.d.send_one(c)
            self.assertEqual(r.status, pb.Receipt.ACCEPTED, (c.concern_id, r.error))
        bad = concern("p-bad", pb.POLICE, pb.NEGLECT, pb.LOW, now - DAY,
                      nhs_number="9434765918")
        self.assertEqual(self.d.send_one(bad).status, pb.Receipt.REJECTED)
        alerts = {(a.rule, a.level): a for a in self.d.all_alerts()}
        self.assertEqual(sorted(alerts), [("immediate-risk", pb.RED), ("multi-agency", pb.AMBER)])
        self.ok("ack", alerts[("multi-agency", pb.AMBER)].alert_id, "--by", "Sam Jones")
        self.ok("close", alerts[("immediate-risk", pb.RED)].alert_id, "--by", "Sam Jones",
                "--outcome", "no further action")
        r = self.d.send_one(concern("p3", pb.POLICE, pb.PHYSICAL_ABUSE, pb.IMMEDIATE_RISK,
                                    now - HOUR, **leo))
        self.assertEqual(r.status, pb.Receipt.ACCEPTED, r.error)
        notices = self.d.control(pb.ControlRequest(notices=pb.NoticesRequest())).notices
        by_ref = {n.police_reference: n for n in notices.notices}
        self.assertEqual(sorted(by_ref), ["p1", "p4"])
        self.assertGreater(by_ref["p1"].due_at_ms, now + 14 * DAY)
        self.assertLess(by_ref["p4"].due_at_ms, now)
        self.ok("notice", "ack", by_ref["p1"].notice_id, "--by", "Duty SW")
        # The late one is reminded at the next tick.
        wait_for(lambda: self.d.control(pb.ControlRequest(notices=pb.NoticesRequest(
            since_seq=by_ref["p4"].seq - 1, limit=1))).notices.notices[0].reminded_at_ms)

    def report(self, *period):
        return json.loads(self.ok("--json", "report", "--from", period[0], "--to", period[1]))

    def test_known_answers(self):
        self.scenario()
        period = (day(self.now - DAY), day(self.now + DAY))
        r = self.report(*period)
        self.assertEqual(int(r["concerns"]), 9)
        by = {(c["agency"], c["category"]): int(c["count"]) for c in r["concerns_by"]}
        self.assertEqual(by, {("POLICE", "DOMESTIC_ABUSE"): 2, ("POLICE", "PHYSICAL_ABUSE"): 2,
                              ("POLICE", "NEGLECT"): 1, ("HEALTH", "WAS_NOT_BROUGHT"): 2,
                              ("EDUCATION", "EDUCATION_ABSENCE"): 2})
        self.assertEqual(int(r["alerts"]), 3)
        self.assertEqual([(a["rule"], a["level"], a["outcome"], int(a["count"]))
                          for a in r["alerts_by"]],
                         [("immediate-risk", "RED", "no further action", 1),
                          ("immediate-risk", "RED", "open", 1),
                          ("multi-agency", "AMBER", "acknowledged", 1)])
        # By the month each was raised in (UTC).
        months = {}
        for a in self.d.all_alerts():
            key = (time.strftime("%Y-%m", time.gmtime(a.raised_at_ms // 1000)), a.rule,
                   pb.Level.Name(a.level))
            months[key] = months.get(key, 0) + 1
        self.assertEqual([(m["month"], m["rule"], m["level"], int(m["count"]))
                          for m in r["alerts_by_month"]],
                         [k + (v,) for k, v in sorted(months.items())])
        self.assertEqual(sum(months.values()), 3)
        resp = {f["level"]: f for f in r["response"]}
        self.assertEqual([f["level"] for f in r["response"]], ["RED", "AMBER"])
        self.assertEqual((int(resp["RED"]["alerts"]), int(resp["RED"]["responded"]),
                          int(resp["RED"]["counted"]), int(resp["RED"]["within"])), (2, 1, 1, 1))
        self.assertEqual(resp["RED"]["within_share"], 1.0)
        self.assertEqual(int(resp["RED"]["response_ms"]), 120 * 60000)
        self.assertEqual((int(resp["AMBER"]["alerts"]), int(resp["AMBER"]["responded"]),
                          int(resp["AMBER"]["within"])), (1, 1, 1))
        # Answered within the test's minute or so.
        for f in r["response"]:
            self.assertLess(int(f["p90_ms"]), 10 * 60000)
            self.assertLessEqual(int(f["median_ms"]), int(f["p90_ms"]))
        self.assertEqual((int(r["children_alerted"]), int(r["children_realerted"])), (2, 1))
        n = r["notices"]
        self.assertEqual({k: n.get(k, 0) for k in ("notices", "to_schools", "to_front_door",
                                                    "acknowledged", "judged",
                                                    "acknowledged_by_due", "reminded")},
                         {"notices": 2, "to_schools": 1, "to_front_door": 1, "acknowledged": 1,
                          "judged": 2, "acknowledged_by_due": 1, "reminded": 1})
        self.assertEqual(n["share_by_due"], 0.5)
        adapters = {a["adapter"]: a for a in r["adapters"]}
        self.assertEqual(sorted(adapters), ["education", "health", "police"])
        figures = {name: tuple(int(a.get(k, 0)) for k in ("accepted", "rejected", "children",
                                                          "children_identified"))
                   for name, a in adapters.items()}
        self.assertEqual(figures, {"police": (5, 1, 5, 3), "health": (2, 0, 2, 1),
                                   "education": (2, 0, 2, 2)})
        self.assertEqual(adapters["police"]["identified_share"], 0.6)
        self.assertEqual([(c["name"], int(c["count"])) for c in adapters["police"]["rejections"]],
                         [("children[].nhs_number: check digit mismatch", 1)])
        self.assertEqual(int(r["matches_unreviewed"]), 1)
        self.assertEqual([(c["name"], int(c["count"])) for c in r["matches_unreviewed_by_kind"]],
                         [("GIVEN_NAME_ONE_EDIT", 1)])

        # The same as CSV and text, and no child named in any form.
        text = self.ok("report", "--from", period[0], "--to", period[1])
        table = self.ok("report", "--from", period[0], "--to", period[1], "--csv")
        rows = list(csv.reader(io.StringIO(table)))
        self.assertEqual(rows[0], ["section", "key", "subkey", "item", "value"])
        self.assertIn(["alerts", "immediate-risk", "RED", "no further action", "1"], rows)
        self.assertIn(["adapter", "police", "rejection",
                       "children[].nhs_number: check digit mismatch", "1"], rows)
        self.assertIn(["notices", "", "", "share_by_due", "0.5000"], rows)
        for (month, rule, level), count in months.items():
            self.assertIn(["alerts_by_month", month, rule, level, str(count)], rows)
            self.assertRegex(text, r"\n  %s +%s +%s +%d\n" % (month, rule, level, count))
        self.assertIn(["children", "", "", "realerted", "1"], rows)
        self.assertIn("of 2 due or acknowledged, 1 acknowledged by their due time (50%)", text)
        raw = json.dumps(r)
        for form in (raw, text, table):
            for secret in ("C000", "Ella", "Leo", "Mia", "Kai", "Kia", "Brown", "Jones",
                           nhs_number(51), "p1", "h2"):
                self.assertNotIn(secret, form)

        # Another period: nothing.
        empty = self.report("2020-01-01", "2020-12-31")
        self.assertEqual(int(empty.get("concerns", 0)), 0)
        self.assertEqual(int(empty.get("alerts", 0)), 0)
        self.assertEqual(int(empty["notices"].get("notices", 0)), 0)
        self.assertEqual(empty.get("adapters", []), [])

    def test_admin_only_with_a_purpose_and_audited(self):
        r = self.ctl("report", "--from", "2026-01-01", "--to", "2026-03-31", operator="j.doe")
        self.assertEqual(r.returncode, 1)
        self.assertIn("report: needs the admin role; j.doe is a practitioner", r.stderr)
        r = self.ctl("report", "--from", "2026-01-01", "--to", "2026-03-31", purpose="")
        self.assertEqual(r.returncode, 1)
        self.assertIn("report: purpose: required", r.stderr)
        self.ok("report", "--from", "2026-01-01", "--to", "2026-03-31")
        trail = json.loads(self.ok("--json", "audit", "--by", "a.dmin", purpose="review"))
        reports = [e for e in trail["entries"] if e["command"] == "report"]
        self.assertEqual([(e.get("refused", False), e.get("purpose")) for e in reports],
                         [(True, ""), (False, "quarterly partnership report")])
        self.assertEqual([e.get("child_id", "") for e in reports], ["", ""])
        # The period is checked.
        for args, why in ((("--from", "2026-03-31", "--to", "2026-01-01"),
                           "report.to_ms: not after from_ms"),
                          (("--from", "2000-01-01", "--to", "2026-01-01"),
                           "report.to_ms: a report covers at most 10 years")):
            r = self.ctl("report", *args)
            self.assertEqual(r.returncode, 1)
            self.assertIn(why, r.stderr)
        r = self.ctl("report", "--from", "yesterday", "--to", "2026-01-01")
        self.assertEqual(r.returncode, 2)
        self.assertIn("--from: 'yesterday' is not a date", r.stderr)


if __name__ == "__main__":
    main()
