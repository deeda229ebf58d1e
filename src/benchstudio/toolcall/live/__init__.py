"""Live tool-calling evals: drive models through a suite and score each case as it finishes.

`records` holds the result records, `conversation` turns cases into requests and responses into
recorded outputs, `runner` runs (target, case) pairs concurrently with per-provider limits.
"""
