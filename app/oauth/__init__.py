"""OAuth 2 clients: programs of the fund's partners (its finance system) that get short-lived
API tokens with the client credentials grant (docs/api.md, decision 0102)."""
