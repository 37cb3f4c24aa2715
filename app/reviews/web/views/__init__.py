"""Selection in the browser, one module per page family: the fund's overview of calls
(``overview``), ``screening``, reviewer ``assignment``, the ``reviewer``'s declaration and
review, the reviews, ``ranking``, recommendation and Board pack, the ``board``'s meetings and
decisions, and the applicant's decision ``letter``. Each adds its routes to the ``reviews``
blueprint (app/reviews/web/blueprint.py); app/reviews/web/routes.py gathers them.

Every object-level rule is the domain's: routes load, check with the permission predicates
(a record the visitor may not see answers 404), call one service, commit once.
"""
