"""The outbox: e-mails written in the transaction of the change that causes them, sent later."""
