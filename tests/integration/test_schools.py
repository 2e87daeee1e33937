"""Operation Encompass through the real ffcd, in curve mode with keys for
two schools' DSLs: a police domestic abuse incident on a Saturday night
gives a notice due on Monday at 08:30 (and reminded at 09:30) on the
child's school's topic, one in half term the first day back; another
school's key receives nothing of it, can neither list nor acknowledge it;
a child with no known school, home educated, or at a school ffcd does not
know goes to the front door; the school catches up by seq; the DSL
acknowledges with the school's key and the notice nobody acknowledged is
reminded, once, at the reminder time (the calendar set a few seconds
ahead), to the school and to the MACPT consoles; the child's record shows
the school and the notices; bad school URNs are rejected."""

import calendar
import json
import time
import unittest

from ffctest import main, nhs_number, now_ms, pb, upn
from schools import CurveDaemon, CurveTest, quiet, receive


def ms(text):
    """UTC milliseconds of "YYYY-MM-DD HH:MM" (UTC)."""
    return calendar.timegm(time.strptime(text, "%Y-%m-%d %H:%M")) * 1000


def child(n, **kw):
    kid = dict(nhs_number=nhs_number(n), given_name="Kid%d" % n, family_name="Smith",
               date_of_birth="2016-04-%02d" % (n % 28 + 1))
    kid.update(kw)
    return kid


def police_da(cid, at, kids, **kw):
    c = pb.Concern(concern_id=cid, agency=pb.POLICE, category=pb.DOMESTIC_ABUSE,
                   severity=pb.MODERATE, occurred_at_ms=at, reported_at_ms=at,
                   summary="Domestic incident at home", **kw)
    for k in kids:
        c.children.add(**k)
    return c


def school_record(cid, at, kid, urn):
    c = pb.Concern(concern_id=cid, agency=pb.EDUCATION, category=pb.EDUCATION_ABSENCE,
                   severity=pb.LOW, occurred_at_ms=at, reported_at_ms=at, school_urn=urn)
    c.children.add(**kid)
    return c


class Encompass(CurveTest):
    def test_saturday_night_due_monday_at_the_childs_school_only(self):
        hill = self.d.subscriber("hillside-dsl", b"notice.", b"alert.", b"feedback.")
        beck = self.d.subscriber("becklane-dsl", b"notice.", b"notice.school.100001", b"")
        police_sub = self.d.subscriber("police", b"notice.")
        console = self.d.subscriber("macpt", b"notice.")
        time.sleep(0.5)
        # Ella attends Hillside (a school record says so); her brother is
        # named by no school.
        ella, noah = child(1), child(2)
        self.accepted("education", [school_record("e-1", ms("2025-10-01 09:00"), ella,
                                                  "100001")])
        saturday = ms("2025-11-08 22:40")
        self.accepted("police", [police_da("P-77", saturday, [ella, noah], child_present=True)])

        got = receive(hill, 2, pb.SchoolNotice)
        (topic, n), (topic2, reminded) = got
        self.assertEqual(topic, "notice.school.100001")
        self.assertEqual((n.urn, n.school_name), ("100001", "Hillside Primary"))
        self.assertEqual((n.given_name, n.family_name, n.date_of_birth),
                         (ella["given_name"], "Smith", ella["date_of_birth"]))
        self.assertEqual(n.incident_at_ms, saturday)
        self.assertTrue(n.child_present)
        self.assertEqual(n.police_reference, "P-77")
        # Monday 10 November, 08:30 GMT; reminded at 09:30.
        self.assertEqual(n.due_at_ms, ms("2025-11-10 08:30"))
        self.assertEqual(n.remind_at_ms, ms("2025-11-10 09:30"))
        self.assertEqual(n.front_door, pb.FRONT_DOOR_REASON_UNSPECIFIED)
        # What a school is told: nothing but these (no summary, no daemon id).
        self.assertEqual(n.child_id, "")
        self.assertNotIn(b"Domestic incident at home", n.SerializeToString())
        # Its reminder time passed long ago: reminded at once, to the school.
        self.assertEqual(topic2, "notice.school.100001.reminder")
        self.assertEqual(reminded.seq, n.seq)
        self.assertGreater(reminded.reminded_at_ms, 0)
        self.assertEqual(quiet(hill), [])

        # Noah, no school known: the front door, on the consoles' topic,
        # with the daemon's id of the child; then the reminders of both.
        topics = {t: m for t, m in receive(console, 3, pb.SchoolNotice)}
        self.assertEqual(sorted(topics), ["notice.front-door", "notice.reminder.100001",
                                          "notice.reminder.front-door"])
        fd = topics["notice.front-door"]
        self.assertEqual(fd.front_door, pb.NO_KNOWN_SCHOOL)
        self.assertEqual(fd.given_name, noah["given_name"])
        self.assertTrue(fd.child_id.startswith("C"))
        self.assertEqual(topics["notice.reminder.100001"].notice_id, n.notice_id)
        self.assertTrue(topics["notice.reminder.100001"].child_id)

        # Another school's key, the police adapter's: nothing at all.
        self.assertEqual(quiet(beck), [])
        self.assertEqual(quiet(police_sub), [])

        # Catching up by seq: the school sees its own, without ids.
        r = self.d.request("hillside-dsl", pb.ControlRequest(notices=pb.NoticesRequest()))
        self.assertEqual(r.error, "")
        self.assertEqual([x.notice_id for x in r.notices.notices], [n.notice_id])
        self.assertEqual(r.notices.notices[0].child_id, "")
        r = self.d.request("hillside-dsl", pb.ControlRequest(
            notices=pb.NoticesRequest(since_seq=n.seq)))
        self.assertEqual(list(r.notices.notices), [])
        self.assertEqual(r.notices.last_seq, 2)
        # Beck Lane's key: none of them, and may not ask for Hillside's.
        r = self.d.request("becklane-dsl", pb.ControlRequest(notices=pb.NoticesRequest()))
        self.assertEqual((r.error, list(r.notices.notices)), ("", []))
        r = self.d.request("becklane-dsl", pb.ControlRequest(
            notices=pb.NoticesRequest(urn="100001")))
        self.assertEqual(r.error,
                         "notices.urn: a school's key sees its own school's notices only")
        r = self.d.ffcctl("becklane-dsl", "notice", "ack", n.notice_id, "--by", "Mr Hope")
        self.assertEqual(r.returncode, 1)
        self.assertIn("no notice %s for school 100002" % n.notice_id, r.stderr)
        # Nor may an adapter or a console ask.
        r = self.d.request("police", pb.ControlRequest(notices=pb.NoticesRequest()))
        self.assertIn("notices: needs the practitioner role; police is an adapter", r.error)
        r = self.d.request("macpt", pb.ControlRequest(notice_ack=pb.NoticeAckRequest(
            notice_id=n.notice_id, by="x")))
        self.assertIn("a console may only fetch alerts and notices", r.error)
        # An operator may not acknowledge a school's notice for it.
        r = self.d.ffcctl("ops", "notice", "ack", n.notice_id, "--by", "Ops")
        self.assertIn("its designated safeguarding lead acknowledges it with the school's key",
                      r.stderr)

        # The DSL acknowledges; it is recorded, announced, and not twice.
        r = self.d.ffcctl("hillside-dsl", "notice", "ack", n.notice_id, "--by", "Ms Khan")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("acknowledged by Ms Khan", r.stdout)
        (t, acked), = receive(hill, 1, pb.SchoolNotice)
        self.assertEqual(t, "notice.school.100001.ack")
        self.assertEqual(acked.acknowledged_by, "Ms Khan")
        r = self.d.ffcctl("hillside-dsl", "notice", "ack", n.notice_id, "--by", "Ms Khan")
        self.assertIn("already acknowledged by Ms Khan", r.stderr)
        # The front door's notice: a practitioner acknowledges it.
        r = self.d.ffcctl("worker", "notice", "ack", fd.notice_id, "--by", "Duty SW")
        self.assertEqual(r.returncode, 0, r.stderr)
        # The audit trail has both, under each child.
        audit = self.d.request("ops", pb.ControlRequest(purpose="check",
                                                        audit=pb.AuditRequest()))
        acks = [(e.by, e.command, e.detail) for e in audit.audit.entries
                if e.command == "notice ack" and not e.refused]
        self.assertEqual(acks, [("hillside-dsl", "notice ack", "%s by Ms Khan" % n.notice_id),
                                ("worker", "notice ack", "%s by Duty SW" % fd.notice_id)])

        # The child's record: her school and the notice.
        r = self.d.request("ops", pb.ControlRequest(purpose="check", child=pb.ChildRequest(
            nhs_number=ella["nhs_number"])))
        self.assertEqual((r.child.school_urn, r.child.school_name), ("100001",
                                                                      "Hillside Primary"))
        self.assertEqual([x.notice_id for x in r.child.notices], [n.notice_id])
        self.assertEqual([e.school_urn for e in r.child.chronology], ["100001", ""])
        self.assertEqual(self.d.request("ops", pb.ControlRequest(
            stats=pb.StatsRequest())).stats.notices, 2)

    def test_half_term_and_friday_evening(self):
        hill = self.d.subscriber("hillside-dsl", b"notice.school.100001")
        time.sleep(0.5)
        kid = child(3)
        self.accepted("education", [school_record("e-3", ms("2025-09-10 09:00"), kid, "100001")])
        # Saturday of half term (25 October to 2 November): Monday 3
        # November, 08:30 GMT (summer time ended on 26 October).
        self.accepted("police", [police_da("P-HT", ms("2025-10-25 21:00"), [kid])])
        # Friday evening before an INSET Monday: Tuesday 18 November.
        self.accepted("police", [police_da("P-FR", ms("2025-11-14 19:30"), [kid])])
        # A weekday evening in summer time: the next morning, 07:30 UTC.
        self.accepted("police", [police_da("P-WD", ms("2025-10-21 20:00"), [kid])])
        notices = [m for t, m in receive(hill, 6, pb.SchoolNotice)
                   if t == "notice.school.100001"]
        due = {m.police_reference: m.due_at_ms for m in notices}
        self.assertEqual(due, {"P-HT": ms("2025-11-03 08:30"), "P-FR": ms("2025-11-18 08:30"),
                               "P-WD": ms("2025-10-22 07:30")})
        self.assertFalse(any(m.child_present for m in notices))

    def test_front_door_reasons_and_the_flag(self):
        console = self.d.subscriber("macpt", b"notice.front-door")
        hill = self.d.subscriber("hillside-dsl", b"notice.")
        time.sleep(0.5)
        home, away, known = child(4), child(5), child(6, upn=upn(6))
        self.accepted("education", [
            school_record("e-4", ms("2025-09-10 09:00"), home, "ehe"),
            school_record("e-5", ms("2025-09-10 09:00"), away, "123456"),
            # A child who moved: the later record (by when it happened,
            # whatever the order it arrived in) names the current school.
            school_record("e-6b", ms("2025-10-01 09:00"), known, "100001"),
            school_record("e-6a", ms("2025-09-01 09:00"), known, "100002"),
        ])
        at = ms("2025-11-05 19:00")
        self.accepted("police", [police_da("P-H", at, [home]), police_da("P-A", at, [away])])
        # Any police concern flagged as a domestic incident, whatever its
        # category; not one that is not.
        flagged = police_da("P-K", at, [known], domestic_incident=True)
        flagged.category = pb.PHYSICAL_ABUSE
        plain = police_da("P-N", at, [known])
        plain.category = pb.NEGLECT
        self.accepted("police", [flagged, plain])
        got = {m.police_reference: m for _, m in receive(console, 2, pb.SchoolNotice)}
        self.assertEqual(got["P-H"].front_door, pb.HOME_EDUCATED)
        self.assertEqual(got["P-H"].urn, "")
        self.assertEqual(got["P-A"].front_door, pb.SCHOOL_NOT_CONFIGURED)
        self.assertEqual((got["P-A"].urn, got["P-A"].school_name), ("123456", ""))
        topics = [(t, m.police_reference) for t, m in receive(hill, 1, pb.SchoolNotice)]
        self.assertEqual(topics, [("notice.school.100001", "P-K")])
        self.assertEqual(quiet(console), [])
        # Health and education domestic abuse concerns raise none.
        self.accepted("health", [pb.Concern(
            concern_id="H-1", agency=pb.HEALTH, category=pb.DOMESTIC_ABUSE, severity=pb.LOW,
            occurred_at_ms=at, domestic_incident=True, children=[pb.ChildIdentity(**known)])])
        self.assertEqual([t for t in quiet(hill) if not t.endswith(".reminder")], [])

    def test_ffc_watch_prints_a_schools_notices(self):
        kid = child(8)
        self.accepted("education", [school_record("e-8", ms("2025-09-10 09:00"), kid, "100001")])
        # One before the DSL's console starts (caught up), one after (live).
        self.accepted("police", [police_da("P-W1", ms("2025-11-05 19:00"), [kid])])
        watch = self.d.watch("hillside-dsl", "--notices", "100001", "--json", "--count", "2")
        self.addCleanup(watch.kill)
        time.sleep(2)
        self.accepted("police", [police_da("P-W2", ms("2025-11-06 19:00"), [kid])])
        out, err = watch.communicate(timeout=60)
        self.assertEqual(watch.returncode, 0, err)
        lines = [json.loads(line) for line in out.splitlines()]
        fresh = [x["police_reference"] for x in lines if x["type"] == "notice"]
        self.assertEqual(fresh, ["P-W1", "P-W2"])
        self.assertTrue(all(x.get("child_id", "") == "" for x in lines))
        # Its text form, from the state file's seq on: nothing new but
        # what comes next.
        self.accepted("police", [police_da("P-W3", ms("2025-11-07 19:00"), [kid])])
        watch = self.d.watch("hillside-dsl", "--notices", "100001", "--count", "1")
        self.addCleanup(watch.kill)
        out, err = watch.communicate(timeout=60)
        self.assertEqual(watch.returncode, 0, err)
        self.assertRegex(out, r"NOTICE N\d+ 100001 Hillside Primary: Kid8 Smith, born "
                              r"2016-04-09; incident 2025-11-07 19:00 UTC \(child not present\), "
                              r"police ref P-W3; due 2025-11-10 08:30 UTC\n")
        self.assertNotIn("P-W1", out)
        # Another school's key is told so, and given nothing.
        watch = self.d.watch("becklane-dsl", "--notices", "100001", "--count", "1")
        self.addCleanup(watch.kill)
        time.sleep(2)
        watch.terminate()
        out, err = watch.communicate(timeout=30)
        self.assertEqual(out, "")
        self.assertIn("a school's key sees its own school's notices only", err)

    def test_school_urn_rules(self):
        kid = child(7)
        bad = [("123", "school_urn: not a URN (six digits from 100000 to 999999) nor EHE"),
               ("012345", "school_urn: not a URN (six digits from 100000 to 999999) nor EHE"),
               ("1234567", "school_urn: not a URN (six digits from 100000 to 999999) nor EHE")]
        for urn, error in bad:
            r, = self.d.send_as("education", [school_record("b-" + urn, ms("2025-09-10 09:00"),
                                                            kid, urn)])
            self.assertEqual((r.status, r.error), (pb.Receipt.REJECTED, error))
        c = police_da("P-U", ms("2025-09-10 09:00"), [kid])
        c.school_urn = "100001"
        r, = self.d.send_as("police", [c])
        self.assertEqual((r.status, r.error),
                         (pb.Receipt.REJECTED, "school_urn: only an education concern names "
                                               "a school"))
        # The same id again with another school is new content: refused.
        r, = self.d.send_as("education", [school_record("s-1", ms("2025-09-10 09:00"), kid,
                                                        "100001")])
        self.assertEqual(r.status, pb.Receipt.ACCEPTED)
        r, = self.d.send_as("education", [school_record("s-1", ms("2025-09-10 09:00"), kid,
                                                        "100002")])
        self.assertEqual(r.error, "concern_id: reused with different content")


    def test_withdrawn_with_the_police_concern(self):
        """The police withdraw a concern sent about the wrong child: its
        notice is withdrawn too, the school is told on its topic and its
        copy keeps no name, it is no longer waiting, and it cannot be
        acknowledged."""
        d = self.d
        hill = d.subscriber("hillside-dsl", b"notice.school.100001")
        console = d.subscriber("macpt", b"notice.withdrawn.")
        time.sleep(0.5)
        now = now_ms()
        kid = child(21)
        self.accepted("education", [school_record("e-w", now - 86400000, kid, "100001")])
        self.accepted("police", [police_da("P-W", now - 60000, [kid])])
        (t, raised), = receive(hill, 1, pb.SchoolNotice)
        self.assertEqual(raised.given_name, "Kid21")
        r = d.request("ops", pb.ControlRequest(
            operator="ops", withdraw=pb.WithdrawRequest(
                agency=pb.POLICE, concern_id="P-W", reason="sent about the wrong child")))
        self.assertEqual(r.error, "")
        self.assertEqual(list(r.withdraw.notice_ids), [raised.notice_id])
        (t, m), = receive(hill, 1, pb.SchoolNotice)
        self.assertEqual(t, "notice.school.100001.withdrawn")
        self.assertEqual((m.notice_id, m.given_name, m.family_name, m.date_of_birth),
                         (raised.notice_id, "", "", ""))
        self.assertGreater(m.withdrawn_at_ms, 0)
        (t, m), = receive(console, 1, pb.SchoolNotice)
        self.assertEqual(t, "notice.withdrawn.100001")
        r = d.request("hillside-dsl", pb.ControlRequest(notices=pb.NoticesRequest()))
        self.assertEqual([(x.notice_id, x.given_name) for x in r.notices.notices],
                         [(raised.notice_id, "")])
        r = d.request("hillside-dsl", pb.ControlRequest(
            notices=pb.NoticesRequest(unacknowledged=True)))
        self.assertEqual(list(r.notices.notices), [])
        r = d.ffcctl("hillside-dsl", "notice", "ack", raised.notice_id, "--by", "Ms Khan")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("was withdrawn", r.stderr)
        r = d.ffcctl("hillside-dsl", "notices")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("WITHDRAWN", r.stdout)
        self.assertNotIn("Kid21", r.stdout)

class Reminder(unittest.TestCase):
    """The reminder at its configured time: the calendar's day starts a few
    seconds from now and the reminder comes a few seconds later, every day
    a school day (UTC, so the test does not depend on summer time)."""

    def test_ack_before_the_reminder_and_the_reminder(self):
        now = now_ms()
        of_day = now // 1000 % 86400
        if of_day > 86400 - 120:
            time.sleep(86400 - of_day + 1)  # not across midnight
            now = now_ms()
            of_day = now // 1000 % 86400

        def clock(s):
            return "%02d:%02d:%02d" % (s // 3600, s // 60 % 60, s % 60)
        starts, remind = of_day + 20, of_day + 30
        cal = ('  timezone = "UTC";\n  day_starts = "%s";\n  remind_at = "%s";\n'
               '  school_days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];'
               % (clock(starts), clock(remind)))
        d = CurveDaemon(self, calendar=cal).start()
        hill = d.subscriber("hillside-dsl", b"notice.school.100001")
        console = d.subscriber("macpt", b"notice.reminder.")
        time.sleep(0.5)
        a, b = child(11), child(12)
        for kid, cid in ((a, "e-a"), (b, "e-b")):
            r, = d.send_as("education", [school_record(cid, now - 86400000, kid, "100001")])
            self.assertEqual(r.status, pb.Receipt.ACCEPTED, r.error)
        r, = d.send_as("police", [police_da("P-R", now - 60000, [a, b])])
        self.assertEqual(r.status, pb.Receipt.ACCEPTED, r.error)
        notices = [m for _, m in receive(hill, 2, pb.SchoolNotice)]
        midnight = now // 86400000 * 86400000
        for m in notices:
            self.assertEqual(m.due_at_ms, midnight + starts * 1000)
            self.assertEqual(m.remind_at_ms, midnight + remind * 1000)
        first, second = sorted(notices, key=lambda m: m.seq)
        r = d.ffcctl("hillside-dsl", "notice", "ack", first.notice_id, "--by", "Ms Khan")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual([t for t, _ in receive(hill, 1, pb.SchoolNotice)],
                         ["notice.school.100001.ack"])
        # Nothing before the reminder time.
        wait = (midnight + remind * 1000 - now_ms()) / 1000.0
        self.assertGreater(wait, 1.0)
        self.assertFalse(hill.poll(int((wait - 0.8) * 1000)))
        # Then the one nobody acknowledged, to the school and the consoles.
        (t, m), = receive(hill, 1, pb.SchoolNotice, timeout=10)
        self.assertEqual((t, m.notice_id), ("notice.school.100001.reminder", second.notice_id))
        self.assertGreaterEqual(m.reminded_at_ms, midnight + remind * 1000)
        (t, m), = receive(console, 1, pb.SchoolNotice)
        self.assertEqual((t, m.notice_id), ("notice.reminder.100001", second.notice_id))
        self.assertEqual(quiet(hill, 1500), [])
        # Once only, across a restart too.
        self.assertEqual(d.stop(), 0)
        d.start()
        hill = d.subscriber("hillside-dsl", b"notice.")
        self.assertEqual(quiet(hill, 2000), [])
        r = d.request("hillside-dsl", pb.ControlRequest(
            notices=pb.NoticesRequest(unacknowledged=True)))
        self.assertEqual([x.notice_id for x in r.notices.notices], [second.notice_id])
        self.assertGreater(r.notices.notices[0].reminded_at_ms, 0)
        d.assert_stops_cleanly(self)


if __name__ == "__main__":
    main()
