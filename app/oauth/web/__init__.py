"""The administrator's pages for OAuth clients."""
