"""Internal notes: what the fund's staff write to each other about a case, never shown to it."""
