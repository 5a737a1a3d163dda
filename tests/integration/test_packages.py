"""Packages and prepaid credit (issue 18) through `paydesk packages` against the fake Stripe:
a package defined, sold (cash and the saved card), drawn by appointments, given back, expired,
and its unused part refunded (pro rata; through Stripe for a card sale, at the desk for cash),
within staff refund limits. Each test checks what the CLI printed, what the store holds and
what the fake Stripe received."""
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

from fakeclient import FakeStripe  # noqa: E402
from tmuxharness import Home, paydesk_bin  # noqa: E402

ACCOUNT = "acct_1FakePlatform000"
PK = "pk_test_51PaydeskTestPublishable00"
PASS = "correct horse battery staple"
KEY = "rk_test_51" + "packagestest".ljust(24, "0")
DAY = 86400
TOOLS = os.environ.get("PAYDESK_TOOLS_DIR", os.path.join(ROOT, "build", "tools"))


class PackagesTest(unittest.TestCase):
    fake = None

    @classmethod
    def setUpClass(cls):
        cls.fake = FakeStripe().start()

    @classmethod
    def tearDownClass(cls):
        cls.fake.stop()

    def setUp(self):
        self.fake.reset()
        self.home = Home()
        self.addCleanup(self.home.close)
        self.env = {**os.environ, **self.home.env, "PAYDESK_API_BASE": self.fake.base_url,
                    "PAYDESK_PASSPHRASE": PASS}
        self.env.pop("PAYDESK_PIN", None)
        self.fake.add_key(KEY, default="write", account=ACCOUNT)
        out = self.paydesk("setup", "--account", ACCOUNT, "--publishable", PK,
                           "--bill-with-stripe", "on", stdin=KEY + "\n")
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        t = int(time.time())
        self.sql("INSERT INTO services (name, duration_min, price, currency, created_at,"
                 " updated_at) VALUES ('Haircut', 30, 4000, 'usd', ?, ?)", t, t)
        self.sql("INSERT INTO staff (name, hours, created_at, updated_at) VALUES ('Anna',"
                 " '09:00-17:00 09:00-17:00 09:00-17:00 09:00-17:00 09:00-17:00 - -', ?, ?)",
                 t, t)
        self.service = self.sql("SELECT id FROM services")[0][0]
        self.fake.clear_requests()  # setup's own probes

    # -- helpers ---------------------------------------------------------------------------

    def paydesk(self, *args, stdin="", check=None, env=None):
        out = subprocess.run([paydesk_bin(), *args], input=stdin, capture_output=True,
                             text=True, env=env or self.env, timeout=60)
        if check is not None:
            self.assertEqual(out.returncode, check, out.stdout + out.stderr)
        return out

    def api(self, method, path, params=None):
        r = self.fake.api(method, path, params or {}, key=KEY)
        self.assertLess(r.status, 300, r.json())
        return r.json()

    def sql(self, query, *args):
        con = sqlite3.connect(self.home.db)
        try:
            rows = con.execute(query, args).fetchall()
            con.commit()
            return rows
        finally:
            con.close()

    def client(self, name, card=None):
        cus = None
        if card is not None:
            cus = self.api("POST", "/v1/customers", {"name": name})["id"]
            if card:
                self.api("POST", f"/v1/payment_methods/{card}/attach", {"customer": cus})
        t = int(time.time())
        self.sql("INSERT INTO clients (name, email, bill_with_stripe, stripe_customer_id,"
                 " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)", name,
                 name.split()[0].lower() + "@example.com", 1 if cus else 0, cus, t, t)
        return self.sql("SELECT id FROM clients WHERE name = ?", name)[0][0]

    def book(self, client, days=1, amount=4000):
        start = int(time.time()) + days * DAY
        t = int(time.time())
        self.sql("INSERT INTO appointments (client_id, service_id, staff_id, starts_at, ends_at,"
                 " amount, currency, created_at, updated_at) VALUES (?, ?, 1, ?, ?, ?, 'usd',"
                 " ?, ?)", client, self.service, start, start + 1800, amount, t, t)
        return self.sql("SELECT max(id) FROM appointments")[0][0]

    def appt(self, aid):
        return self.sql("SELECT state, payment_state, deposit FROM appointments WHERE id = ?",
                        aid)[0]

    def audit(self, like="package.%"):
        return [r[0] for r in self.sql("SELECT action FROM audit_log WHERE action LIKE ?"
                                       " ORDER BY id", like)]

    def define_visits(self, name="5 haircuts", visits="5", price="180", days=None):
        args = ["packages", "define", "--name", name, "--visits", visits, "--service",
                "Haircut", "--price", price]
        if days is not None:
            args += ["--days", days]
        out = self.paydesk(*args, check=0)
        self.assertIn("package 1 defined" if name == "5 haircuts" else "defined", out.stdout)
        return self.sql("SELECT id FROM packages WHERE name = ?", name)[0][0]

    # -- tests -----------------------------------------------------------------------------

    def test_defined_sold_in_cash_drawn_and_given_back(self):
        pkg = self.define_visits(days="180")
        listed = self.paydesk("packages", "list", check=0).stdout
        self.assertIn("5 visits of Haircut", listed)
        self.assertIn("180.00 USD", listed)
        amy = self.client("Amy Pond")
        # A sale is confirmed: without --yes nothing is taken.
        out = self.paydesk("packages", "sell", str(pkg), "--client", str(amy), "--tender",
                           "cash", check=2)
        self.assertIn("add --yes", out.stderr)
        self.assertEqual(self.sql("SELECT count(*) FROM client_packages")[0][0], 0)
        out = self.paydesk("packages", "sell", "5 haircuts", "--client", "amy@example.com",
                           "--tender", "cash", "--yes", check=0)
        self.assertIn("Sold 5 haircuts for 180.00 USD in cash", out.stdout)
        self.assertIn("5 of 5 visits left", out.stdout)
        # The takings count it once, as cash: a desk record in the history.
        self.assertEqual(self.sql("SELECT type, amount, payment_method FROM history WHERE"
                                  " stripe_id LIKE 'pkg_%'"), [("desk", 18000, "cash")])
        self.assertEqual(self.fake.requests(method="POST", path_prefix="/v1/payment_intents"),
                         [])
        # Two visits are paid from it; the third appointment's visit is given back.
        a1, a2 = self.book(amy, 1), self.book(amy, 2)
        out = self.paydesk("packages", "draw", "--appointment", str(a1), check=0)
        self.assertIn("Paid 40.00 USD from 5 haircuts (4 of 5 visits left)", out.stdout)
        self.assertEqual(self.appt(a1), ("confirmed", "paid", 0))
        self.paydesk("packages", "draw", "--appointment", str(a2), check=0)
        out = self.paydesk("packages", "client", str(amy), check=0)
        self.assertIn("3 of 5 visits left · until", out.stdout)
        # Nothing due twice.
        out = self.paydesk("packages", "draw", "--appointment", str(a2), check=2)
        self.assertIn("nothing is due", out.stderr)
        out = self.paydesk("packages", "undraw", "--appointment", str(a2), check=0)
        self.assertIn("Gave 1 visit back to 5 haircuts", out.stdout)
        self.assertEqual(self.appt(a2)[1], "none")
        self.assertIn("4 of 5 visits left", self.paydesk("packages", "client", str(amy),
                                                         check=0).stdout)
        # The tender on the appointment's money trail; the draw and its return are audited.
        self.assertEqual(self.sql("SELECT method, status, amount FROM appointment_payments"
                                  " ORDER BY id"),
                         [("package", "succeeded", 4000), ("package", "cancelled", 4000)])
        self.assertEqual(self.audit(), ["package.define", "package.sell", "package.draw",
                                        "package.draw", "package.return"])
        # A Stripe refund of that appointment is refused: the visit goes back to the package.
        self.assertEqual(self.fake.requests(method="POST", path_prefix="/v1/refunds"), [])

    def test_refunding_the_appointment_gives_the_visit_back(self):
        """The desk's refund of an appointment (the Appointments tab's r, or refund all on
        a cancel) paid from a package gives the visit back to the package: no money moves,
        nothing reaches Stripe."""
        pkg = self.define_visits()
        amy = self.client("Amy Pond")
        self.paydesk("packages", "sell", str(pkg), "--client", str(amy), "--tender", "cash",
                     "--yes", check=0)
        a1 = self.book(amy)
        self.paydesk("packages", "draw", "--appointment", str(a1), check=0)
        self.assertIn("4 of 5 visits left", self.paydesk("packages", "client", str(amy),
                                                         check=0).stdout)
        driver = os.path.join(TOOLS, "pay_driver")
        if not os.access(driver, os.X_OK):
            self.skipTest("pay_driver not built")
        out = subprocess.run([driver, "--api-base", self.fake.base_url, "--db", self.home.db,
                              "--user", "admin", "refund", str(a1)], capture_output=True,
                             text=True, env={**self.env, "PAYDESK_TEST_STRIPE_KEY": KEY},
                             timeout=60)
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        self.assertIn("Gave 1 visit back to 5 haircuts", out.stdout)
        self.assertIn("5 of 5 visits left", self.paydesk("packages", "client", str(amy),
                                                         check=0).stdout)
        self.assertEqual(self.appt(a1)[1], "none")
        self.assertEqual(self.fake.requests(method="POST", path_prefix="/v1/refunds"), [])
        self.assertEqual(self.audit()[-1], "package.return")

    def test_credit_pays_part_and_leaves_the_rest_due(self):
        self.paydesk("packages", "define", "--name", "Credit 50", "--credit", "50",
                     "--currency", "USD", "--price", "50", check=0)
        rory = self.client("Rory Williams")
        self.paydesk("packages", "sell", "Credit 50", "--client", str(rory), "--tender",
                     "cheque", "--note", "cheque 0042", "--yes", check=0)
        a1, a2 = self.book(rory, 1), self.book(rory, 2)
        out = self.paydesk("packages", "draw", "--appointment", str(a1), check=0)
        self.assertIn("Paid 40.00 USD from Credit 50 (credit 10.00 USD left)", out.stdout)
        out = self.paydesk("packages", "draw", "--appointment", str(a2), check=0)
        self.assertIn("Paid 10.00 USD", out.stdout)
        self.assertIn("30.00 USD still due", out.stdout)
        self.assertEqual(self.appt(a2), ("confirmed", "paid", 1000))
        self.assertIn("used up", self.paydesk("packages", "client", str(rory), check=0).stdout)
        out = self.paydesk("packages", "draw", "--appointment", str(a2), check=1)
        self.assertIn("no package or credit", out.stderr)

    def test_expired_package_cannot_pay_and_shows_expired(self):
        pkg = self.define_visits(days="30")
        amy = self.client("Amy Pond")
        self.paydesk("packages", "sell", str(pkg), "--client", str(amy), "--tender", "cash",
                     "--yes", check=0)
        # Thirty-one days later (the sale moved back in the store).
        self.sql("UPDATE client_packages SET bought_at = bought_at - 31 * 86400,"
                 " expires_at = expires_at - 31 * 86400")
        a1 = self.book(amy)
        out = self.paydesk("packages", "draw", "--appointment", str(a1), check=1)
        self.assertIn("expired on", out.stderr)
        self.assertIn("expired credit cannot pay", out.stderr)
        self.assertEqual(self.appt(a1)[1], "none")
        shown = self.paydesk("packages", "client", str(amy), check=0).stdout
        self.assertIn("expired ", shown)
        self.assertIn("5 of 5 visits unused", shown)
        self.assertEqual(self.sql("SELECT count(*) FROM package_draws")[0][0], 0)

    def test_card_sale_carries_metadata_and_refund_goes_through_stripe(self):
        pkg = self.define_visits(visits="4", price="100")
        clara = self.client("Clara Oswald", card="pm_card_visa")
        out = self.paydesk("packages", "sell", str(pkg), "--client", str(clara), "--tender",
                           "card", "--yes", check=0)
        self.assertIn("Sold 5 haircuts for 100.00 USD with the saved card", out.stdout)
        made = self.fake.requests(method="POST", path_prefix="/v1/payment_intents")
        create = [r for r in made if r["path"] == "/v1/payment_intents"]
        self.assertEqual(len(create), 1)
        params = create[0]["params"]
        self.assertEqual(str(params["amount"]), "10000")
        self.assertEqual(params["metadata"]["package"], "5 haircuts")
        self.assertEqual(params["metadata"]["client_id"], str(clara))
        self.assertEqual(params["metadata"]["source"], "paydesk")
        pi, state = self.sql("SELECT payment_intent_id, state FROM client_packages")[0]
        self.assertEqual(state, "active")
        self.assertEqual(self.fake.object(pi)["status"], "succeeded")
        # One visit used: three of four unused, 75.00 back.
        self.paydesk("packages", "draw", "--appointment", str(self.book(clara)), check=0)
        sale = self.sql("SELECT id FROM client_packages")[0][0]
        out = self.paydesk("packages", "refund", str(sale), check=0)
        self.assertIn("refund 75.00 USD to the card through Stripe; add --yes", out.stdout)
        self.assertEqual(self.fake.requests(method="POST", path_prefix="/v1/refunds"), [])
        out = self.paydesk("packages", "refund", str(sale), "--yes", check=0)
        self.assertIn("Refunded 75.00 USD of 5 haircuts to the card through Stripe", out.stdout)
        refunds = self.fake.requests(method="POST", path_prefix="/v1/refunds")
        self.assertEqual(len(refunds), 1)
        self.assertEqual(refunds[0]["params"]["payment_intent"], pi)
        self.assertEqual(str(refunds[0]["params"]["amount"]), "7500")
        self.assertEqual(refunds[0]["params"]["metadata"]["package"], "5 haircuts")
        self.assertEqual(self.sql("SELECT state, refunded FROM client_packages"),
                         [("refunded", 7500)])
        self.assertIn("refunded 75.00 USD", self.paydesk("packages", "client", str(clara),
                                                        check=0).stdout)
        # Once: a second refund is refused and nothing more is sent; nothing more is drawn.
        out = self.paydesk("packages", "refund", str(sale), "--yes", check=2)
        self.assertIn("refunded already", out.stderr)
        self.assertEqual(len(self.fake.requests(method="POST", path_prefix="/v1/refunds")), 1)
        self.paydesk("packages", "draw", "--appointment", str(self.book(clara, 3)), check=1)
        self.assertEqual(self.audit(), ["package.define", "package.sell", "package.draw",
                                        "package.refund"])

    def test_visit_given_back_to_a_refunded_cash_package_hands_its_money_back(self):
        """Tester: a visit paid from a package, refunded after the package itself was
        refunded, lost the client's money (the visit went back to a refunded package).
        Now its share of the price is handed back in the package's tender, once."""
        pkg = self.define_visits(name="2 cuts", visits="2", price="70")
        amy = self.client("Amy Pond")
        self.paydesk("packages", "sell", str(pkg), "--client", str(amy), "--tender", "cash",
                     "--yes", check=0)
        a1 = self.book(amy)
        self.paydesk("packages", "draw", "--appointment", str(a1), check=0)
        out = self.paydesk("packages", "refund", "1", "--yes", check=0)
        self.assertIn("Refunded 35.00 USD of 2 cuts at the desk", out.stdout)
        # Without --yes it says what it would hand back and moves nothing.
        out = self.paydesk("packages", "undraw", "--appointment", str(a1), check=2)
        self.assertIn("2 cuts was refunded: 35.00 USD goes back at the desk; add"
                      " --yes", out.stderr)
        self.assertEqual(self.appt(a1)[1], "paid")
        out = self.paydesk("packages", "undraw", "--appointment", str(a1), "--yes", check=0)
        self.assertIn("35.00 USD back in cash for 1 visit of 2 cuts; unpaid again.", out.stdout)
        self.assertIn("refunded 70.00 USD", self.paydesk("packages", "client", str(amy),
                                                        check=0).stdout)
        self.assertEqual(self.sql("SELECT type, amount, payment_method FROM history WHERE"
                                  " stripe_id LIKE 'pkg%' ORDER BY id"),
                         [("desk", 7000, "cash"), ("desk_refund", 3500, "cash"),
                          ("desk_refund", 3500, "cash")])
        # Never twice.
        out = self.paydesk("packages", "undraw", "--appointment", str(a1), "--yes", check=1)
        self.assertIn("nothing on this appointment was paid from a package", out.stderr)
        self.assertEqual(self.audit()[-2:], ["package.return", "package.refund"])
        self.assertEqual(self.fake.requests(method="POST", path_prefix="/v1/refunds"), [])

    def test_credit_given_back_to_a_refunded_card_package_is_refunded_through_stripe(self):
        self.paydesk("packages", "define", "--name", "Credit 50", "--credit", "50",
                     "--currency", "USD", "--price", "50", check=0)
        clara = self.client("Clara Oswald", card="pm_card_visa")
        self.paydesk("packages", "sell", "Credit 50", "--client", str(clara), "--tender",
                     "card", "--yes", check=0)
        pi = self.sql("SELECT payment_intent_id FROM client_packages")[0][0]
        a1 = self.book(clara)
        self.paydesk("packages", "draw", "--appointment", str(a1), check=0)
        out = self.paydesk("packages", "refund", "1", "--yes", check=0)
        self.assertIn("Refunded 10.00 USD of Credit 50 to the card", out.stdout)
        out = self.paydesk("packages", "undraw", "--appointment", str(a1), check=2)
        self.assertIn("40.00 USD goes back to the card through Stripe", out.stderr)
        self.assertEqual(len(self.fake.requests(method="POST", path_prefix="/v1/refunds")), 1)
        out = self.paydesk("packages", "undraw", "--appointment", str(a1), "--yes", check=0)
        self.assertIn("40.00 USD back to the card through Stripe for 40.00 USD of credit of Credit 50; unpaid"
                      " again.", out.stdout)
        refunds = self.fake.requests(method="POST", path_prefix="/v1/refunds")
        self.assertEqual(len(refunds), 2)
        self.assertEqual(refunds[1]["params"]["payment_intent"], pi)
        self.assertEqual(str(refunds[1]["params"]["amount"]), "4000")
        self.assertEqual(self.sql("SELECT state, refunded FROM client_packages"),
                         [("refunded", 5000)])
        self.assertEqual(self.appt(a1)[1], "none")
        out = self.paydesk("packages", "undraw", "--appointment", str(a1), "--yes", check=1)
        self.assertEqual(len(self.fake.requests(method="POST", path_prefix="/v1/refunds")), 2)

    def test_a_card_payout_whose_answer_was_lost_is_made_once(self):
        """The network goes while the visit's money is on its way back to the card: the
        desk is told, the visit stays drawn; a retry is refused until paydesk recover has
        sent that same call; then giving it back records it without a second refund."""
        pkg = self.define_visits(name="2 cuts", visits="2", price="70")
        clara = self.client("Clara Oswald", card="pm_card_visa")
        self.paydesk("packages", "sell", str(pkg), "--client", str(clara), "--tender", "card",
                     "--yes", check=0)
        a1 = self.book(clara)
        self.paydesk("packages", "draw", "--appointment", str(a1), check=0)
        self.paydesk("packages", "refund", "1", "--yes", check=0)
        self.fake.add_fault("drop", method="POST", path_prefix="/v1/refunds", execute=False)
        lost = self.paydesk("packages", "undraw", "--appointment", str(a1), "--yes")
        self.assertNotEqual(lost.returncode, 0, lost.stdout)
        self.assertIn("not known yet", lost.stderr)
        self.assertEqual(self.appt(a1)[1], "paid")
        again = self.paydesk("packages", "undraw", "--appointment", str(a1), "--yes")
        self.assertNotEqual(again.returncode, 0)
        self.assertIn("still unresolved", again.stderr)
        self.fake.clear_faults()
        self.paydesk("recover", check=0)
        out = self.paydesk("packages", "undraw", "--appointment", str(a1), "--yes", check=0)
        self.assertIn("35.00 USD back to the card through Stripe for 1 visit of 2 cuts",
                      out.stdout)
        refunds = self.fake.api("GET", "/v1/refunds", {"limit": 10}, key=KEY).json()["data"]
        self.assertEqual(sorted(r["amount"] for r in refunds), [3500, 3500])  # made once
        self.assertEqual(self.sql("SELECT state, refunded FROM client_packages"),
                         [("refunded", 7000)])

    def test_sold_to_a_client_named_or_told_which_when_the_name_is_ambiguous(self):
        """Tester: `packages sell --client "Zoë Martin"` was refused; only a number or an
        email was taken."""
        pkg = self.define_visits()
        zoe = self.client("Zoë Martin")
        out = self.paydesk("packages", "sell", str(pkg), "--client", "zoë martin", "--tender",
                           "cash", "--yes", check=0)
        self.assertIn("Sold 5 haircuts", out.stdout)
        self.assertEqual(self.sql("SELECT client_id FROM client_packages"), [(zoe,)])
        t = int(time.time())
        self.sql("INSERT INTO clients (name, email, created_at, updated_at) VALUES"
                 " ('Zoë Martin', 'zoe.m@example.com', ?, ?)", t, t)
        out = self.paydesk("packages", "sell", str(pkg), "--client", "Zoë Martin", "--tender",
                           "cash", "--yes", check=2)
        self.assertIn("2 clients are called Zoë Martin", out.stderr)
        self.assertIn("zoe.m@example.com", out.stderr)
        self.assertIn("give the number or the email", out.stderr)
        out = self.paydesk("packages", "sell", str(pkg), "--client", "Nobody Here", "--tender",
                           "cash", "--yes", check=2)
        self.assertIn("no client is called Nobody Here", out.stderr)
        self.assertEqual(self.sql("SELECT count(*) FROM client_packages"), [(1,)])

    def test_declined_card_sale_is_not_a_package(self):
        pkg = self.define_visits()
        clara = self.client("Clara Oswald", card="pm_card_chargeDeclined")
        out = self.paydesk("packages", "sell", str(pkg), "--client", str(clara), "--tender",
                           "card", "--yes", check=1)
        self.assertIn("was not sold", out.stdout)
        self.assertEqual(self.sql("SELECT state FROM client_packages"), [("failed",)])
        out = self.paydesk("packages", "draw", "--appointment", str(self.book(clara)), check=1)
        self.assertIn("no package or credit", out.stderr)
        self.assertEqual(self.audit(), ["package.define", "package.sell.failed"])

    # -- paid by the client: pay link, reader (issue 18: "sell a package ... as one payment")

    def sell_link(self, pkg, client):
        out = self.paydesk("packages", "sell", str(pkg), "--client", str(client), "--tender",
                           "link", "--yes", check=0)
        self.assertIn("Pay link for 5 haircuts (180.00 USD)", out.stdout)
        sale = int(out.stdout.split("sale ")[-1].split()[0])
        [created] = self.fake.requests(method="POST", path_prefix="/v1/checkout/sessions")
        self.assertTrue(created["headers"].get("Idempotency-Key"))
        params = created["params"]
        items = params["line_items"]
        item = items[0] if isinstance(items, list) else items["0"]
        self.assertEqual((params["mode"], str(item["price_data"]["unit_amount"])),
                         ("payment", "18000"))
        for md in (params["metadata"], params["payment_intent_data"]["metadata"]):
            self.assertEqual((md["package"], md["client_package_id"], md["client_id"]),
                             ("5 haircuts", str(sale), str(client)))
        cs, url = self.sql("SELECT checkout_session_id, url FROM client_packages WHERE id = ?",
                           sale)[0]
        self.assertIn(url, out.stdout)
        return sale, cs

    def test_package_sold_by_pay_link_is_the_clients_once_paid_once(self):
        pkg = self.define_visits(days="30")
        amy = self.client("Amy Pond", card=False)
        sale, cs = self.sell_link(pkg, amy)
        # Not the client's until Stripe says it is paid: nothing to draw, nothing in the till.
        self.assertEqual(self.sql("SELECT state, method, collect FROM client_packages"),
                         [("pending", "card", "link")])
        out = self.paydesk("packages", "check", str(sale), check=1)
        self.assertIn("Waiting for the client to pay 5 haircuts", out.stdout)
        self.paydesk("packages", "draw", "--appointment", str(self.book(amy)), check=1)
        # A restart meanwhile (recovery) leaves the open link waiting: it may still be paid.
        self.paydesk("recover", check=0)
        self.assertEqual(self.sql("SELECT state FROM client_packages"), [("pending",)])
        paid = self.fake.control("POST", "/checkout/sessions/%s/complete" % cs,
                                 {"payment_method": "pm_card_visa"})
        self.assertEqual(paid["payment_status"], "paid")
        out = self.paydesk("packages", "check", str(sale), check=0)
        self.assertIn("Sold 5 haircuts for 180.00 USD through the pay link", out.stdout)
        self.assertIn("5 of 5 visits left", out.stdout)
        pi = self.sql("SELECT payment_intent_id FROM client_packages")[0][0]
        self.assertEqual(self.fake.object(pi)["status"], "succeeded")
        self.assertEqual(self.fake.object(pi)["metadata"]["client_package_id"], str(sale))
        # Checked again (another desk, a restart): recorded once, audited once.
        self.paydesk("packages", "check", str(sale), check=0)
        self.paydesk("recover", check=0)
        self.assertEqual(self.audit(), ["package.define", "package.sell.start", "package.sell"])
        self.assertIn("5 of 5 visits left", self.paydesk("packages", "client", str(amy),
                                                         check=0).stdout)
        self.assertIn("Paid 40.00 USD from 5 haircuts",
                      self.paydesk("packages", "draw", "--appointment", str(self.book(amy, 2)),
                                   check=0).stdout)
        # In the day close of the desk that sold it, as card money.
        day = time.strftime("%Y-%m-%d")
        closing = self.paydesk("close", "--date", day, check=0).stdout
        self.assertRegex(closing, r"card\s.*180\.00")
        # Its refund goes back through Stripe like a saved-card sale.
        out = self.paydesk("packages", "refund", str(sale), "--yes", check=0)
        self.assertIn("to the card through Stripe", out.stdout)

    def test_package_link_that_expires_sells_nothing(self):
        pkg = self.define_visits()
        amy = self.client("Amy Pond")
        sale, cs = self.sell_link(pkg, amy)
        self.assertEqual(self.fake.control("POST", "/checkout/sessions/%s/expire" % cs,
                                           {})["status"], "expired")
        out = self.paydesk("packages", "check", str(sale), check=1)
        self.assertIn("was not sold: the pay link expired unpaid", out.stdout)
        self.assertEqual(self.sql("SELECT state FROM client_packages"), [("failed",)])
        self.paydesk("packages", "draw", "--appointment", str(self.book(amy)), check=1)
        self.assertEqual(self.audit(), ["package.define", "package.sell.start",
                                        "package.sell.failed"])
        day = time.strftime("%Y-%m-%d")
        self.assertNotIn("180.00", self.paydesk("close", "--date", day, check=0).stdout)

    def test_package_sold_on_the_reader(self):
        pkg = self.define_visits()
        amy = self.client("Amy Pond")
        reader = self.api("POST", "/v1/terminal/readers", {"registration_code": "simulated-wpe",
                                                           "label": "Front counter"})["id"]
        out = self.paydesk("packages", "sell", str(pkg), "--client", str(amy), "--tender",
                           "reader", "--yes", check=0)
        self.assertIn("Reader Front counter: waiting for the card (180.00 USD for 5 haircuts)",
                      out.stdout)
        sale = int(out.stdout.split("sale ")[-1].split()[0])
        pi = self.sql("SELECT payment_intent_id FROM client_packages")[0][0]
        intent = self.fake.object(pi)
        self.assertEqual((intent["amount"], intent["payment_method_types"]),
                         (18000, ["card_present"]))
        self.assertEqual(intent["metadata"]["client_package_id"], str(sale))
        process = self.fake.requests(method="POST", path_prefix="/v1/terminal/readers/%s/"
                                     "process_payment_intent" % reader)[-1]
        self.assertEqual(process["params"]["payment_intent"], pi)
        self.assertIn("waiting for the card", self.paydesk("packages", "check", str(sale),
                                                         check=1).stdout)
        # A declined card sells nothing, and says why.
        r = self.fake.api("POST", "/v1/test_helpers/terminal/readers/%s/present_payment_method"
                          % reader, {"card_present": {"number": "4000000000000002"}}, key=KEY)
        self.assertEqual(r.status, 200, r.json())
        out = self.paydesk("packages", "check", str(sale), check=1)
        self.assertIn("was not sold", out.stdout)
        self.assertIn("declined", out.stdout)
        # Sold again on the reader, the card tapped: the client's, once.
        out = self.paydesk("packages", "sell", str(pkg), "--client", str(amy), "--tender",
                           "reader", "--yes", check=0)
        again = int(out.stdout.split("sale ")[-1].split()[0])
        r = self.fake.api("POST", "/v1/test_helpers/terminal/readers/%s/present_payment_method"
                          % reader, {}, key=KEY)
        self.assertEqual(r.status, 200, r.json())
        out = self.paydesk("packages", "check", str(again), check=0)
        self.assertIn("Sold 5 haircuts for 180.00 USD on the reader", out.stdout)
        self.paydesk("packages", "check", str(again), check=0)
        self.assertEqual(self.sql("SELECT state FROM client_packages ORDER BY id"),
                         [("failed",), ("active",)])
        self.assertEqual(self.audit(), ["package.define", "package.sell.start",
                                        "package.sell.failed", "package.sell.start",
                                        "package.sell"])
        # A third, cancelled on the reader from the desk: nothing charged.
        out = self.paydesk("packages", "sell", str(pkg), "--client", str(amy), "--tender",
                           "reader", "--yes", check=0)
        third = int(out.stdout.split("sale ")[-1].split()[0])
        out = self.paydesk("packages", "cancel", str(third), check=1)
        self.assertIn("stopped before a card was read", out.stdout)
        pi3 = self.sql("SELECT payment_intent_id FROM client_packages WHERE id = ?", third)[0][0]
        self.assertEqual(self.fake.object(pi3)["status"], "canceled")

    def test_cash_refund_pro_rata_within_staff_limits(self):
        pkg = self.define_visits(visits="3", price="100")
        amy = self.client("Amy Pond")
        self.paydesk("packages", "sell", str(pkg), "--client", str(amy), "--tender", "cash",
                     "--yes", check=0)
        self.paydesk("packages", "draw", "--appointment", str(self.book(amy)), check=0)
        # Staff may refund 50.00 a payment: 66.66 (100 × 2/3) is refused, nothing changes.
        self.paydesk("users", "add", "--name", "Alex", "--role", "admin", stdin="2580\n",
                     check=0)
        self.paydesk("users", "add", "--name", "Sam", "--role", "staff", stdin="7391\n",
                     check=0)
        self.paydesk("users", "refund-limit", "50", "usd", check=0)
        staff = {**self.env, "PAYDESK_PIN": "7391"}
        staff.pop("PAYDESK_PASSPHRASE")
        out = self.paydesk("packages", "refund", "1", "--yes", "--as", "Sam", env=staff)
        self.assertNotEqual(out.returncode, 0, out.stdout)
        self.assertIn("50.00", out.stderr)
        self.assertEqual(self.sql("SELECT state FROM client_packages"), [("active",)])
        # The admin refunds it: recorded as cash handed back, nothing sent to Stripe.
        out = self.paydesk("packages", "refund", "1", "--yes", check=0)
        self.assertIn("Refunded 66.66 USD of 5 haircuts at the desk", out.stdout)
        self.assertEqual(self.sql("SELECT type, amount FROM history WHERE stripe_id LIKE"
                                  " 'pkg%' ORDER BY id"),
                         [("desk", 10000), ("desk_refund", 6666)])
        self.assertEqual(self.fake.requests(method="POST", path_prefix="/v1/refunds"), [])
        self.assertIn("package.refund", self.audit())

    def test_define_is_for_admins_and_checks_its_input(self):
        out = self.paydesk("packages", "define", "--name", "X", "--price", "10", check=2)
        self.assertIn("--visits N --service S, or --credit A --currency C", out.stderr)
        out = self.paydesk("packages", "define", "--name", "X", "--visits", "5", "--service",
                           "Haircut", "--price", "12,345", check=2)
        self.assertIn("--price", out.stderr)
        out = self.paydesk("packages", "define", "--name", "X", "--visits", "0", "--service",
                           "Haircut", "--price", "10", check=2)
        self.assertIn("--visits", out.stderr)
        self.assertEqual(self.sql("SELECT count(*) FROM packages")[0][0], 0)


if __name__ == "__main__":
    unittest.main()
