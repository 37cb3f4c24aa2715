"""The copied-proposal pages (staff only)."""
