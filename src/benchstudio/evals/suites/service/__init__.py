"""Suite use cases: `crud` (versioned CRUD, export, the sample) and `imports` (BFCL, MCP)."""
