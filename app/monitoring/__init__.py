"""Monitoring: a grant's visits, spot checks and audits, their findings and recommendations,
and the partner performance score that proposes an organisation's risk rating."""
