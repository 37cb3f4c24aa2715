"""The account pages where a person makes, lists and revokes their API tokens."""
