"""Saved-card charges queued while Stripe is unreachable (issue 15, point 19), against the
fake Stripe through build/tools/pay_driver: queueing sends nothing; confirming sends the
charge once through the outbox; a second confirm (one after the other or at the same time)
charges nothing more; a charge can be dropped with a reason; a crash between the confirm
and Stripe's answer is finished by recovery and never charges twice; while Stripe does not
answer, a confirm leaves the charge queued. Every step is in the audit log."""
import json
import os
import signal
import subprocess
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from drivercase import DriverCase  # noqa: E402


class ChargeQueueTest(DriverCase):
    prefix = "paydesk-queue-"

    # -- helpers -------------------------------------------------------------------------------

    def queue(self, appt):
        out = self.drive("queue", str(appt["id"]))
        q = out["subject"]
        self.assertEqual(q["state"], "queued")
        self.assertEqual(q["amount"], 4000)
        self.assertIn("not charged", out["result"]["message"])
        self.assertEqual(q["card"], "visa \u00b74242")  # the stored card it will use
        self.assertTrue(q["payment_method"].startswith("pm_"))
        return q

    def audit(self):
        return [r[0] for r in self.sql("SELECT action FROM audit_log WHERE action LIKE "
                                       "'payment.%' ORDER BY id")]

    def charges(self):
        """PaymentIntents the fake holds that took money."""
        r = self.fake.api("GET", "/v1/payment_intents", {"limit": 100})
        return [p for p in r.json()["data"] if p["status"] == "succeeded"]

    def payment_posts(self):
        return self.fake.requests(method="POST", path_prefix="/v1/payment_intents")

    # -- tests ---------------------------------------------------------------------------------

    def test_queue_sends_nothing_then_confirm_charges_once(self):
        appt = self.booked_with_card()
        self.fake.clear_requests()
        q = self.queue(appt)
        self.assertEqual(self.fake.requests(), [])  # a promise, not a payment
        shown = self.drive("show", str(appt["id"]))["subject"]
        self.assertEqual(shown["payment"], "none")
        self.assertEqual(shown["attempts"], [])
        self.assertEqual(self.audit(), ["payment.queued"])
        listed = self.drive("queue-list")["subject"]
        self.assertEqual([x["id"] for x in listed], [q["id"]])

        sent = self.drive("queue-send", str(q["id"]), user="kim")
        self.assertEqual(sent["subject"]["state"], "sent")
        self.assertEqual(sent["subject"]["done_by"], "kim")
        self.assertEqual(sent["subject"]["appointment"]["payment"], "paid")
        self.assertGreater(sent["subject"]["payment_row"], 0)
        self.assertEqual(len(self.charges()), 1)
        self.assertEqual(self.charges()[0]["amount"], 4000)
        self.assertEqual(self.drive("queue-list")["subject"], [])

        again = self.drive("queue-send", str(q["id"]), expect=1)
        self.assertIn("sent already (by kim", again["error"])
        self.assertEqual(len(self.charges()), 1)
        self.assertEqual(self.audit(), ["payment.queued", "payment.queue_sent",
                                        "payment.card.succeeded"])

    def test_two_confirms_at_once_charge_once(self):
        appt = self.booked_with_card()
        q = self.queue(appt)
        # Both desks' jobs overlap: the create is held by the fake for a moment.
        self.fake.add_fault("latency", method="POST", path_prefix="/v1/payment_intents",
                            ms=700, count=2)
        procs = [subprocess.Popen(self.driver_argv("job-queue-send", str(q["id"]), user=u),
                                  env=self.driver_env(), stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True) for u in ("sam", "kim")]
        outs = [p.communicate(timeout=90) for p in procs]
        done = sorted(json.loads(o.strip().splitlines()[-1])["completions"][0]["status"]
                      for o, _ in outs)
        self.assertEqual(done, ["done", "failed"], outs)
        refusal = [o for o, _ in outs if '"failed"' in o][0]
        self.assertIn("sent already", refusal)
        self.assertEqual(len(self.charges()), 1)
        creates = [r for r in self.payment_posts() if r["path"] == "/v1/payment_intents"]
        self.assertEqual(len(creates), 1)
        shown = self.drive("show", str(appt["id"]))["subject"]
        self.assertEqual(shown["payment"], "paid")
        self.assertEqual(len(shown["attempts"]), 1)
        self.assertEqual(self.audit().count("payment.queue_sent"), 1)

    def test_drop_needs_a_reason_and_is_audited(self):
        appt = self.booked_with_card()
        q = self.queue(appt)
        refused = self.drive("queue-drop", str(q["id"]), "", expect=1)
        self.assertIn("Reason", refused["error"])
        self.assertEqual(refused["subject"]["state"], "queued")
        out = self.drive("queue-drop", str(q["id"]), "client paid cash instead")
        self.assertEqual(out["subject"]["state"], "dropped")
        self.assertEqual(out["subject"]["reason"], "client paid cash instead")
        late = self.drive("queue-send", str(q["id"]), expect=1)
        self.assertIn("dropped", late["error"])
        self.assertEqual(self.payment_posts(), [])
        self.assertEqual(self.audit(), ["payment.queued", "payment.queue_dropped"])
        detail = self.sql("SELECT detail FROM audit_log WHERE action = "
                          "'payment.queue_dropped'")[0][0]
        self.assertIn("client paid cash instead", detail)
        # the appointment can be queued again after a drop
        self.queue(appt)

    def test_refused_like_a_payment(self):
        appt = self.booked_with_card()
        self.queue(appt)
        twice = self.drive("queue", str(appt["id"]), expect=1)
        self.assertIn("queued already", twice["error"])
        c = self.drive("client", "Rory Williams", "rory@example.com")["subject"]
        bare = self.drive("book", str(c["id"]), "4000", "usd")["subject"]
        no_customer = self.drive("queue", str(bare["id"]), expect=1)
        self.assertIn("no Stripe customer", no_customer["error"])
        over = self.drive("queue", str(bare["id"]), "--amount", "5000", expect=1)
        self.assertIn("at most 40.00 USD is due", over["error"])
        self.assertEqual(self.payment_posts(), [])

    def test_a_cancelled_appointment_leaves_the_list_and_refuses_the_send(self):
        appt = self.booked_with_card()
        q = self.queue(appt)
        self.drive("cancel", str(appt["id"]))
        self.assertEqual(self.drive("queue-list")["subject"], [])
        out = self.drive("queue-send", str(q["id"]), expect=1)
        self.assertIn("cancelled appointment takes no payment", out["error"])
        self.assertEqual(out["subject"]["state"], "queued")  # still droppable, with a reason
        self.assertEqual(self.charges(), [])
        self.drive("queue-drop", str(q["id"]), "appointment cancelled")

    def test_confirm_while_stripe_is_down_keeps_it_queued(self):
        appt = self.booked_with_card()
        q = self.queue(appt)
        self.fake.add_fault("error", status=503)
        out = self.drive("queue-send", str(q["id"]), expect=1)
        self.assertIn("Stripe is still unreachable", out["error"])
        self.assertIn("stays queued, not charged", out["error"])
        self.assertEqual(out["subject"]["state"], "queued")
        self.assertEqual(out["subject"]["appointment"]["attempts"], [])
        self.assertEqual(self.payment_posts(), [])  # only the GET that asked
        self.fake.clear_faults()
        sent = self.drive("queue-send", str(q["id"]))
        self.assertEqual(sent["subject"]["appointment"]["payment"], "paid")
        self.assertEqual(len(self.charges()), 1)

    def booked_with_card_unlisted(self):
        """A client whose card was saved at Stripe but never listed by paydesk."""
        c = self.drive("client", "Amy Pond", "amy@example.com")["subject"]
        cus = self.drive("sync", str(c["id"]))["subject"]["customer"]
        r = self.fake.api("POST", "/v1/payment_methods/pm_card_visa/attach", {"customer": cus})
        self.assertEqual(r.status, 200, r.json())
        return self.drive("book", str(c["id"]), "4000", "usd")["subject"]

    def test_a_charge_in_an_outage_does_not_say_there_is_no_card(self):
        appt = self.booked_with_card_unlisted()
        self.fake.add_fault("error", status=503)
        out = self.drive("card", str(appt["id"]), expect=1)
        self.assertIn("Stripe does not answer", out["error"])
        self.assertNotIn("no saved card", out["error"])
        self.assertEqual(self.payment_posts(), [])

    def test_a_charge_queued_without_a_listed_card_takes_the_first_one_when_sent(self):
        appt = self.booked_with_card_unlisted()
        out = self.drive("queue", str(appt["id"]))
        self.assertEqual(out["subject"]["card"], "")  # not known yet: said so when sent
        sent = self.drive("queue-send", str(out["subject"]["id"]))
        self.assertEqual(sent["subject"]["appointment"]["payment"], "paid")
        self.assertEqual(len(self.charges()), 1)

    def kill_during(self, q, slow_path, want_outbox):
        """Confirm q with slow_path held by the fake; SIGKILL the driver once the outbox
        shows want_outbox (the call under way)."""
        self.fake.add_fault("latency", method="POST", path_prefix=slow_path, ms=1500, count=1)
        proc = subprocess.Popen(self.driver_argv("queue-send", str(q["id"])), env=self.driver_env(),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        states = []
        while time.monotonic() < deadline:
            states = [r[0] for r in self.sql("SELECT state FROM outbox WHERE path LIKE "
                                             "'/v1/payment_intents%' ORDER BY id")]
            if states == want_outbox:
                break
            time.sleep(0.02)
        time.sleep(0.3)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        self.assertEqual(states, want_outbox)
        time.sleep(1.5)  # the fake finishes what it received

    def test_crash_before_the_confirm_is_recovered_not_charged(self):
        appt = self.booked_with_card()
        q = self.queue(appt)
        self.kill_during(q, "/v1/payment_intents", ["sent"])
        # what the crash left: the queued charge left the queue with its attempt
        self.assertEqual(self.sql("SELECT state FROM queued_charges")[0][0], "sent")
        out = self.drive("recover", str(appt["id"]))
        self.assertEqual(out["subject"]["payment"], "failed")
        self.assertEqual(self.charges(), [])
        confirms = [r for r in self.payment_posts() if r["path"].endswith("/confirm")]
        self.assertEqual(confirms, [])
        again = self.drive("queue-send", str(q["id"]), expect=1)
        self.assertIn("sent already", again["error"])
        self.assertEqual(self.charges(), [])

    def test_crash_after_the_confirm_is_recovered_charged_once(self):
        appt = self.booked_with_card()
        q = self.queue(appt)
        self.kill_during(q, "/v1/payment_intents/", ["done", "sent"])
        out = self.drive("recover", str(appt["id"]))
        self.assertEqual(out["subject"]["payment"], "paid")
        again = self.drive("queue-send", str(q["id"]), expect=1)
        self.assertIn("sent already", again["error"])
        self.assertEqual(len(self.charges()), 1)
        shown = self.drive("show", str(appt["id"]))["subject"]
        self.assertEqual(len(shown["attempts"]), 1)


if __name__ == "__main__":
    unittest.main()
