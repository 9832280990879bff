"""Invoicer: multi-user invoicing with live collaborative drafts."""
