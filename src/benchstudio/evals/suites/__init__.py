"""Tool-calling suites: versioned CRUD, imports (BFCL, MCP), export, the sample."""
