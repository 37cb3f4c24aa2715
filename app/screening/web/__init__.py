"""Screening's pages: the due-diligence queue, a hit, an organisation's screening."""
