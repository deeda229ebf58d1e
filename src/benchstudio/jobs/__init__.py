"""Durable, fair, live jobs: every long operation in the product runs as one."""
