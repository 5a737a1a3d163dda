"""Search endpoints: query language subset, pagination with page/next_page, errors."""
from fakecase import FakeStripeCase

T0 = 1700000000


class SearchTest(FakeStripeCase):
    def setUp(self):
        super().setUp()
        self.fake.set_clock(T0)
        self.amy = self.ok("POST", "/v1/customers", {"email": "Amy@Example.com", "name": "Amy Pond",
                                                     "metadata": {"tier": "gold"}})
        self.fake.advance_clock(10)
        self.zoe = self.ok("POST", "/v1/customers", {"email": "zoe@example.org",
                                                     "name": "Zoë Müller"})
        for i, amount in enumerate((1000, 2500, 5000, 7000)):
            self.fake.advance_clock(10)
            self.pay(amount=amount, customer=self.amy["id"] if i % 2 else self.zoe["id"],
                     metadata={"appointment_id": "A-%d" % i})

    def ids(self, path, query, **kw):
        return [o["id"] for o in self.ok("GET", path, dict(kw, query=query))["data"]]

    def test_customers(self):
        s = "/v1/customers/search"
        self.assertEqual(self.ids(s, 'email:"amy@example.com"'), [self.amy["id"]])
        self.assertEqual(self.ids(s, 'name~"Müll"'), [self.zoe["id"]])
        self.assertEqual(self.ids(s, 'metadata["tier"]:"gold"'), [self.amy["id"]])
        self.assertEqual(self.ids(s, 'created>%d' % T0), [self.zoe["id"]])
        self.assertEqual(self.ids(s, 'email~"example" AND -name:"Amy Pond"'), [self.zoe["id"]])
        self.assertEqual(self.ids(s, 'email:"nobody@x.com" OR name:"Amy Pond"'), [self.amy["id"]])
        err = self.error(400, "GET", s, {"query": 'colour:"red"'})
        self.assertEqual(err["param"], "query")
        self.assertIn("unsupported search field", err["message"])
        self.error(400, "GET", s, {"query": 'name:"a" AND email:"b" OR phone:"c"'})
        self.error(400, "GET", s, {"query": 'name~"ab"'})
        self.error(400, "GET", s, {})

    def test_payment_intents_and_paging(self):
        s = "/v1/payment_intents/search"
        self.assertEqual(len(self.ids(s, 'amount>=2500 status:"succeeded"')), 3)
        self.assertEqual(len(self.ids(s, 'customer:"%s"' % self.amy["id"])), 2)
        got = self.ok("GET", s, {"query": 'metadata["appointment_id"]:"A-2"'})["data"]
        self.assertEqual(got[0]["amount"], 5000)
        pages, params = [], {"query": 'currency:"usd"', "limit": 3,
                             "expand": ["total_count", "data.latest_charge"]}
        while True:
            r = self.ok("GET", s, params)
            self.assertEqual(r["object"], "search_result")
            self.assertEqual(r["total_count"], 4)
            self.assertEqual(r["data"][0]["latest_charge"]["object"], "charge")
            pages.append([p["amount"] for p in r["data"]])
            if not r["has_more"]:
                self.assertIsNone(r["next_page"])
                break
            params["page"] = r["next_page"]
        self.assertEqual(pages, [[7000, 5000, 2500], [1000]])
        charges = self.ids("/v1/charges/search", 'amount<2000 OR amount>6000')
        self.assertEqual(len(charges), 2)
        self.error(400, "GET", s, {"query": 'currency>3'})
