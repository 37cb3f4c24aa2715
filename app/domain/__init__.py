"""Business rules, free of HTTP: services take an explicit actor, flush, never commit."""
