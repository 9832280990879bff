"""French and English for the pages and the browser modules, and amounts and dates per reader.

Messages are written in English where they are used (templates, `web/src/`, the labels below);
`locales/fr.po` holds their French. The catalog is read from the .po file when first needed,
so there is no compile step: editing the .po and restarting is enough. A message missing from
the catalog shows in English rather than failing.

The browser modules receive their messages from the page (`browser_messages`), already
translated, so the JavaScript carries no catalog of its own.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_datetime, format_timedelta
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from jinja2 import Environment, pass_context
from jinja2.runtime import Context

from invoicer.invoicing.draft import PROBLEM_MESSAGES
from invoicer.invoicing.money import CurrencyError, format_money
from invoicer.invoicing.totals import VAT_CATEGORY_MENTIONS, vat_mention

__all__ = [
    "BROWSER_MESSAGES",
    "CUSTOMER_FIELD_LABELS",
    "DEFAULT_LANGUAGE",
    "FIELD_LABELS",
    "LANGUAGES",
    "LEGAL_MESSAGES",
    "N_",
    "PERMISSION_LABELS",
    "PROBLEM_MESSAGES",
    "ROLE_LABELS",
    "STATUS_LABELS",
    "UNIT_LABELS",
    "browser_messages",
    "format_amount",
    "format_day",
    "format_since",
    "gettext",
    "html_lang",
    "install",
    "labels",
    "negotiate",
    "problem_messages",
    "supported",
    "territories",
    "translations",
    "vat_mentions",
]

LANGUAGES: Mapping[str, str] = {"en": "English", "fr": "Français"}
DEFAULT_LANGUAGE = "en"
LOCALES_DIR = Path(__file__).with_name("locales")

# Formats follow the European conventions invoices are read with ("5 Jan 2026", "1 234,50 €").
_FORMAT_LOCALES: Mapping[str, str] = {"en": "en_GB", "fr": "fr_FR"}


def N_(message: str) -> str:
    """Marks a message for translation where it is defined; it is translated where shown."""
    return message


STATUS_LABELS: Mapping[str, str] = {
    "draft": N_("Draft"),
    "in_review": N_("In review"),
    "approved": N_("Approved"),
    "finalised": N_("Finalised"),
    "sent": N_("Sent"),
    "partly_paid": N_("Partly paid"),
    "paid": N_("Paid"),
    "overdue": N_("Overdue"),
    "cancelled": N_("Cancelled"),
}

ROLE_LABELS: Mapping[str, str] = {
    "owner": N_("Owner"),
    "admin": N_("Administrator"),
    "accountant": N_("Accountant"),
    "sales": N_("Sales"),
    "manager": N_("Manager"),
    "viewer": N_("Viewer"),
}

PERMISSION_LABELS: Mapping[str, str] = {
    "invoice_view": N_("See invoices and drafts"),
    "invoice_create": N_("Create invoice drafts"),
    "invoice_edit": N_("Edit drafts"),
    "invoice_edit_tax": N_("Change VAT rates and currency"),
    "invoice_finalize": N_("Finalise invoices (give them their number)"),
    "invoice_approve": N_("Approve drafts"),
    "invoice_delete_draft": N_("Delete drafts"),
    "customer_view": N_("See customers"),
    "customer_edit": N_("Add and edit customers"),
    "payment_record": N_("Record payments"),
    "report_view": N_("See reports"),
    "user_manage": N_("Manage members and roles"),
    "org_manage": N_("Manage the organisation"),
    "token_manage": N_("Create API tokens"),
    "audit_view": N_("Read the audit log"),
}

# UN/ECE Recommendation 20 codes offered in the editor; a draft may hold any other code.
UNIT_LABELS: Mapping[str, str] = {
    "C62": N_("unit"),
    "H87": N_("piece"),
    "HUR": N_("hour"),
    "DAY": N_("day"),
    "WEE": N_("week"),
    "MON": N_("month"),
    "ANN": N_("year"),
    "KGM": N_("kg"),
    "MTR": N_("metre"),
    "LTR": N_("litre"),
    "SET": N_("set"),
    "LS": N_("lump sum"),
}

# Field names of the draft, as problems and finalisation errors name them: the same words,
# capitalised, as the editor's column headers and labels, so that a person finds the field.
FIELD_LABELS: Mapping[str, str] = {
    "description": N_("Description"),
    "quantity": N_("Quantity"),
    "unit": N_("Unit"),
    "unit_price": N_("Unit price"),
    "vat_rate": N_("VAT rate"),
    "vat_category": N_("VAT category"),
    "discount": N_("Discount"),
    "customer_id": N_("Customer"),
    "issue_date": N_("Issue date"),
    "due_date": N_("Due date"),
    "delivery_date": N_("Delivery date"),
    "currency": N_("Currency"),
    "reference": N_("Reference"),
    "language": N_("Language"),
    "notes": N_("Notes"),
    "lines": N_("Lines"),
    "line": N_("Line"),
    "document": N_("Document"),
    "meta": N_("Header"),
    "charges": N_("Allowances and charges"),
    "amount": N_("Amount"),
    "reason": N_("Reason"),
    "payment.terms": N_("Payment terms"),
    "payment.prepaid": N_("Already paid"),
}

CUSTOMER_FIELD_LABELS: Mapping[str, str] = {
    "name": N_("Name"),
    "email": N_("Email"),
    "country": N_("Country"),
    "vat_number": N_("VAT number"),
    "currency": N_("Currency"),
    "address": N_("Address"),
    "postcode": N_("Postcode"),
    "city": N_("City"),
}

# The legal checks of finalisation (einvoice/legal.py) give sentences without a code; those that
# hold no value of the invoice are translated by their text. The others stay in English.
LEGAL_MESSAGES: tuple[str, ...] = (
    N_("The invoice has no line."),
    N_("The seller's name is missing."),
    N_("The seller's VAT number is missing."),
    N_("The seller's SIREN or SIRET number is missing."),
    N_("The buyer's name is missing."),
    N_("The buyer's VAT number is missing (required for a business buyer in another EU "
       "country)."),
    N_("The buyer's VAT number is missing (required for reverse charge and intra-community "
       "supplies)."),
    N_("The payment due date is missing."),
    N_("The late payment penalty rate is missing."),
    N_("The IBAN to pay by credit transfer is missing."),
)

# Every message the browser modules show, by its English text (see web/src/lib/i18n.js).
BROWSER_MESSAGES: tuple[str, ...] = (
    N_("Live"),
    N_("Connecting…"),
    N_("Reconnecting…"),
    N_("Offline"),
    N_("Draft"),
    N_("Finalised by {name} as {number}"),
    N_("Finalised as {number}"),
    N_("Finalising… editing is paused for a moment."),
    N_("Your role ({role}) can watch this draft live but not change it."),
    N_("This invoice is {status}: it can no longer be edited."),
    N_("{name} deleted this draft."),
    N_("{name} is changing the amounts of this line"),
    N_("{name} is changing this line's amounts. Try again when they are done."),
    N_("Your change was refused: {reason}. The draft was reloaded from the server."),
    N_("You have been signed out. Sign in again to keep editing."),
    N_("This invoice does not exist or is not yours to see."),
    N_("The connection was refused: {reason}"),
    N_("Changes made while offline will be sent when the connection is back."),
    N_("Some edits have not reached the server yet."),
    N_("Net total"),
    N_("VAT {rate} % on {base}"),
    N_("Total VAT"),
    N_("Total"),
    N_("No lines yet. Add the first one."),
    N_("Invoice finalised"),
    N_("It received the number"),
    N_("Finalising…"),
    N_("This draft cannot be finalised yet:"),
    N_("Line {line} · {field}: {message}"),
    N_("Allowance or charge {index} · {field}: {message}"),
    N_("{field}: {message}"),
    N_("The invoice is already finalised."),
    N_("Finalising failed: {message}"),
    N_("Here now"),
    N_("you"),
    N_("Finalise"),
    N_("Cancel"),
    N_("{count} invoices"),
    N_("1 invoice"),
    N_("No invoice matches this filter."),
    N_("Overdue"),
    N_("1 value to fix: the total may be incomplete."),
    N_("{count} values to fix: the total may be incomplete."),
    N_("watching"),
    N_("viewing"),
    N_("Not ready to finalise"),
    # Deleting a draft from its editor.
    N_("Deleting…"),
    N_("This invoice is no longer a draft: it can no longer be deleted."),
    N_("Deleting failed: {message}"),
    # Importing an e-invoice file from the invoice list.
    N_("Importing…"),
    N_("{file} could not be imported: {message}"),
    N_("The file is over {size} MiB: an e-invoice is much smaller."),
    N_("The server could not be reached. Try again in a moment."),
    # An issued invoice: its settlement, payments and credit notes.
    N_("Payment of {amount}"),
    N_("Payment of {amount} recorded."),
    N_("Enter an amount above zero, such as {example}."),
    N_("That is more than the {amount} outstanding."),
    N_("The payment was refused: {message}"),
    N_("Credit note"),
    N_("Credit note for invoice"),
    N_("{amount} already paid will be owed back to the customer (a customer credit)."),
    N_("The credit note was refused: {message}"),
    # The administration page's hash chain.
    N_("The chain is intact: every issued invoice is as it was issued."),
    N_("No invoice has been issued yet."),
    N_("The chain is broken at {number}: {reason}"),
    N_("The chain could not be verified."),
    N_("{count} of {length}"),
    *STATUS_LABELS.values(),
    *LEGAL_MESSAGES,
)


def supported(language: object) -> str | None:
    """The language code if the product speaks it ("fr", "fr-FR", "fr_CA" -> "fr"), else None."""
    if not isinstance(language, str) or not language:
        return None
    code = language.replace("-", "_").split("_", 1)[0].lower()
    return code if code in LANGUAGES else None


def negotiate(accept_language: str | None) -> str:
    """The best language for an anonymous visitor from their Accept-Language header."""
    weighted: list[tuple[float, int, str]] = []
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _sep, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        code = supported(tag.strip())
        if code and quality > 0:
            weighted.append((-quality, position, code))
    return min(weighted)[2] if weighted else DEFAULT_LANGUAGE


@cache
def translations(language: str) -> NullTranslations:
    """The catalog of `language`; English, the language of the messages, needs none."""
    path = LOCALES_DIR / f"{language}.po"
    if language == DEFAULT_LANGUAGE or not path.is_file():
        return NullTranslations()
    with path.open("rb") as po_file:
        catalog = read_po(po_file, locale=language)
    compiled = io.BytesIO()
    # gettext reads compiled catalogs only; compiling in memory keeps the .po the one source.
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return Translations(fp=compiled)


def gettext(language: str, message: str, **variables: Any) -> str:
    """`message` in `language`, with its %(name)s placeholders filled."""
    text = translations(language).gettext(message)
    return text % variables if variables else text


def format_locale(language: str) -> str:
    return _FORMAT_LOCALES.get(language, _FORMAT_LOCALES[DEFAULT_LANGUAGE])


def html_lang(language: str) -> str:
    """The BCP 47 tag for `<html lang>`, which the browser modules also format with."""
    return format_locale(language).replace("_", "-")


def format_amount(amount: object, currency: str | None, language: str) -> str:
    """An amount as the reader writes it; a value that is not a number is shown as it is."""
    try:
        value = Decimal(str(amount))
    except (InvalidOperation, ValueError):
        return str(amount)
    if not value.is_finite():
        return str(amount)
    try:
        return format_money(value, currency or "EUR", format_locale(language))
    except (CurrencyError, UnknownLocaleError, ValueError):
        return f"{value} {currency or ''}".strip()


def format_day(value: object, language: str, style: str = "medium") -> str:
    """A calendar day ("5 Jan 2026", "5 janv. 2026"); ISO text is accepted too."""
    day = _as_date(value)
    if day is None:
        return "" if value in (None, "") else str(value)
    return format_date(day, style, locale=format_locale(language))


def format_since(value: datetime | None, language: str, now: datetime | None = None) -> str:
    """How long ago (“3 hours ago”, “il y a 3 heures”), for activity columns."""
    if value is None:
        return ""
    moment = value if value.tzinfo else value.replace(tzinfo=UTC)
    delta = moment - (now or datetime.now(UTC))
    return format_timedelta(delta, add_direction=True, locale=format_locale(language))


def format_instant(value: datetime | None, language: str) -> str:
    if value is None:
        return ""
    moment = value if value.tzinfo else value.replace(tzinfo=UTC)
    return format_datetime(moment, "medium", tzinfo=UTC, locale=format_locale(language))


def country_name(code: str | None, language: str) -> str:
    """ "DE" -> "Germany" / "Allemagne"; an unknown code is shown as it is."""
    if not code:
        return ""
    try:
        return Locale.parse(format_locale(language)).territories.get(code.upper(), code)
    except (UnknownLocaleError, ValueError):
        return code


def territories(language: str) -> Mapping[str, str]:
    """Country and region names by code, in the reader's language."""
    return Locale.parse(format_locale(language)).territories


def browser_messages(language: str) -> dict[str, str]:
    """The messages of the browser modules in `language`, keyed by their English text."""
    catalog = translations(language)
    return {message: catalog.gettext(message) for message in BROWSER_MESSAGES}


def problem_messages(language: str) -> dict[str, str]:
    """The message of each problem code of a draft in `language`, {placeholders} kept."""
    catalog = translations(language)
    return {code: catalog.gettext(message) for code, message in PROBLEM_MESSAGES.items()}


def vat_mentions(language: str) -> dict[str, str]:
    """The legal mention of each VAT category without VAT, in `language`."""
    return {category: vat_mention(category, language) or ""
            for category in VAT_CATEGORY_MENTIONS}


def labels(language: str, table: Mapping[str, str], keys: Iterable[str] | None = None
           ) -> dict[str, str]:
    """A label table (statuses, roles, units...) translated, for a template or a module."""
    catalog = translations(language)
    return {key: catalog.gettext(table[key]) for key in (keys or table)}


def _as_date(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


# -- Jinja ---------------------------------------------------------------------------------
# Templates read the reader's language from the `lang` context variable that pages.py sets.


@pass_context
def _template_gettext(context: Context, message: str) -> str:
    return translations(context["lang"]).gettext(message)


@pass_context
def _template_ngettext(context: Context, singular: str, plural: str, count: int) -> str:
    return translations(context["lang"]).ngettext(singular, plural, count)


@pass_context
def _money_filter(context: Context, amount: object, currency: str | None = None) -> str:
    return format_amount(amount, currency, context["lang"])


@pass_context
def _date_filter(context: Context, value: object, style: str = "medium") -> str:
    return format_day(value, context["lang"], style)


@pass_context
def _since_filter(context: Context, value: datetime | None) -> str:
    return format_since(value, context["lang"])


@pass_context
def _instant_filter(context: Context, value: datetime | None) -> str:
    return format_instant(value, context["lang"])


@pass_context
def _country_filter(context: Context, code: str | None) -> str:
    return country_name(code, context["lang"])


def _label(table: Mapping[str, str]) -> Any:
    @pass_context
    def label(context: Context, key: str | None) -> str:
        if not key:
            return ""
        text = table.get(key)
        return translations(context["lang"]).gettext(text) if text else key
    return label


def _initials(name: str | None) -> str:
    words = [word for word in (name or "").replace("@", " ").split() if word[:1].isalnum()]
    if not words:
        return "?"
    first, last = words[0], words[-1] if len(words) > 1 else ""
    return (first[:1] + last[:1]).upper()


def install(env: Environment) -> None:
    """Give templates `N_()`, `{% trans %}`, and the filters that format for the reader."""
    env.add_extension("jinja2.ext.i18n")
    # newstyle: `N_("Hello %(name)s", name=x)` escapes `x` under autoescape.
    env.install_gettext_callables(  # type: ignore[attr-defined]
        _template_gettext, _template_ngettext, newstyle=True
    )
    env.filters.update(
        money=_money_filter,
        day=_date_filter,
        since=_since_filter,
        instant=_instant_filter,
        country=_country_filter,
        initials=_initials,
        status_label=_label(STATUS_LABELS),
        role_label=_label(ROLE_LABELS),
        permission_label=_label(PERMISSION_LABELS),
        unit_label=_label(UNIT_LABELS),
    )
