"""A Stripe-compatible fake API server for paydesk's tests (python3 standard library only)."""
