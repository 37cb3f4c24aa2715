"""Personal access tokens: a person's key to the JSON API (docs/api.md)."""
