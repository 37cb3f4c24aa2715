"""In-app notifications and the e-mails that point to them."""
