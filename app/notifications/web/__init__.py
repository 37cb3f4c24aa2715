"""The notification centre and the e-mails sent after commit."""
