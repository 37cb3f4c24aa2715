"""Outgoing webhooks: partners' HTTPS endpoints told of the events they chose, signed, retried
(docs/api.md, decision 0103)."""
