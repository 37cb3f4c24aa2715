"""Saved views of the staff lists: a person's named sort and filters of one list."""
