"""The HTTP kit below the domains: dependencies, the error envelope and its handlers, edge
middleware, the caller types (`CurrentUser`, `AdminUser`) behind a protocol that auth implements."""
