"""Texts staff can edit: e-mails and letters, per language, versioned, checked when saved."""
