"""Grant applications in the browser, one module per page family: the NGO's and the fund's
lists and starting an application (``lists``), the application page, its printable view and
private document downloads (``pages``), the section-by-section form (``sections``), its
attachments (``attachments``), and submission, withdrawal and the message thread
(``messages``). Each adds its routes to the ``applications`` blueprint
(app/applications/web/blueprint.py); app/applications/web/routes.py gathers them.
"""
