"""Grants: awards, agreements, tranche disbursements, grantee reports, amendments, closure."""
