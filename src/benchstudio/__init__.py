"""BenchStudio: measure how fast, how cheap and how good an LLM endpoint is."""

__version__ = "0.1.0"
