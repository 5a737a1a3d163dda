"""Sources and Tokens exist for permission probes: Write needed, nothing created by paydesk."""
import unittest

from fakecase import FakeStripeCase


class SourcesTokens(FakeStripeCase):
    def test_source_update_unknown_is_resource_missing(self):
        r = self.fake.api("POST", "/v1/sources/src_0probe", {})
        self.assertEqual(r.status, 404)
        self.assertEqual(r.json()["error"]["code"], "resource_missing")

    def test_token_without_data_is_refused(self):
        r = self.fake.api("POST", "/v1/tokens", {})
        self.assertEqual(r.status, 400)
        self.assertIn("You must supply either a card", r.json()["error"]["message"])
        r = self.fake.api("POST", "/v1/tokens", {"pii": {"id_number": "000000000"}})
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json()["type"], "pii")

    def test_permissions_checked_first(self):
        key = "rk_test_51nosourcestokens0000000"
        self.fake.add_key(key, permissions={"sources": "read", "tokens": "read"})
        for path in ("/v1/sources/src_0probe", "/v1/tokens"):
            r = self.fake.api("POST", path, {}, key=key)
            self.assertEqual(r.status, 403, path)
            self.assertIn("rak_%s_write" % ("source" if "sources" in path else "token"),
                          r.json()["error"]["message"])
        self.assertEqual(self.fake.api("GET", "/v1/sources/src_0probe", key=key).status, 404)


if __name__ == "__main__":
    unittest.main()
