"""The one calculator of invoice totals, by the rules of EN 16931.

Every amount that Invoicer shows, stores, prints or exports comes from `compute_totals`:
the editor preview, the REST API, the PDF and the e-invoices. The rules it applies:

- a line's net is quantity x unit price / price base quantity, less its discount (percent),
  rounded to the currency's minor unit, then less its allowances and plus its charges;
- the invoice net (BT-106) is the sum of the line nets, so what is shown per line adds up;
- VAT is computed once per (category, rate) on the summed base, never by adding rounded
  line taxes (BR-CO-17), then the totals are sums (BR-CO-10 to BR-CO-16).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from .money import minor_units, normalized, round_money, to_plain

__all__ = [
    "AllowanceCharge",
    "LineInput",
    "LineTotal",
    "RATED_CATEGORIES",
    "Totals",
    "VAT_CATEGORIES",
    "VAT_CATEGORY_MENTIONS",
    "VatBreakdown",
    "compute_totals",
    "default_category",
    "format_amount",
    "vat_mention",
]

ZERO = Decimal(0)
HUNDRED = Decimal(100)

# UNCL5305 codes used by EN 16931, with their names.
VAT_CATEGORIES: Mapping[str, str] = {
    "S": "Standard rate",
    "Z": "Zero rated goods",
    "E": "Exempt from VAT",
    "AE": "VAT reverse charge",
    "K": "Intra-community supply",
    "G": "Export outside the EU",
    "O": "Not subject to VAT",
    "L": "Canary Islands general indirect tax (IGIC)",
    "M": "Tax for production, services and importation in Ceuta and Melilla (IPSI)",
}

# Only these categories carry a rate; the others are at 0 % with no VAT (BR-Z-05, BR-E-05...).
RATED_CATEGORIES = frozenset({"S", "L", "M"})

# The mention the invoice must print for a category without VAT, in French and English.
# French law (CGI) asks for the article that justifies the absence of VAT.
VAT_CATEGORY_MENTIONS: Mapping[str, Mapping[str, str]] = {
    "E": {
        "fr": "TVA non applicable, art. 293 B du CGI",
        "en": "VAT not applicable, article 293 B of the French General Tax Code",
    },
    "AE": {
        "fr": "Autoliquidation",
        "en": "Reverse charge",
    },
    "K": {
        "fr": "Exonération de TVA, article 262 ter I du CGI",
        "en": "VAT exempt intra-community supply",
    },
    "G": {
        "fr": "Exonération de TVA, article 262 I du CGI",
        "en": "VAT exempt export outside the EU",
    },
    "O": {
        "fr": "Opération non soumise à la TVA",
        "en": "Not subject to VAT",
    },
}


def default_category(rate: Decimal) -> str:
    """The category a plain rate implies: "S" when positive, "Z" (zero rated) at 0 %."""
    return "S" if rate > 0 else "Z"


def vat_mention(category: str, language: str = "fr", reason: str | None = None) -> str | None:
    """What to print for a category: the given exemption reason, else the legal default."""
    if reason:
        return reason
    mentions = VAT_CATEGORY_MENTIONS.get(category)
    if mentions is None:
        return None
    return mentions.get(language[:2].lower(), mentions["en"])


def _decimal(value: Decimal | int | str, name: str) -> Decimal:
    # Floats are refused: 0.1 as a float is not 0.1, and money must be exact.
    if isinstance(value, (float, bool)):
        raise TypeError(f"{name} must be a Decimal, an int or a decimal string, not {value!r}")
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError):
        raise ValueError(f"{name} must be a number, not {value!r}") from None
    if not number.is_finite():
        raise ValueError(f"{name} must be a finite number, not {value}")
    return number


def _check_category(category: str, rate: Decimal) -> None:
    if category not in VAT_CATEGORIES:
        raise ValueError(f"«{category}» is not a VAT category of EN 16931 (UNCL5305)")
    if rate < 0:
        raise ValueError(f"a VAT rate cannot be negative ({rate})")
    if category not in RATED_CATEGORIES and rate != 0:
        raise ValueError(f"VAT category {category} is at 0 %, not {to_plain(rate)} %")


@dataclass(frozen=True)
class LineInput:
    """One invoice line as the calculator needs it. Discount is a percentage of the price."""

    id: str
    quantity: Decimal
    unit_price: Decimal
    vat_rate: Decimal
    discount: Decimal = ZERO
    vat_category: str = "S"
    exemption_reason: str | None = None
    allowances: tuple[Decimal, ...] = ()
    charges: tuple[Decimal, ...] = ()
    price_base_quantity: Decimal = Decimal(1)

    def __post_init__(self) -> None:
        for name in ("quantity", "unit_price", "vat_rate", "discount", "price_base_quantity"):
            object.__setattr__(self, name, _decimal(getattr(self, name), name))
        allowances = tuple(_decimal(amount, "allowance") for amount in self.allowances)
        charges = tuple(_decimal(amount, "charge") for amount in self.charges)
        object.__setattr__(self, "allowances", allowances)
        object.__setattr__(self, "charges", charges)
        _check_category(self.vat_category, self.vat_rate)
        if self.price_base_quantity <= 0:
            raise ValueError(f"line {self.id}: the price base quantity must be positive")

    def net(self, currency: str) -> Decimal:
        """The line's net amount (BT-131), rounded to the currency's minor unit."""
        priced = self.quantity * self.unit_price / self.price_base_quantity
        discounted = priced * (1 - self.discount / HUNDRED)
        net = round_money(discounted, currency) - sum(self.allowances, ZERO)
        return round_money(net + sum(self.charges, ZERO), currency)


@dataclass(frozen=True)
class AllowanceCharge:
    """A document-level allowance (BG-20) or charge (BG-21), with the VAT it falls under."""

    amount: Decimal
    vat_category: str
    vat_rate: Decimal
    reason: str = ""
    is_charge: bool = False
    exemption_reason: str = ""  # BT-120, for a category without VAT (E needs one)

    def __post_init__(self) -> None:
        object.__setattr__(self, "amount", _decimal(self.amount, "amount"))
        object.__setattr__(self, "vat_rate", _decimal(self.vat_rate, "vat_rate"))
        _check_category(self.vat_category, self.vat_rate)


@dataclass(frozen=True)
class LineTotal:
    id: str
    net: Decimal


@dataclass(frozen=True)
class VatBreakdown:
    """One row of the VAT breakdown (BG-23)."""

    category: str
    rate: Decimal
    base: Decimal
    amount: Decimal
    exemption_reason: str | None = None

    def mention(self, language: str = "fr") -> str | None:
        return vat_mention(self.category, language, self.exemption_reason)


def format_amount(value: Decimal, currency: str) -> str:
    """An amount as a plain string with the currency's digits: "3.375" KWD, "202" JPY."""
    text = format(round_money(value, currency), "f")
    return text.lstrip("-") if round_money(value, currency) == 0 else text


@dataclass(frozen=True)
class Totals:
    currency: str
    lines: tuple[LineTotal, ...]
    net: Decimal  # BT-106, sum of line nets
    allowance_total: Decimal  # BT-107
    charge_total: Decimal  # BT-108
    tax_basis: Decimal  # BT-109
    vat: Decimal  # BT-110
    gross: Decimal  # BT-112
    prepaid: Decimal  # BT-113
    rounding: Decimal  # BT-114
    due: Decimal  # BT-115
    vat_breakdown: tuple[VatBreakdown, ...] = field(default=())

    def to_dict(self) -> dict[str, object]:
        """JSON-ready totals: amounts as strings with the currency's digits, rates plain."""
        money = self._money
        return {
            "currency": self.currency,
            "net": money(self.net),
            "allowance_total": money(self.allowance_total),
            "charge_total": money(self.charge_total),
            "tax_basis": money(self.tax_basis),
            "vat": money(self.vat),
            "gross": money(self.gross),
            "prepaid": money(self.prepaid),
            "rounding": money(self.rounding),
            "due": money(self.due),
            "lines": [{"id": line.id, "net": money(line.net)} for line in self.lines],
            "vat_breakdown": [
                {
                    "category": row.category,
                    "rate": to_plain(row.rate),
                    "base": money(row.base),
                    "amount": money(row.amount),
                    "exemption_reason": row.exemption_reason,
                }
                for row in self.vat_breakdown
            ],
        }

    def _money(self, value: Decimal) -> str:
        return format_amount(value, self.currency)


@dataclass
class _Group:
    base: Decimal = ZERO
    reason: str | None = None

    def add(self, amount: Decimal, reason: str | None) -> None:
        self.base += amount
        self.reason = self.reason or reason or None


def compute_totals(
    lines: Iterable[LineInput],
    currency: str,
    *,
    allowances: Iterable[AllowanceCharge] = (),
    charges: Iterable[AllowanceCharge] = (),
    prepaid: Decimal = ZERO,
    rounding: Decimal = ZERO,
) -> Totals:
    """Totals of an invoice in `currency` (raises CurrencyError for an unknown code).

    An item of `allowances` whose `is_charge` is set counts as a charge, so that a list read
    from an e-invoice can be passed as it is; every item of `charges` is a charge.
    """
    minor_units(currency)
    line_list = list(lines)
    line_totals = tuple(LineTotal(line.id, line.net(currency)) for line in line_list)
    doc_allowances, doc_charges = _split_allowances(allowances, charges, currency)

    groups: dict[tuple[str, Decimal], _Group] = {}
    for line, line_total in zip(line_list, line_totals):
        _group(groups, line.vat_category, line.vat_rate).add(
            line_total.net, line.exemption_reason
        )
    for item in doc_allowances:
        _group(groups, item.vat_category, item.vat_rate).add(-item.amount, None)
    for item in doc_charges:
        _group(groups, item.vat_category, item.vat_rate).add(item.amount, None)
    breakdown = _breakdown(groups, currency)

    zero = round_money(ZERO, currency)  # so that empty sums keep the currency's digits
    net = sum((line.net for line in line_totals), zero)
    allowance_total = sum((item.amount for item in doc_allowances), zero)
    charge_total = sum((item.amount for item in doc_charges), zero)
    tax_basis = net - allowance_total + charge_total
    vat = sum((row.amount for row in breakdown), zero)
    gross = tax_basis + vat
    prepaid = round_money(prepaid, currency)
    rounding = round_money(rounding, currency)
    return Totals(
        currency=currency,
        lines=line_totals,
        net=net,
        allowance_total=allowance_total,
        charge_total=charge_total,
        tax_basis=tax_basis,
        vat=vat,
        gross=gross,
        prepaid=prepaid,
        rounding=rounding,
        due=gross - prepaid + rounding,
        vat_breakdown=breakdown,
    )


def _split_allowances(
    allowances: Iterable[AllowanceCharge], charges: Iterable[AllowanceCharge], currency: str
) -> tuple[list[AllowanceCharge], list[AllowanceCharge]]:
    rounded_allowances: list[AllowanceCharge] = []
    rounded_charges: list[AllowanceCharge] = []
    for item in allowances:
        target = rounded_charges if item.is_charge else rounded_allowances
        target.append(_rounded(item, currency, item.is_charge))
    for item in charges:
        rounded_charges.append(_rounded(item, currency, True))
    return rounded_allowances, rounded_charges


def _rounded(item: AllowanceCharge, currency: str, is_charge: bool) -> AllowanceCharge:
    return AllowanceCharge(
        amount=round_money(item.amount, currency),
        vat_category=item.vat_category,
        vat_rate=item.vat_rate,
        reason=item.reason,
        is_charge=is_charge,
    )


def _group(groups: dict[tuple[str, Decimal], _Group], category: str, rate: Decimal) -> _Group:
    # Normalised so that "20" and "20.00" are one rate.
    key = (category, normalized(rate))
    return groups.setdefault(key, _Group())


def _breakdown(
    groups: dict[tuple[str, Decimal], _Group], currency: str
) -> tuple[VatBreakdown, ...]:
    rows = []
    for (category, rate), group in sorted(groups.items(), key=lambda item: item[0]):
        amount = round_money(group.base * rate / HUNDRED, currency)
        rows.append(VatBreakdown(category, rate, group.base, amount, group.reason))
    return tuple(rows)
