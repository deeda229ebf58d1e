"""Tuning use cases. `space_rules` binds the pure search-space checks to the provider
parameter registry."""

from benchstudio.tuning.service.space_rules import check_space, provider_rules, space_report

__all__ = ["check_space", "provider_rules", "space_report"]
