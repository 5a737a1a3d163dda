#!/usr/bin/env python3
"""Large-history benchmark for the fake (not part of the unit tests).

    python3 tests/fakestripe/bench_history.py [--payments 100000] [--seed 42]

Starts the fake as a subprocess, generates a deterministic history through POST /_fake/seed,
then pages through every PaymentIntent over HTTP with limit=100 and
expand[]=data.latest_charge.balance_transaction (what a billing-history sync does), plus a
created-range query, a customer-filtered list and a search. Prints `name value unit` lines.
"""
import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fakeclient import FakeStripe  # noqa: E402

END = 1700000000


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--payments", type=int, default=100000)
    ap.add_argument("--seed", type=int, default=42)
    args = ap.parse_args()
    with FakeStripe() as fake:
        fake.set_clock(END)
        body = json.dumps({"generate": {"payments": args.payments, "seed": args.seed,
                                        "customers": max(1, args.payments // 40),
                                        "start": END - 365 * 86400, "end": END,
                                        "invoices": 0.1}}).encode()
        t = time.monotonic()
        r = fake.raw("POST", "/_fake/seed", body, {"Content-Type": "application/json"},
                     timeout=3600)
        gen = time.monotonic() - t
        assert r.status == 200, r.body[:300]
        created = r.json()["created"]
        print("generate_payments %d count" % created.get("payment_intent", 0))
        print("generate_seconds %.2f s" % gen)
        print("generate_rate %.0f payments/s" % (created.get("payment_intent", 0) / gen))
        for kind in ("charge", "refund", "invoice", "balance_transaction", "event", "customer"):
            print("generated_%s %d count" % (kind, created.get(kind, 0)))

        t = time.monotonic()
        params = {"limit": 100, "expand": ["data.latest_charge.balance_transaction"]}
        seen, pages, nbytes, last_created = 0, 0, 0, None
        while True:
            r = fake.api("GET", "/v1/payment_intents", params, timeout=120)
            assert r.status == 200, r.body[:300]
            page = r.json()
            nbytes += len(r.body)
            pages += 1
            for pi in page["data"]:
                assert last_created is None or pi["created"] <= last_created
                last_created = pi["created"]
            seen += len(page["data"])
            if not page["has_more"]:
                break
            params["starting_after"] = page["data"][-1]["id"]
        paging = time.monotonic() - t
        assert seen == created.get("payment_intent", 0), (seen, created)
        print("page_all_payment_intents %d count" % seen)
        print("page_all_seconds %.2f s" % paging)
        print("page_all_pages %d count" % pages)
        print("page_avg_ms %.1f ms" % (1000.0 * paging / pages))
        print("page_all_bytes %d bytes" % nbytes)

        t = time.monotonic()
        r = fake.api("GET", "/v1/charges", {"limit": 100, "created": {"gte": END - 7 * 86400}})
        print("list_created_range_ms %.1f ms" % (1000 * (time.monotonic() - t)))
        cus = r.json()["data"][0]["customer"]
        t = time.monotonic()
        r = fake.api("GET", "/v1/payment_intents", {"limit": 100, "customer": cus})
        print("list_by_customer_ms %.1f ms" % (1000 * (time.monotonic() - t)))
        t = time.monotonic()
        r = fake.api("GET", "/v1/balance_transactions", {"limit": 100, "type": "refund"})
        print("list_txn_by_type_ms %.1f ms" % (1000 * (time.monotonic() - t)))
        t = time.monotonic()
        r = fake.api("GET", "/v1/payment_intents/search",
                     {"query": 'metadata["appointment_id"]:"A-000123"'})
        assert r.status == 200 and len(r.json()["data"]) == 1, r.body[:300]
        print("search_full_scan_ms %.1f ms" % (1000 * (time.monotonic() - t)))
        t = time.monotonic()
        r = fake.api("GET", "/v1/events", {"limit": 100, "type": "charge.refunded"})
        print("events_by_type_ms %.1f ms" % (1000 * (time.monotonic() - t)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
