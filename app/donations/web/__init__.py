"""Donations on the web: the Give page, Stripe's webhook, the donor portal and finance screens."""
