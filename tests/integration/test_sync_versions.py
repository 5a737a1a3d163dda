"""A history that stays right on any Stripe account: Stripe renders an event's data.object in
the API version the account had when the event was created, not in the Stripe-Version paydesk
pins (2022-11-15). On an account opened today that is the 2025+ shape: invoices without
payment_intent, charge, paid or subscription. Two desks sync the same account, one while its
events come in the pinned shape and one while they come in the newer shape; their histories
must be the same, row for row and total for total."""
import json
import os
import sqlite3
import subprocess
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "fakestripe"))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))

from fakeclient import DEFAULT_KEY, FakeStripe  # noqa: E402
from tmuxharness import Home, Terminal, paydesk_bin  # noqa: E402

PASS = "history versions passphrase"
PLATFORM = "acct_1FakePlatform000"
NEWER = "2026-09-30.endive"
DAY = 86400


def seed():
    with open(os.path.join(ROOT, "tests", "fakestripe", "seeds", "training.json")) as f:
        data = json.load(f)
    data["generate"]["payments"] = 300
    return data


class Desk:
    """One paydesk home set up on the fake's platform account."""

    def __init__(self, test, fake):
        self.home = Home()
        test.addCleanup(self.home.close)
        self.test = test
        self.env = {**os.environ, **self.home.env, "PAYDESK_API_BASE": fake.base_url,
                    "PAYDESK_PASSPHRASE": PASS}
        out = self.run("setup", "--account", PLATFORM, stdin=DEFAULT_KEY + "\n",
                       extra=["--allow-secret-key"] if DEFAULT_KEY.startswith("sk_") else [])
        test.assertEqual(out.returncode, 0, out.stderr)

    def run(self, *args, stdin="", extra=()):
        return subprocess.run([paydesk_bin(), *args, *extra], input=stdin, capture_output=True,
                              text=True, env=self.env, timeout=180)

    def sync(self):
        out = self.run("sync")
        self.test.assertEqual((out.returncode, out.stderr), (0, ""))

    def query(self, sql, args=()):
        db = sqlite3.connect(self.home.db)
        try:
            return db.execute(sql, args).fetchall()
        finally:
            db.close()

    def rows(self):
        """Every record as a reviewer sees it: all columns but the row id and when/by which
        request it was last written."""
        cols = [c[1] for c in self.query("PRAGMA table_info(history)")
                if c[1] not in ("id", "request_id", "synced_at")]
        return cols, self.query("SELECT %s FROM history ORDER BY stripe_id" % ", ".join(cols))

    def totals(self):
        return (self.query("SELECT * FROM history_day WHERE n != 0 ORDER BY 1, 2, 3, 4"),
                self.query("SELECT * FROM history_month WHERE n != 0 ORDER BY 1, 2, 3, 4"))

    def export(self):
        out = self.run("export", "--format", "jsonl")
        self.test.assertEqual(out.returncode, 0, out.stderr)
        return sorted(out.stdout.splitlines())


class EventsInTheAccountVersionTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.fake = FakeStripe().start()

    @classmethod
    def tearDownClass(cls):
        cls.fake.stop()

    def setUp(self):
        self.fake.reset()
        self.fake.seed(seed())

    def api(self, method, path, params=None):
        r = self.fake.api(method, path, params or {})
        self.assertEqual(r.status, 200, r.body[:400])
        return r.json()

    def change_old_records(self):
        """What changes after a sync and reaches the next one only through the events feed:
        a refund of an old payment, a renamed customer, a past-due invoice paid with a new
        card, renewals of the subscriptions."""
        pis = self.api("GET", "/v1/payment_intents",
                       {"limit": 100, "expand": ["data.latest_charge"]})["data"]
        old = [p for p in pis if p["status"] == "succeeded" and not p.get("invoice")
               and p["latest_charge"]["amount_refunded"] == 0][-1]
        self.api("POST", "/v1/refunds", {"payment_intent": old["id"], "amount": 700})
        cus = self.api("GET", "/v1/customers", {"limit": 3})["data"][-1]
        self.api("POST", "/v1/customers/" + cus["id"], {"name": cus["name"] + " Renamed"})
        due = self.api("GET", "/v1/invoices", {"status": "open", "limit": 10})["data"]
        charged = [i for i in due if i["collection_method"] == "charge_automatically"]
        self.assertTrue(charged, "the training seed has a past-due subscription")
        inv = charged[0]
        pm = self.api("POST", "/v1/payment_methods", {"type": "card",
                                                      "card": {"token": "tok_visa"}})
        self.api("POST", "/v1/payment_methods/%s/attach" % pm["id"],
                 {"customer": inv["customer"]})
        paid = self.api("POST", "/v1/invoices/%s/pay" % inv["id"], {"payment_method": pm["id"]})
        self.assertEqual(paid["status"], "paid")
        self.fake.advance_clock(8 * DAY)   # the weekly subscriptions renew
        self.api("GET", "/v1/customers", {"limit": 1})  # the billing engine catches up
        return inv["id"]

    def test_same_history_whatever_shape_the_events_come_in(self):
        pinned, newer = Desk(self, self.fake), Desk(self, self.fake)
        pinned.sync()
        newer.sync()
        self.assertEqual(pinned.rows(), newer.rows())
        invoice = self.change_old_records()

        pinned.sync()                          # events in the pinned shape
        self.fake.set_api_version(NEWER)       # an account opened today
        self.fake.clear_requests()
        newer.sync()
        self.fake.set_api_version(None)

        # The feed did carry objects in the newer shape, and paydesk read them by id instead.
        feed = [r for r in self.fake.requests(method="GET", path_prefix="/v1/events")]
        self.assertTrue(feed)
        self.assertIn(NEWER, " ".join(r["response_body"] or "" for r in feed))

        cols, want = pinned.rows()
        got = newer.rows()[1]
        self.assertEqual(len(got), len(want))
        for a, b in zip(want, got):
            self.assertEqual(dict(zip(cols, b)), dict(zip(cols, a)))
        self.assertEqual(newer.totals(), pinned.totals())
        self.assertEqual(newer.export(), pinned.export())
        # and the paid invoice is linked to its payment, as Stripe has it
        pi = self.api("GET", "/v1/invoices/" + invoice)["payment_intent"]
        self.assertEqual(newer.query("SELECT status, payment_intent FROM history"
                                     " WHERE stripe_id = ?", (invoice,)), [("paid", pi)])
        fetched = {r["path"] for r in self.fake.requests(method="GET")}
        self.assertIn("/v1/invoices/" + invoice, fetched)


if __name__ == "__main__":
    unittest.main()


class WhatAReviewerSeesTest(unittest.TestCase):
    """Why a payment failed, what a refund refunds, the subscription and plan an invoice
    bills, where a dispute stands — and disputed money kept out of what was earned."""

    @classmethod
    def setUpClass(cls):
        cls.fake = FakeStripe().start()

    @classmethod
    def tearDownClass(cls):
        cls.fake.stop()

    def setUp(self):
        self.fake.reset()
        self.fake.seed(seed())

    def api(self, method, path, params=None):
        r = self.fake.api(method, path, params or {})
        self.assertEqual(r.status, 200, r.body[:400])
        return r.json()

    def records(self, desk):
        return {r["stripe_id"]: r for r in map(json.loads, desk.export())}

    def totals_screen(self, desk):
        env = {**desk.home.env, "PAYDESK_API_BASE": self.fake.base_url}
        with Terminal([paydesk_bin(), "--screen", "history"], 100, 30, env=env) as t:
            t.wait_for("Vault locked")
            t.send("Escape")  # browsing history needs no key
            screen = t.wait_for("synced 20", timeout=15)
            t.send("q")
            return screen

    def test_decline_links_plan_and_disputes(self):
        disputed = [self.api("POST", "/v1/payment_intents",
                             {"amount": amount, "currency": "usd", "confirm": "true",
                              "payment_method": "pm_card_createDispute"})
                    for amount in (4321, 1234)]
        desk = Desk(self, self.fake)
        desk.sync()
        recs = self.records(desk)

        failed = [r for r in recs.values() if r["type"] == "payment" and r["status"] == "failed"]
        self.assertTrue(failed)
        for r in failed:
            err = self.api("GET", "/v1/payment_intents/" + r["stripe_id"])["last_payment_error"]
            self.assertEqual(r["decline_code"], err.get("decline_code") or err["code"])
            self.assertTrue(r["decline"].startswith("The card"), r["decline"])
        refunds = [r for r in recs.values() if r["type"] == "refund"]
        self.assertTrue(refunds)
        for r in refunds:
            self.assertEqual(r["payment"],
                             self.api("GET", "/v1/refunds/" + r["stripe_id"])["payment_intent"])
        invoices = [r for r in recs.values() if r["type"] == "invoice" and r["subscription"]]
        self.assertTrue(invoices)
        for r in invoices:
            inv = self.api("GET", "/v1/invoices/" + r["stripe_id"])
            self.assertEqual(r["subscription"], inv["subscription"])
            line = [li for li in inv["lines"]["data"] if li["type"] == "subscription"][0]
            product = self.api("GET", "/v1/products/" + line["price"]["product"])["name"]
            self.assertEqual(r["plan"], line["price"]["nickname"] or product)
        for pi in disputed:
            r = recs[pi["id"]]
            dp = self.api("GET", "/v1/disputes", {"payment_intent": pi["id"]})["data"][0]
            due = time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                time.gmtime(dp["evidence_details"]["due_by"]))
            self.assertEqual((r["status"], r["dispute_status"], r["dispute_due_by"]),
                             ("disputed", "needs_response", due))
        screen = self.totals_screen(desk)
        self.assertIn("disputed · lost, not in gross", screen)
        self.assertRegex(screen, r"USD\s+55\.55\s+0\.00\s+disputed")

        # Decided: one lost, one won; seen by the events feed, in the account's newer shape.
        lost, won = [self.api("GET", "/v1/disputes", {"payment_intent": pi["id"]})["data"][0]
                     for pi in disputed]
        self.fake.control("POST", "/disputes/%s/close" % lost["id"], {"status": "lost"})
        self.fake.control("POST", "/disputes/%s/close" % won["id"], {"status": "won"})
        self.fake.set_api_version(NEWER)
        self.fake.clear_requests()
        desk.sync()
        self.assertIn("/v1/disputes/" + lost["id"],
                      {r["path"] for r in self.fake.requests(method="GET")})
        recs = self.records(desk)
        self.assertEqual((recs[lost["payment_intent"]]["status"],
                          recs[lost["payment_intent"]]["dispute_status"]), ("dispute_lost", "lost"))
        self.assertEqual((recs[won["payment_intent"]]["status"],
                          recs[won["payment_intent"]]["dispute_status"]), ("succeeded", "won"))
        screen = self.totals_screen(desk)
        self.assertRegex(screen, r"USD\s+0\.00\s+43\.21\s+disputed")
        # synced again: nothing moves
        desk.sync()
        self.assertEqual(self.records(desk), recs)

    def test_key_without_disputes_read_syncs_the_rest_and_says_so(self):
        # a restricted key made before paydesk read disputes
        self.fake.add_key(DEFAULT_KEY, permissions={"disputes": "none"}, default="write")
        pi = self.api("POST", "/v1/payment_intents",
                      {"amount": 2500, "currency": "usd", "confirm": "true",
                       "payment_method": "pm_card_createDispute"})
        desk = Desk(self, self.fake)
        out = desk.run("sync")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("Disputes: Read", out.stderr)
        recs = self.records(desk)
        self.assertEqual((recs[pi["id"]]["status"], recs[pi["id"]]["dispute_status"]),
                         ("disputed", None))
        self.assertEqual(sum(1 for r in recs.values() if r["type"] == "payment"),
                         self.fake.counts()["payment_intent"])
