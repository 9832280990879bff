import hashlib
from datetime import date
from decimal import Decimal

import pytest

from invoicer.invoicing.chain import GENESIS, canonical_bytes, chain_hash
from invoicer.invoicing.lifecycle import Status


def test_canonical_bytes_are_compact_sorted_utf8_with_decimal_strings():
    record = {"number": "F2026-00001", "gross": Decimal("81.99"), "issued": date(2026, 3, 1),
              "buyer": "Société Générale", "status": Status.FINALISED, "lines": [1, None]}
    assert canonical_bytes(record) == (
        '{"buyer":"Société Générale","gross":"81.99","issued":"2026-03-01",'
        '"lines":[1,null],"number":"F2026-00001","status":"finalised"}'
    ).encode("utf-8")


def test_the_same_amount_read_at_another_scale_hashes_the_same():
    assert canonical_bytes({"net": Decimal("12.50")}) == canonical_bytes({"net": Decimal("12.5")})
    assert canonical_bytes({"net": Decimal("200")}) == canonical_bytes({"net": Decimal("2E+2")})


def test_chain_hash_links_each_record_to_the_previous_hash():
    first = chain_hash(GENESIS, {"number": "F1", "gross": Decimal("10.00")})
    expected = hashlib.sha256(GENESIS.encode() + b'{"gross":"10","number":"F1"}').hexdigest()
    assert first == expected
    second = chain_hash(first, {"number": "F2", "gross": Decimal("5")})
    assert second != chain_hash(GENESIS, {"number": "F2", "gross": Decimal("5")})
    assert len(second) == 64 and GENESIS == "0" * 64


def test_any_change_to_a_record_changes_its_hash():
    record = {"number": "F1", "gross": Decimal("10.00")}
    changed = {**record, "gross": Decimal("10.01")}
    assert chain_hash(GENESIS, record) != chain_hash(GENESIS, changed)


@pytest.mark.parametrize("value", [1.5, Decimal("NaN"), object()])
def test_values_without_a_stable_form_are_refused(value):
    with pytest.raises(TypeError):
        canonical_bytes({"x": value})
