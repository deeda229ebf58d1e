"""The tuner's pure rules: search spaces, their grid and registry checks, vendor presets,
and the search strategies."""
