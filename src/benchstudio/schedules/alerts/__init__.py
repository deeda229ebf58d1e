"""Regression alerts of scheduled runs: rules, episodes, notifications, webhooks."""
