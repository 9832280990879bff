"""The demo organisation: a lighting workshop in Lyon with a few months of invoicing.

`seed_demo` is idempotent: a second run finds the organisation and changes nothing. Its
identifiers pass their checks (SIREN/SIRET Luhn, French VAT key, IBAN mod 97, German,
Spanish and British VAT numbers) but belong to no real company.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from pycrdt import merge_updates

from ..collab.draftdoc import build_update, initial_update, new_line_id
from ..invoicing.draft import read_draft
from ..invoicing.lifecycle import Status
from ..invoicing.money import round_money
from ..storage import Store
from ..storage.accounts import create_organization, create_user, organization_by_name
from ..storage.finalise import finalise_invoice
from .auth import AuthUser, hash_password
from .documents import legal_check
from .wiring import draft_cache

__all__ = ["DEMO_ORG", "DEMO_PASSWORD", "DEMO_USERS", "DemoSeed", "seed_demo"]

log = logging.getLogger(__name__)

DEMO_ORG = "Atelier Lumière SARL"
DEMO_PASSWORD = "demo-password"

_ORG_DETAILS = {
    "address": "12 rue de la Charité",
    "city": "Lyon",
    "postcode": "69002",
    "country": "FR",
    "siren": "853920171",
    "siret": "85392017100016",
    "vat_number": "FR31853920171",
    "iban": "FR7630004016900000123456771",
    "bic": "BNPAFRPP",
    "email": "factures@atelier-lumiere.test",
    "currency": "EUR",
    # The 40 EUR recovery indemnity is printed by Invoicer itself on every invoice.
    "late_penalty_text": (
        "Pénalités de retard : trois fois le taux d'intérêt légal. "
        "Pas d'escompte pour paiement anticipé."
    ),
}

# The legal form, share capital and trade registry (RCS) a company must print (Code de
# commerce R123-237): the PDF footer carries them.
DEMO_LEGAL_INFORMATION = "SARL au capital de 10 000 € · RCS Lyon 853 920 171"
_ORG_DETAILS["legal_information"] = DEMO_LEGAL_INFORMATION

# (email, name, role, language, colour)
DEMO_USERS = [
    ("olivia@demo.test", "Olivia Martin", "owner", "fr", "#7c3aed"),
    ("adam@demo.test", "Adam Roux", "admin", "fr", "#0891b2"),
    ("claire@demo.test", "Claire Dubois", "accountant", "fr", "#db2777"),
    ("sam@demo.test", "Sam Patel", "sales", "en", "#ea580c"),
    ("max@demo.test", "Max Weber", "manager", "en", "#16a34a"),
    ("vera@demo.test", "Vera Costa", "viewer", "en", "#4f46e5"),
]

_CUSTOMERS = {
    "FR": {"name": "Boulangerie Martin & Fils", "email": "compta@boulangerie-martin.test",
           "country": "FR", "vat_number": "FR42914572367", "currency": "EUR",
           "address": "8 place des Lices", "postcode": "35000", "city": "Rennes"},
    "DE": {"name": "Bäckerei Schmidt GmbH", "email": "buchhaltung@baeckerei-schmidt.test",
           "country": "DE", "vat_number": "DE281507435", "currency": "EUR",
           "address": "Kastanienallee 21", "postcode": "10435", "city": "Berlin"},
    "ES": {"name": "Cerámica Valenciana S.L.", "email": "admin@ceramica-valenciana.test",
           "country": "ES", "vat_number": "ESB98765431", "currency": "EUR",
           "address": "Carrer de Cadis 14", "postcode": "46006", "city": "València"},
    "GB": {"name": "Harbour & Finch Ltd", "email": "accounts@harbourfinch.test",
           "country": "GB", "vat_number": "GB310001008", "currency": "GBP",
           "address": "41 Wapping High Street", "postcode": "E1W 2NP", "city": "London"},
    "US": {"name": "Northwind Lighting Inc.", "email": "ap@northwind-lighting.test",
           "country": "US", "vat_number": "", "currency": "USD",
           "address": "920 SW Washington St", "postcode": "OR 97205",
           "city": "Portland"},
    "JP": {"name": "Kyoto Washi Co., Ltd.", "email": "keiri@kyoto-washi.test",
           "country": "JP", "vat_number": "", "currency": "JPY",
           "address": "Karasuma-dori 305, Nakagyo-ku", "postcode": "604-8172",
           "city": "Kyoto"},
    "KW": {"name": "Gulf Interiors W.L.L.", "email": "finance@gulf-interiors.test",
           "country": "KW", "vat_number": "", "currency": "KWD",
           "address": "Ahmad Al-Jaber Street, Sharq", "postcode": "15300",
           "city": "Kuwait City"},
}


def _line(description: str, quantity: str, price: str, vat: str, unit: str = "C62",
          discount: str = "0", category: str | None = None) -> dict[str, Any]:
    line = {"description": description, "quantity": quantity, "unit_price": price,
            "vat_rate": vat, "discount": discount, "unit": unit}
    if category is not None:
        line["vat_category"] = category
    return line


# Zero-rated lines say why: intra-community supply (K) or export outside the EU (G).
_K, _G = {"category": "K"}, {"category": "G"}


# (customer, days ago it was issued, final status or None for a draft, notes, lines)
_INVOICES: list[tuple[str, int, str | None, str, list[dict[str, Any]]]] = [
    ("FR", 84, Status.PAID, "Merci pour votre confiance.", [
        _line("Suspension laiton « Halo », Ø 60 cm", "2", "890.00", "20"),
        _line("Pose et raccordement", "3.5", "65.00", "20", "HUR"),
    ]),
    ("DE", 70, Status.PAID, "Intra-community supply.", [
        _line("Wall lamp 'Lune', brushed steel", "12", "149.00", "0", **_K),
    ]),
    ("GB", 61, Status.PARTLY_PAID, "Deposit of 50 % received.", [
        _line("Pendant 'Comet', smoked glass", "6", "410.00", "0", **_G),
        _line("Packing and shipping", "1", "180.00", "0", **_G),
    ]),
    ("ES", 48, Status.OVERDUE, "Pago a 30 días.", [
        _line("Applique céramique émaillée", "20", "78.50", "0", discount="5", **_K),
    ]),
    ("US", 38, Status.SENT, "Export: VAT not applicable.", [
        _line("Floor lamp 'Arc', walnut", "4", "1240.00", "0", **_G),
    ]),
    ("FR", 9, Status.SENT, "Règlement par virement à réception.", [
        _line("Restauration lustre cristal (XIXe)", "1", "1850.00", "20"),
        _line("Ampoules LED filament 2700 K", "24", "7.90", "20"),
    ]),
    ("KW", 2, Status.FINALISED, "Payment in KWD to the IBAN below.", [
        _line("Chandelier 'Oasis', 24 arms", "1", "1375.125", "0", **_G),
    ]),
    ("JP", 0, None, "和紙シェードの見積もり", [
        _line("Washi lampshade, custom size", "15", "18500", "0", **_G),
        _line("Design consultation", "2", "42000", "0", "HUR", **_G),
    ]),
    ("DE", 0, None, "Entwurf: Lieferung KW 12.", [
        _line("Wall lamp 'Lune', brushed steel", "30", "149.00", "0", **_K),
        _line("Express shipping", "1", "", "0", **_K),  # no price yet: shown as a problem
    ]),
    ("FR", 0, None, "", []),
]

_STATUS_PATH = {
    Status.FINALISED: [],
    Status.SENT: [Status.SENT],
    Status.PARTLY_PAID: [Status.SENT],
    Status.PAID: [Status.SENT],
    Status.OVERDUE: [Status.SENT, Status.OVERDUE],
}
# The share of the amount due paid by the customer (a payment moves the status on).
_PAID_SHARE = {Status.PARTLY_PAID: Decimal("0.5"), Status.PAID: Decimal(1)}
_PAID_AFTER_DAYS = 12


@dataclass(frozen=True)
class DemoSeed:
    org_id: str
    created: bool  # False when the organisation was already there

    def instructions(self, public_url: str) -> str:
        users = "\n".join(f"  {email:<20} {role:<11} {name}"
                          for email, name, role, _, _ in DEMO_USERS)
        state = "seeded" if self.created else "already present"
        return (f"Demo organisation «{DEMO_ORG}» {state}.\n"
                f"Sign in at {public_url}/ with one of these (password: {DEMO_PASSWORD}):\n"
                f"{users}\n"
                "API: invoicer token create claire@demo.test")


async def seed_demo(store: Store) -> DemoSeed:
    """Create the demo organisation with its people, customers and invoices (once)."""
    existing = await store.run(organization_by_name, DEMO_ORG)
    if existing is not None:
        return DemoSeed(existing.id, created=False)
    org = await store.run(create_organization, DEMO_ORG, **_ORG_DETAILS)
    users = await _seed_users(store, org.id)
    customers = {
        key: (await store.create_customer(org.id, values, actor_id=users["olivia"].id)).id
        for key, values in _CUSTOMERS.items()
    }
    for customer, days_ago, status, notes, lines in _INVOICES:
        await _seed_invoice(store, users, customers[customer], _CUSTOMERS[customer],
                            days_ago, status, notes, lines)
    log.info("demo organisation %s seeded", org.id)
    return DemoSeed(org.id, created=True)


async def _seed_users(store: Store, org_id: str) -> dict[str, AuthUser]:
    # One hash for all: the password is the same, and argon2 is slow on purpose.
    password_hash = hash_password(DEMO_PASSWORD)
    users = {}
    for email, name, role, language, colour in DEMO_USERS:
        user = await store.run(create_user, org_id, email=email, name=name, role=role,
                               password_hash=password_hash, language=language, colour=colour)
        users[email.partition("@")[0]] = AuthUser.of(user)
    return users


async def _seed_invoice(
    store: Store,
    users: dict[str, AuthUser],
    customer_id: str,
    customer: dict[str, Any],
    days_ago: int,
    status: Status | None,
    notes: str,
    lines: list[dict[str, Any]],
) -> None:
    sales, accountant = users["sam"], users["claire"]
    day = datetime.now(UTC).date() - timedelta(days=days_ago)
    meta = {
        "customer_id": customer_id, "currency": customer["currency"],
        "issue_date": day.isoformat(), "due_date": (day + timedelta(days=30)).isoformat(),
        "language": "fr" if customer["country"] == "FR" else "en",
    }
    lines = [{"id": new_line_id(), **line} for line in lines]
    first = initial_update(meta)
    invoice = await store.create_draft(
        sales.org_id, actor_id=sales.id, customer_id=customer_id,
        currency=customer["currency"], issue_date=day, due_date=day + timedelta(days=30),
        language=meta["language"], document=first,
    )
    content = build_update({}, notes, lines)
    await store.updates.append(invoice.id, content, sales.id)
    document = {"meta": meta, "notes": notes, "lines": lines}
    draft = read_draft(document)
    if status is None:
        await store.cache_draft(invoice.id, draft_cache(draft))
        return
    # With the legal check the API applies: the demo's invoices carry every mention.
    await store.run(finalise_invoice, invoice.id, accountant, draft,
                    merge_updates(first, content), today=day, check=legal_check)
    for step in _STATUS_PATH[status]:
        await store.set_status(accountant.org_id, invoice.id, step.value,
                               actor_id=accountant.id)
    if status in _PAID_SHARE:
        await _seed_payment(store, accountant, invoice.id, _PAID_SHARE[status],
                            day + timedelta(days=_PAID_AFTER_DAYS))


async def _seed_payment(
    store: Store, accountant: AuthUser, invoice_id: str, share: Decimal, day: date
) -> None:
    settlement = await store.invoice_settlement(invoice_id)
    assert settlement is not None
    amount = round_money(settlement.outstanding * share, settlement.currency)
    await store.record_payment(accountant.org_id, invoice_id, amount, day,
                               method="transfer", actor_id=accountant.id)

