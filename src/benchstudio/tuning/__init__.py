"""The parameter tuner: search a model's sampling parameters for the best tool-calling score."""
