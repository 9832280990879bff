"""The invoicing domain, free of I/O: money, totals, draft reading, numbering, roles, chain."""
