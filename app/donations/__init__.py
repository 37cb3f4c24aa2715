"""Donor contributions: online gifts, pledges, bank receipts, exchange rates and receipts."""
