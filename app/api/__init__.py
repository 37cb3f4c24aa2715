"""The JSON API, versioned under /api/v1. Read-only and public so far: the calls feed."""
