"""An organisation's customers."""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select

from .audit import record_event
from .db import Database
from .errors import NotFound
from .models import Customer

__all__ = [
    "CUSTOMER_FIELDS", "create_customer", "get_customer", "list_customers", "update_customer",
]

CUSTOMER_FIELDS = (
    "name", "email", "country", "vat_number", "currency", "address", "city", "postcode",
)


def create_customer(
    db: Database,
    org_id: str,
    values: dict[str, Any],
    *,
    actor_id: str | None = None,
    ip: str | None = None,
) -> Customer:
    """Add a customer; `values` holds validated CUSTOMER_FIELDS."""
    unknown = set(values) - set(CUSTOMER_FIELDS)
    if unknown:
        raise ValueError(f"not customer fields: {sorted(unknown)}")
    with db.transaction() as session:
        customer = Customer(org_id=org_id, **values)
        session.add(customer)
        record_event(session, org_id=org_id, user_id=actor_id, action="customer.create",
                     target=customer.id, detail={"name": customer.name}, ip=ip)
    return customer


def update_customer(
    db: Database,
    org_id: str,
    customer_id: str,
    changes: dict[str, Any],
    *,
    actor_id: str | None = None,
    ip: str | None = None,
) -> Customer:
    """Change validated CUSTOMER_FIELDS. Issued invoices keep the details they were issued
    with (storage.issued), so a new address reprints none of them."""
    unknown = set(changes) - set(CUSTOMER_FIELDS)
    if unknown:
        raise ValueError(f"not customer fields: {sorted(unknown)}")
    with db.transaction() as session:
        customer = session.get(Customer, customer_id)
        if customer is None or customer.org_id != org_id:
            raise NotFound(f"no customer {customer_id}")
        changed = {key: value for key, value in changes.items()
                   if getattr(customer, key) != value}
        for key, value in changed.items():
            setattr(customer, key, value)
        session.add(customer)
        if changed:
            record_event(session, org_id=org_id, user_id=actor_id, action="customer.update",
                         target=customer.id, detail={"fields": sorted(changed)}, ip=ip)
    return customer


def get_customer(db: Database, org_id: str, customer_id: str) -> Customer | None:
    """The customer if it belongs to the organisation; tenants never see each other."""
    with db.session() as session:
        customer = session.get(Customer, customer_id)
    return customer if customer is not None and customer.org_id == org_id else None


def list_customers(db: Database, org_id: str, *, limit: int = 1000) -> list[Customer]:
    with db.session() as session:
        statement = (
            select(Customer)
            .where(Customer.org_id == org_id)
            .order_by(col(Customer.name), col(Customer.id))
            .limit(limit)
        )
        return list(session.exec(statement).all())
