"""The internal notes section of a record's staff page, and the route that adds a note."""
