"""Results frameworks: the fund's standard indicators, a proposal's outcomes, outputs and
indicators with baselines and yearly targets, and the actuals each grantee report gives."""
