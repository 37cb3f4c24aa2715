"""The organisations' rules: bank details."""
