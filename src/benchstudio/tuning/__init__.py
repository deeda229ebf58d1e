"""The parameter tuner: search spaces over each provider's real parameters, search
strategies (grid, random, Bayesian) and their trials (issue 21)."""
