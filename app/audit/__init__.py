"""The append-only audit log: who did what to which record, from where, and when."""
