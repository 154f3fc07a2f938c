"""The registry: districts, markets, vendors, banks; workflow, imports and the audit log."""
