"""Copied proposals: every submitted application's text signed (MinHash over shingles), its
likely copies found by an indexed look-up of the signature's bands, confirmed by comparing the
texts, and the pairs sharing long passages flagged for the fund's screeners (issue 21)."""
