"""Arrival order does not change the set of (child, rule, level) alerts the
real ffcd raises, with a rule whose thresholds one concern can pass
together (a severity sum where a HIGH concern goes from under AMBER to
RED): the same histories sent in event-time order, newest first and
shuffled, in single concerns and in pipelined bursts, give the same set,
and the set a Python reading of the rules gives. A level passed at once is
raised, published and stored, superseded by the higher one at once."""

import os
import random

from ffctest import (CONF, DAY, T0, as_raised, concern, main, nhs_number, pb, receive_alerts,
                     scratch_dir, start_daemon)
import unittest

JUMP_RULE = """
  ,{
    name = "harm-jump";
    kind = "severity-sum";
    window_days = 45;
    weights = { low = 1; moderate = 2; high = 4; };
    amber = 3;
    red = 6;
  }
"""

WEIGHT = {pb.LOW: 1, pb.MODERATE: 2, pb.HIGH: 4, pb.IMMEDIATE_RISK: 0}


def conf_with_jump_rule(test):
    """The shipped configuration with one more rule at the end of its list."""
    with open(CONF) as f:
        text = f.read()
    end = text.rindex(");")
    path = os.path.join(scratch_dir(test), "ffcd.conf")
    with open(path, "w") as f:
        f.write(text[:end] + JUMP_RULE + text[end:])
    return path


def expected_harm_jump(hist):
    """{levels} harm-jump raises for one child's concerns."""
    best = 0
    for s in hist:
        total = sum(WEIGHT[c["severity"]] for c in hist
                    if s["at"] <= c["at"] <= s["at"] + 45 * DAY)
        best = max(best, total)
    return {lvl for lvl, need in ((pb.AMBER, 3), (pb.RED, 6)) if best >= need}


class ArrivalOrder(unittest.TestCase):
    def setUp(self):
        self.d = start_daemon(self, conf=conf_with_jump_rule(self))

    def tearDown(self):
        if self.d.running():
            self.d.assert_stops_cleanly(self)

    def test_a_jump_raises_the_level_passed(self):
        sub = self.d.subscribe()
        k = [dict(nhs_number=nhs_number(1))]
        r = self.d.send_one(concern("m", agency=pb.HEALTH, category=pb.NEGLECT,
                                    severity=pb.MODERATE, at=T0, children=k))
        self.assertEqual(r.status, pb.Receipt.ACCEPTED)
        # MODERATE 2 + HIGH 4 = 6: from nothing to RED at once.
        self.d.send_one(concern("h", agency=pb.HEALTH, category=pb.NEGLECT, severity=pb.HIGH,
                                at=T0 + DAY, children=k))
        (t1, amber), (t2, red) = receive_alerts(sub, 2)
        self.assertEqual((t1, t2), ("alert.amber.harm-jump", "alert.red.harm-jump"))
        self.assertEqual(red.seq, amber.seq + 1)
        self.assertEqual(red.supersedes, amber.alert_id)
        self.assertEqual(amber.supersedes, "")
        self.assertEqual(amber.child_id, red.child_id)
        self.assertEqual(sorted(e.concern_id for e in amber.evidence), ["h", "m"])
        stored = self.d.alerts(since=amber.seq - 1).alerts
        self.assertEqual([as_raised(a) for a in stored], [as_raised(amber), as_raised(red)])
        self.assertEqual([a.state for a in stored], [pb.SUPERSEDED, pb.OPEN])

    def test_alerts_do_not_depend_on_arrival_order(self):
        rnd = random.Random(2718)
        agencies = [pb.POLICE, pb.HEALTH, pb.EDUCATION, pb.SOCIAL_CARE]
        categories = [pb.DOMESTIC_ABUSE, pb.SUBSTANCE_MISUSE, pb.MENTAL_HEALTH, pb.NEGLECT,
                      pb.MISSING]
        severities = [pb.LOW] * 4 + [pb.MODERATE] * 3 + [pb.HIGH] * 2
        # One history that jumps in time order and climbs when reversed,
        # then random ones.
        histories = [[dict(agency=pb.HEALTH, category=pb.NEGLECT, severity=pb.MODERATE,
                           at=T0 + 60000),
                      dict(agency=pb.HEALTH, category=pb.NEGLECT, severity=pb.HIGH,
                           at=T0 + DAY)]]
        for _ in range(7):
            histories.append([dict(agency=rnd.choice(agencies),
                                   category=rnd.choice(categories),
                                   severity=rnd.choice(severities),
                                   at=T0 + rnd.randrange(120 * 24 * 60) * 60000)
                              for _ in range(rnd.randrange(2, 9))])
        orders = [("time", lambda h: sorted(h, key=lambda x: x["at"]), False),
                  ("newest", lambda h: sorted(h, key=lambda x: -x["at"]), False),
                  ("shuffled", lambda h: rnd.sample(h, len(h)), False),
                  ("burst", lambda h: rnd.sample(h, len(h)), True)]
        results = {}
        for o, (name, order, burst) in enumerate(orders):
            batch = []
            for child, hist in enumerate(histories):
                nhs = nhs_number(300 + o * 50 + child)
                for i, x in enumerate(order(hist)):
                    batch.append(concern("%s-%d-%d" % (name, child, i),
                                         children=[dict(nhs_number=nhs)], **x))
            if burst:  # pipelined: several per write transaction
                rs = self.d.send(batch)
            else:
                rs = [self.d.send_one(c) for c in batch]
            self.assertTrue(all(r.status == pb.Receipt.ACCEPTED for r in rs))
        got = {}
        for a in self.d.all_alerts():
            got.setdefault(a.child_id, set()).add((a.rule, a.level))
        for o, (name, _, _) in enumerate(orders):
            results[name] = [got.get(self.d.child(nhs_number=nhs_number(300 + o * 50 + c))
                                     .child.child_id, set())
                             for c in range(len(histories))]
        for child, hist in enumerate(histories):
            want = results["time"][child]
            for name, _, _ in orders:
                self.assertEqual(results[name][child], want,
                                 "child %d sent %s: %s" % (child, name, hist))
            self.assertEqual({lvl for rule, lvl in want if rule == "harm-jump"},
                             expected_harm_jump(hist), hist)
        self.assertIn(("harm-jump", pb.RED), results["time"][0])
        self.assertIn(("harm-jump", pb.AMBER), results["time"][0])


if __name__ == "__main__":
    main()
