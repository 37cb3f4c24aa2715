"""Screening's use cases: importing a list (list_import), matching names (matching), people's
decisions on hits (decisions)."""
