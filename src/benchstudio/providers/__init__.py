"""The only code that speaks to LLM APIs: adapters per wire protocol, errors, params, prices.

See docs/providers.md. Import submodules directly (`providers.base`, `providers.factory`, ...);
this package module stays empty so importing the types does not pull in every adapter.
"""
