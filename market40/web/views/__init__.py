"""Web pages, one module per audience: public dashboards, market board, vendor, audit, account."""
