"""ffc-web in a real headless Chromium (Debian's chromium and chromedriver,
driven by python3-selenium) against the real ffcd: sign in through the
form; a RED alert appears live without a reload and is announced to screen
readers; acknowledged and closed with an outcome in two clicks each, the
change seen at once in a second person's browser; a child's record opened
for a purpose, with its timeline; a viewer refused a child's record in
ffcd's words; a wrong password locked out; a change without its CSRF
token refused (a plain HTTP request with a signed-in browser's cookie);
and every read in ffcd's audit trail under the person's name, via
ffc-web."""

import http.client
import os
import tempfile
import time
import unittest
import urllib.parse

from selenium import webdriver
from selenium.common.exceptions import (StaleElementReferenceException, TimeoutException,
                                        WebDriverException)
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from ffctest import concern, main, nhs_number, pb
from webtest import PASSWORDS, audit, web_setup


def gone(element):
    """A wait condition: element left the document (the page was replaced).
    Chromium may answer a question about an element of a page being
    replaced with an inspector error rather than a stale reference: both
    mean it is gone."""
    def check(_driver):
        try:
            element.is_enabled()
            return False
        except (StaleElementReferenceException, WebDriverException):
            return True
    return check


CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
WAIT = 30  # seconds: a sanitizer build and a shared machine


def risk(cid, n, given="Ella", family="Smith"):
    return concern(cid, category=pb.PHYSICAL_ABUSE, severity=pb.IMMEDIATE_RISK,
                   children=[dict(nhs_number=nhs_number(n), given_name=given,
                                  family_name=family, date_of_birth="2016-04-12")])


class Browser:
    """One person's headless Chromium, with a profile of its own."""

    def __init__(self, test, web, size=(1280, 1000)):
        self.web = web
        o = webdriver.ChromeOptions()
        o.binary_location = CHROMIUM
        self.profile = tempfile.mkdtemp(prefix="chromium-", dir=web.dir)
        for a in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                  "--no-first-run", "--disable-extensions", "--user-data-dir=" + self.profile,
                  "--window-size=%d,%d" % size):
            o.add_argument(a)
        # The page's own console: a script error or a Content-Security-
        # Policy violation is a failure.
        o.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        self.d = webdriver.Chrome(service=Service(CHROMEDRIVER), options=o)
        self.d.set_page_load_timeout(WAIT)
        test.addCleanup(self.d.quit)

    def go(self, path):
        self.d.get(self.web.url + path)

    def wait(self, cond, timeout=WAIT):
        return WebDriverWait(self.d, timeout).until(cond)

    def find(self, css):
        return self.wait(EC.presence_of_element_located((By.CSS_SELECTOR, css)))

    def text_in(self, css, text, timeout=WAIT):
        try:
            return self.wait(EC.text_to_be_present_in_element((By.CSS_SELECTOR, css), text),
                             timeout)
        except TimeoutException:
            found = self.d.find_elements(By.CSS_SELECTOR, css)
            raise AssertionError("%r not in %s: %r" % (text, css,
                                                       found[0].text if found else None))

    def click(self, css):
        e = self.wait(EC.element_to_be_clickable((By.CSS_SELECTOR, css)))
        e.click()
        return e

    def sign_in(self, name, password=None):
        self.go("/login")
        self.find("#name").send_keys(name)
        self.find("#password").send_keys(PASSWORDS[name] if password is None else password)
        button = self.click("#signin")
        self.wait(gone(button))  # the answer has come: a new page

    def assert_no_page_errors(self, test):
        errors = [e["message"] for e in self.d.get_log("browser") if e["level"] == "SEVERE"
                  and "favicon.ico" not in e["message"]
                  and "the server responded with a status of 4" not in e["message"]]
        test.assertEqual(errors, [])

    def signed_in_at_alerts(self):
        self.wait(EC.url_to_be(self.web.url + "/alerts"))
        self.text_in("#live", "Live:")


class Console(unittest.TestCase):
    def setUp(self):
        self.d, self.w = web_setup(self)

    def tearDown(self):
        self.w.assert_stops_cleanly()
        if self.d.running():
            self.d.assert_stops_cleanly(self)

    def test_live_alert_worked_in_two_browsers_and_a_record_for_a_purpose(self):
        sam = Browser(self, self.w)
        pat = Browser(self, self.w, size=(820, 1180))  # a tablet, upright
        sam.sign_in("sam.jones")
        pat.sign_in("pat.lee")
        sam.signed_in_at_alerts()
        pat.signed_in_at_alerts()
        self.assertIn("sam.jones (practitioner)", sam.find("#who").text)
        for b in (sam, pat):
            b.d.execute_script("window.notReloaded = 1;")
            b.text_in("#red", "None open.")

        # A RED alert appears live, in both, without a reload.
        self.d.send_one(risk("r-1", 1))
        for b in (sam, pat):
            card = b.find("#red #alert-A00000001")
            self.assertIn("RED immediate-risk", card.text)
            self.assertIn("Ella Smith", b.find("#red .group").text)
            self.assertIn("Open: nobody has it yet", card.text)
            self.assertIn("due in", card.text)
            self.assertEqual(b.d.execute_script("return window.notReloaded;"), 1)
        sam.text_in("#announce-urgent", "New RED alert, immediate-risk, for Ella Smith")
        # Readable on a tablet: nothing wider than the screen.
        self.assertLessEqual(
            pat.d.execute_script("return document.documentElement.scrollWidth;"),
            pat.d.execute_script("return document.documentElement.clientWidth;"))

        # Acknowledged in two clicks; pat sees who has it at once.
        sam.click('#alert-A00000001 button[data-action="ack"]')
        sam.click('#alert-A00000001 button[data-action="confirm-ack"]')
        sam.text_in("#alert-A00000001", "Acknowledged by sam.jones")
        pat.text_in("#alert-A00000001", "Acknowledged by sam.jones")
        self.assertEqual(pat.d.execute_script("return window.notReloaded;"), 1)

        # Closed with an outcome in two clicks: gone from pat's open alerts.
        sam.click('#alert-A00000001 button[data-action="close"]')
        sam.click('#alert-A00000001 button[data-outcome="strategy discussion"]')
        pat.wait(EC.invisibility_of_element_located((By.CSS_SELECTOR, "#alert-A00000001")))
        pat.text_in("#red", "None open.")
        self.assertEqual(pat.d.execute_script("return window.notReloaded;"), 1)
        a = self.d.alerts().alerts[0]
        self.assertEqual((a.state, a.closed_by, a.outcome),
                         (pb.CLOSED, "sam.jones", "strategy discussion"))

        # A child's record: the purpose first, then the timeline.
        sam.go("/child?id=C00000001")
        self.assertEqual(sam.find("#ident").get_attribute("value"), "C00000001")
        self.assertEqual(sam.d.switch_to.active_element.get_attribute("id"), "purpose")
        sam.click("#open")  # no purpose: the browser will not send it
        self.assertEqual(sam.find("#record").text, "")
        sam.find("#purpose").send_keys("strategy discussion 12 May")
        sam.click("#open")
        sam.text_in("#record-h", "Ella Smith")
        timeline = sam.find("#record table").text
        self.assertIn("physical abuse, immediate risk", timeline)
        self.assertIn("RED alert, immediate-risk (closed)", timeline)
        self.assertIn("A00000001 acknowledged by sam.jones", timeline)
        self.assertIn("A00000001 closed by sam.jones", timeline)
        strip = sam.find("#record svg.strip")
        self.assertIn("Timeline by agency", strip.get_attribute("aria-label"))
        self.assertEqual(len(sam.d.find_elements(By.CSS_SELECTOR, "#record svg.strip circle")), 1)
        sam.text_in("#record", "Nobody before you.")
        # pat opens it next: sam's read is there, with why.
        pat.go("/child?id=C00000001")
        pat.find("#purpose").send_keys("checking the plan")
        pat.click("#open")
        pat.text_in("#record", "sam.jones (via ffc-web)")
        pat.text_in("#record", "strategy discussion 12 May")

        # Every read and change in ffcd's audit trail, under the person.
        entries = [e for e in audit(self, self.d) if e["by"] != "a.dmin"]
        # The page reads the family (ffcd's family command), then the
        # child's own record: both recorded, with the purpose.
        reads = [e for e in entries if e["command"] in ("family", "child")]
        self.assertEqual([(e["by"], e["command"], e["purpose"]) for e in reads],
                         [("sam.jones", "family", "strategy discussion 12 May"),
                          ("sam.jones", "child", "strategy discussion 12 May"),
                          ("pat.lee", "family", "checking the plan"),
                          ("pat.lee", "child", "checking the plan")])
        changes = [(e["by"], e["command"]) for e in entries if e["command"] in ("ack", "close")]
        self.assertEqual(changes, [("sam.jones", "ack"), ("sam.jones", "close")])
        for e in entries:
            self.assertEqual(e["via"], "ffc-web", e)
            self.assertEqual(e["role"], "practitioner", e)
            self.assertIn(e["by"], ("sam.jones", "pat.lee"))
        sam.assert_no_page_errors(self)
        pat.assert_no_page_errors(self)

    def test_operators_and_figures(self):
        # Two children who may be one: the same names and birthday, two
        # postcodes.
        for n, postcode in ((1, "LS1 4AP"), (2, "M1 1AE")):
            self.d.send_one(concern("m-%d" % n, agency=pb.POLICE if n == 1 else pb.HEALTH,
                                    category=pb.NEGLECT, severity=pb.IMMEDIATE_RISK,
                                    children=[dict(local_id="L-%d" % n, given_name="Mia",
                                                   family_name="Jones", date_of_birth="2019-05-05",
                                                   postcode=postcode)]))
        ada = Browser(self, self.w)
        ada.sign_in("ada.admin")
        ada.signed_in_at_alerts()
        self.assertTrue(ada.find('li[data-role="admin"]').is_displayed())
        ada.go("/admin")
        ada.text_in("#status", "concerns")
        ada.text_in("#status", "strategy discussion")
        ada.find("#purpose").send_keys("weekly identity review")
        ada.click("#load-review")
        ada.text_in("#matches", "Possible matches (1)")
        ada.text_in("#matches", "different postcode")
        ada.click('#matches button[data-action="dismiss"]')
        ada.find("#matches .panel input").send_keys("two sisters, school confirmed")
        ada.click('#matches button[data-action="confirm-dismiss"]')
        ada.text_in("#matches", "Dismissed: C00000001 and C00000002 are two children")
        ada.assert_no_page_errors(self)
        entries = [e for e in audit(self, self.d) if e["by"] == "ada.admin"]
        self.assertEqual(sorted({e["command"] for e in entries}),
                         ["conflicts", "matches", "matches dismiss"])
        for e in entries:
            self.assertEqual((e["via"], e["role"]), ("ffc-web", "admin"))

    def test_family_figures_and_notices(self):
        # Ella's RED alert (worked and closed), then Ella and her brother
        # Noah named together in a police domestic incident today: one
        # household, and a notice to the front door for each.
        self.d.send_one(risk("r-1", 1))
        self.d.send_one(concern("h-1", at=int(time.time() * 1000),
                                summary="Domestic incident at home",
                                children=[dict(nhs_number=nhs_number(1), given_name="Ella",
                                               family_name="Smith"),
                                          dict(nhs_number=nhs_number(2), given_name="Noah",
                                               family_name="Smith")]))
        sam = Browser(self, self.w, size=(820, 1180))  # a tablet, upright
        sam.sign_in("sam.jones")
        sam.signed_in_at_alerts()
        sam.click('#alert-A00000001 button[data-action="close"]')
        sam.click('#alert-A00000001 button[data-outcome="strategy discussion"]')
        sam.wait(EC.invisibility_of_element_located((By.CSS_SELECTOR, "#alert-A00000001")))

        # The family: by its household id, for a purpose, one timeline.
        sam.go("/family?id=H00000001")
        self.assertEqual(sam.find("#kind").get_attribute("value"), "household_id")
        sam.find("#purpose").send_keys("family strategy meeting")
        sam.click("#open")
        sam.text_in("#record-h", "Household H00000001: Ella Smith, Noah Smith")
        rows = [r.text for r in sam.d.find_elements(By.CSS_SELECTOR, "#record table tbody tr")]
        incident = [r for r in rows if "Domestic incident at home" in r]
        self.assertEqual(len(incident), 1, rows)  # recorded for both, shown once
        self.assertIn("Ella Smith, Noah Smith", incident[0])
        self.assertIn("police", incident[0])
        self.assertIn("domestic abuse, moderate", incident[0])
        self.assertTrue(any("RED alert, immediate-risk (closed)" in r for r in rows))
        self.assertTrue(any("household H00000001 formed" in r for r in rows), rows)
        # A strip per agency across the months: a dot a concern, a mark an alert.
        self.assertEqual(len(sam.d.find_elements(By.CSS_SELECTOR, "#record svg.strip circle")), 2)
        self.assertEqual(len(sam.d.find_elements(By.CSS_SELECTOR, "#record svg.strip path")), 1)
        # Each child: identities and who has looked.
        children = sam.d.find_elements(By.CSS_SELECTOR, "#record section.child")
        self.assertEqual([c.find_element(By.TAG_NAME, "h3").text for c in children],
                         ["Ella Smith C00000001", "Noah Smith C00000002"])
        for c in children:
            self.assertIn("Nobody before you.", c.text)
            self.assertIn("How each agency named", c.text)
        self.assertLessEqual(
            sam.d.execute_script("return document.documentElement.scrollWidth;"),
            sam.d.execute_script("return document.documentElement.clientWidth;"))

        # The notices, and the feedback to the police on the closed alert.
        sam.go("/notices")
        sam.text_in("#notices", "the front door: no known school")
        rows = [r.text for r in sam.d.find_elements(By.CSS_SELECTOR, "#notices tbody tr")]
        self.assertEqual(len(rows), 2)
        self.assertIn("C00000001", rows[0] + rows[1])
        self.assertIn("C00000002", rows[0] + rows[1])
        sam.text_in("#feedback", "A00000001")
        fb = sam.find("#feedback tbody tr").text
        self.assertIn("police r-1 A00000001 strategy discussion", fb)
        # A front-door notice acknowledged in two clicks.
        sam.click('#notices button[data-action="ack-notice"]')
        sam.click('#notices button[data-action="ack-notice"]')
        sam.text_in("#notices", "by sam.jones")
        sam.assert_no_page_errors(self)

        # The figures: ffcd's report for the last 12 months, by default.
        ada = Browser(self, self.w)
        ada.sign_in("ada.admin")
        ada.signed_in_at_alerts()
        ada.go("/figures")
        today = time.strftime("%Y-%m-%d", time.gmtime())
        self.assertEqual(ada.find("#to").get_attribute("value"), today)
        self.assertEqual(ada.find("#from").get_attribute("value")[:4], str(int(today[:4]) - 1))
        ada.find("#purpose").send_keys("partnership board")
        ada.click("#show")
        ada.text_in("#summary", "1 alert raised from")
        summary = ada.find("#summary").text
        self.assertIn(": 1 RED; 2 concerns received; 1 children alerted", summary)
        self.assertEqual(len(ada.d.find_elements(By.CSS_SELECTOR, "#figures svg.chart")), 3)
        row = ada.find('section[aria-labelledby="f1"] tbody tr').text
        self.assertTrue(row.startswith("immediate-risk ") and row.endswith(" 1 1"), row)
        red = ada.find('section[aria-labelledby="f2"] tbody tr').text
        self.assertTrue(red.startswith("RED 1 1 "), red)  # raised 1, responded to 1
        self.assertIn(" 1 1 0 100% ", red)  # judged, in time, late, share
        self.assertEqual(ada.find('section[aria-labelledby="f3"] tbody tr').text,
                         "strategy discussion 1")
        ada.text_in('section[aria-labelledby="f4"]', "to the front door 2")
        ada.assert_no_page_errors(self)
        entries = [(e["by"], e["command"], e["purpose"]) for e in audit(self, self.d)
                   if e["command"] in ("report", "family")]
        self.assertEqual(entries, [("sam.jones", "family", "family strategy meeting")] * 2 +
                         [("ada.admin", "report", "partnership board")])

    def test_viewer_refused_lockout_and_csrf(self):
        self.d.send_one(risk("r-1", 1))
        vic = Browser(self, self.w)
        # A wrong password, five times: locked, the right one too.
        for i in range(5):
            vic.sign_in("vic.viewer", "not my password")
        vic.text_in("#message", "Too many failed sign-ins: this account is locked.")
        vic.sign_in("vic.viewer")
        vic.text_in("#message", "this account is locked")
        self.assertTrue(vic.d.current_url.endswith("/login"))
        # Signed in (after a restart of ffc-web: the lock was that
        # process's), the viewer is refused a child's record by ffcd.
        self.w.stop()
        self.w.start()
        vic.sign_in("vic.viewer")
        vic.wait(EC.url_to_be(self.w.url + "/alerts"))
        vic.text_in("#problem", "alerts: needs the practitioner role; vic.viewer is a viewer")
        vic.go("/child?id=C00000001")
        vic.find("#purpose").send_keys("curious")
        vic.click("#open")
        vic.text_in("#problem", "family: needs the practitioner role; vic.viewer is a viewer")
        self.assertEqual(vic.find("#record").text, "")
        # The figures are the admins': ffcd says so.
        vic.go("/figures")
        vic.find("#purpose").send_keys("curious")
        vic.click("#show")
        vic.text_in("#problem", "report: needs the admin role; vic.viewer is a viewer")
        # The Operators page is not offered to a viewer.
        self.assertFalse(vic.find('li[data-role="admin"]').is_displayed())

        # A change sent from outside the page, with the signed-in
        # browser's cookie but no CSRF token: refused, nothing changed.
        sam = Browser(self, self.w)
        sam.sign_in("sam.jones")
        sam.signed_in_at_alerts()
        cookie = sam.d.get_cookie("ffc_session")
        self.assertTrue(cookie["httpOnly"])
        self.assertEqual(cookie["sameSite"], "Strict")
        self.assertIn("expiry", cookie)
        c = http.client.HTTPConnection("127.0.0.1", self.w.port, timeout=20)
        c.request("POST", "/api/ack", body=urllib.parse.urlencode({"alert_id": "A00000001"}),
                  headers={"Cookie": "ffc_session=" + cookie["value"],
                           "Content-Type": "application/x-www-form-urlencoded"})
        r = c.getresponse()
        body = r.read().decode()
        c.close()
        self.assertEqual(r.status, 403)
        self.assertIn("csrf", body)
        self.assertEqual(self.d.alerts().alerts[0].state, pb.OPEN)
        # The page itself carries the token: the same change works there.
        sam.click('#alert-A00000001 button[data-action="ack"]')
        sam.click('#alert-A00000001 button[data-action="confirm-ack"]')
        sam.text_in("#alert-A00000001", "Acknowledged by sam.jones")
        refused = [e for e in audit(self, self.d) if e.get("refused")]
        self.assertTrue(refused)
        for e in refused:
            self.assertEqual((e["by"], e["via"]), ("vic.viewer", "ffc-web"))


if __name__ == "__main__":
    main()
