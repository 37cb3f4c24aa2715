"""Selection: screening, conflicts of interest, reviewer assignment, scoring, Board decisions."""
