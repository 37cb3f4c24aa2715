"""The selection screens: screening, assignments, reviews, ranking, the Board."""
