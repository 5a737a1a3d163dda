"""List endpoints: limit, cursors both ways, created filters, expand on lists, speed."""
import time

from fakecase import FakeStripeCase

T0 = 1700000000


class ListTest(FakeStripeCase):
    def make_customers(self, n, step=60):
        self.fake.set_clock(T0)
        ids = []
        for i in range(n):
            ids.append(self.ok("POST", "/v1/customers", {"email": "c%d@x.com" % i})["id"])
            if i % 2:                       # every other one shares a second with the previous
                self.fake.advance_clock(step)
        return ids                          # oldest first

    def test_round_trip_forwards_and_backwards(self):
        ids = self.make_customers(25)
        newest_first = list(reversed(ids))
        pages, params = [], {"limit": 10}
        while True:
            page = self.ok("GET", "/v1/customers", params)
            self.assertEqual(page["url"], "/v1/customers")
            pages.append([c["id"] for c in page["data"]])
            if not page["has_more"]:
                break
            params = {"limit": 10, "starting_after": page["data"][-1]["id"]}
        self.assertEqual([len(p) for p in pages], [10, 10, 5])
        self.assertEqual(sum(pages, []), newest_first)
        # and back towards newer objects from the oldest page
        back, cursor = [], pages[-1][0]
        while True:
            page = self.ok("GET", "/v1/customers", {"limit": 10, "ending_before": cursor})
            got = [c["id"] for c in page["data"]]
            back = got + back
            if not page["has_more"]:
                break
            cursor = got[0]
        self.assertEqual(back, newest_first[:20])

    def test_created_filters(self):
        ids = self.make_customers(10, step=100)   # pairs at T0, T0+100, ... T0+400
        def got(created):
            return [c["id"] for c in self.ok("GET", "/v1/customers",
                                             {"created": created, "limit": 100})["data"]]
        self.assertEqual(got(T0 + 100), [ids[3], ids[2]])
        self.assertEqual(got({"gte": T0 + 300}), list(reversed(ids[6:])))
        self.assertEqual(got({"gt": T0 + 300}), list(reversed(ids[8:])))
        self.assertEqual(got({"lt": T0 + 100}), [ids[1], ids[0]])
        self.assertEqual(got({"lte": T0 + 100, "gte": T0 + 100}), [ids[3], ids[2]])
        page = self.ok("GET", "/v1/customers", {"created": {"gte": T0 + 100}, "limit": 3,
                                                "starting_after": ids[5]})
        self.assertEqual([c["id"] for c in page["data"]], [ids[4], ids[3], ids[2]])
        self.assertFalse(page["has_more"])

    def test_limit_bounds_and_cursor_errors(self):
        for bad in (0, 101):
            err = self.error(400, "GET", "/v1/customers", {"limit": bad})
            self.assertEqual(err["param"], "limit")
        err = self.error(400, "GET", "/v1/customers", {"starting_after": "cus_nope"})
        self.assertEqual(err["param"], "starting_after")
        err = self.error(400, "GET", "/v1/customers", {"starting_after": "a", "ending_before": "b"})
        self.assertIn("only specify one", err["message"])
        self.assertEqual(len(self.ok("GET", "/v1/customers")["data"]), 0)

    def test_default_limit_filters_and_expand(self):
        cus = self.ok("POST", "/v1/customers", {})["id"]
        for i in range(12):
            self.pay(amount=1000 + i, **({"customer": cus} if i % 3 == 0 else {}))
        self.assertEqual(len(self.ok("GET", "/v1/payment_intents")["data"]), 10)
        mine = self.ok("GET", "/v1/payment_intents", {"customer": cus,
                                                      "expand": ["data.customer",
                                                                 "data.latest_charge"]})["data"]
        self.assertEqual(len(mine), 4)
        self.assertEqual(mine[0]["customer"]["id"], cus)
        self.assertEqual(mine[0]["latest_charge"]["object"], "charge")
        charges = self.ok("GET", "/v1/charges", {"payment_intent": mine[0]["id"]})["data"]
        self.assertEqual([c["id"] for c in charges], [mine[0]["latest_charge"]["id"]])

    def test_deleted_customer_leaves_lists(self):
        ids = self.make_customers(3)
        gone = self.ok("DELETE", "/v1/customers/" + ids[1])
        self.assertEqual(gone, {"id": ids[1], "object": "customer", "deleted": True})
        self.assertEqual([c["id"] for c in self.ok("GET", "/v1/customers")["data"]],
                         [ids[2], ids[0]])
        self.assertTrue(self.ok("GET", "/v1/customers/" + ids[1])["deleted"])

    def test_listing_large_history_is_fast(self):
        result = self.fake.seed({"generate": {"payments": 2000, "seed": 7, "events": False,
                                              "start": T0 - 86400 * 365, "end": T0}})
        self.assertEqual(result["created"]["payment_intent"], 2000)
        start = time.monotonic()
        page = self.ok("GET", "/v1/charges", {"limit": 100})
        pages = 1
        while page["has_more"] and pages < 30:
            page = self.ok("GET", "/v1/charges", {"limit": 100,
                                                  "starting_after": page["data"][-1]["id"]})
            pages += 1
        elapsed = time.monotonic() - start
        n_charges = self.fake.counts()["charge"]     # failed attempts are charges too
        self.assertGreater(n_charges, 1900)
        self.assertEqual(pages, -(-n_charges // 100))
        self.assertLess(elapsed, 10.0)


class HistoryAtScaleTest(FakeStripeCase):
    """Generated history: deterministic, consistent, pageable with filters (small N here; the
    100k figures come from bench_history.py)."""

    def test_generated_history_paging_filters_and_determinism(self):
        spec = {"generate": {"payments": 1500, "seed": 11, "start": T0 - 86400 * 90, "end": T0,
                             "invoices": 0.1}}
        self.fake.set_clock(T0)
        first = self.fake.seed(spec)["created"]
        ids = [p["id"] for p in self.ok("GET", "/v1/payment_intents", {"limit": 5})["data"]]
        self.fake.reset()
        self.fake.set_clock(T0)
        self.assertEqual(self.fake.seed(spec)["created"], first)
        self.assertEqual([p["id"] for p in self.ok("GET", "/v1/payment_intents",
                                                   {"limit": 5})["data"]], ids)
        self.assertGreater(first["invoice"], 50)
        self.assertGreater(first["refund"], 50)
        start = time.monotonic()
        seen, params, last = [], {"limit": 100, "created": {"gte": T0 - 86400 * 30},
                                  "expand": ["data.latest_charge.balance_transaction"]}, None
        while True:
            page = self.ok("GET", "/v1/payment_intents", params)
            for pi in page["data"]:
                self.assertGreaterEqual(pi["created"], T0 - 86400 * 30)
                self.assertTrue(last is None or pi["created"] <= last)
                last = pi["created"]
                charge = pi["latest_charge"]
                if charge and charge["status"] == "succeeded":
                    txn = charge["balance_transaction"]
                    self.assertEqual(txn["net"], txn["amount"] - txn["fee"])
            seen += [p["id"] for p in page["data"]]
            if not page["has_more"]:
                break
            params["starting_after"] = page["data"][-1]["id"]
        elapsed = time.monotonic() - start
        print("\n  history: paged %d payment intents (30 days, expanded) in %.2f s"
              % (len(seen), elapsed))
        self.assertEqual(len(seen), len(set(seen)))
        every = self.ok("GET", "/v1/payment_intents", {"limit": 100,
                                                       "created": {"gte": T0 - 86400 * 30}})
        self.assertEqual(every["data"][0]["id"], seen[0])
        # invoice payments are in the billing history with `invoice` set
        invs = self.ok("GET", "/v1/invoices", {"status": "paid", "limit": 3})["data"]
        pi = self.ok("GET", "/v1/payment_intents/" + invs[0]["payment_intent"])
        self.assertEqual(pi["invoice"], invs[0]["id"])
        # indexed filters agree with a scan
        cus = invs[0]["customer"]
        by_cus = self.ok("GET", "/v1/payment_intents", {"customer": cus, "limit": 100})["data"]
        self.assertTrue(by_cus and all(p["customer"] == cus for p in by_cus))
        page2 = self.ok("GET", "/v1/payment_intents", {"customer": cus, "limit": 2,
                                                       "starting_after": by_cus[1]["id"]})
        self.assertEqual([p["id"] for p in page2["data"]], [p["id"] for p in by_cus[2:4]])
        refunds = self.ok("GET", "/v1/balance_transactions", {"type": "refund", "limit": 100})
        self.assertTrue(all(t["type"] == "refund" for t in refunds["data"]))
        # events exist only for the last 30 days of generated history (Stripe keeps 30 days)
        oldest = self.ok("GET", "/v1/events", {"limit": 1, "created": {"lt": T0 - 86400 * 31}})
        self.assertEqual(oldest["data"], [])
        self.assertTrue(self.ok("GET", "/v1/events", {"type": "charge.succeeded"})["data"])
