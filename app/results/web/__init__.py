"""The results pages: the fund's indicator list, a report's actuals."""
