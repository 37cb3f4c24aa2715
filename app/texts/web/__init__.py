"""The pages where the fund manager and the administrator edit the fund's texts."""
