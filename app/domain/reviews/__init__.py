"""Selection: screening, conflict of interest, reviewer assignment, expert scoring, Board decisions.

Importing the package adds the selection moves to the application's workflow (workflow.py).
"""

from app.domain.reviews import workflow as workflow
