"""Personal data on request: a person's copy of what the fund holds about them, closing an
account (anonymised, the financial and audit records kept), and the retention of unconfirmed
accounts.

A feature of its own because it reads every area that holds something about a person (accounts,
donations, grants, reviews, applications, notifications, audit), and no area depends on it:
kept inside accounts it would close an import cycle with each of them.
"""
