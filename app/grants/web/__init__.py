"""Grants in the browser: the blueprint, its pages (views/), forms, labels and commands."""
