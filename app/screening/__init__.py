"""Sanctions screening: organisations and their key people against the UN Security Council
Consolidated List, and the fund manager's decisions on possible matches."""
