"""Fixtures of the e-invoice tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from invoicer.einvoice import InvoiceDocument

from .builders import OUTPUT, make_invoice


@pytest.fixture
def output_dir() -> Path:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    return OUTPUT


@pytest.fixture
def invoice() -> InvoiceDocument:
    return make_invoice()
