"""Grants in the browser, one module per page family: the dashboards and the grant page
(``overview``), award and schedule, agreement, tranches, reports, amendments, closure. Each adds
its routes to the ``grants`` blueprint (app/grants/web/blueprint.py); app/grants/web/routes.py
gathers them.

Routes load the record (404 when the visitor may not see it), call one service, commit once.
A refused action (a domain error) is rolled back and explained on the page it came from.
"""
