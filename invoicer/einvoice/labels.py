"""The words printed on an invoice, in French and English."""

from __future__ import annotations

from collections.abc import Mapping

__all__ = [
    "CATEGORY_SHORT_NAMES", "LABELS", "LANGUAGES", "LOCALES", "STANDARD_SENTENCES",
    "UNIT_NAMES", "VAT_MENTIONS", "category_name", "in_language", "labels_for",
    "unit_name", "vat_category_mention",
]

LANGUAGES = ("fr", "en")
LOCALES = {"fr": "fr_FR", "en": "en_GB"}

LABELS: Mapping[str, Mapping[str, str]] = {
    "fr": {
        "invoice": "Facture",
        "credit_note": "Avoir",
        "number": "N°",
        "issue_date": "Date d'émission",
        "delivery_date": "Date de livraison / prestation",
        "period": "Période",
        "due_date": "Échéance",
        "buyer": "Client",
        "buyer_reference": "Votre référence",
        "order_reference": "Votre commande",
        "corrects": "Avoir sur la facture",
        "of": "du",
        "description": "Désignation",
        "quantity": "Qté",
        "unit": "Unité",
        "unit_price": "Prix unitaire HT",
        "vat": "TVA",
        "line_net": "Montant HT",
        "discount": "Remise",
        "allowance": "Remise",
        "charge": "Frais",
        "vat_breakdown": "Détail de la TVA",
        "vat_rate": "Taux",
        "vat_base": "Base HT",
        "vat_amount": "Montant TVA",
        "total_lines": "Total des lignes HT",
        "total_allowances": "Remises",
        "total_charges": "Frais",
        "total_net": "Total HT",
        "total_vat": "Total TVA",
        "total_gross": "Total TTC",
        "prepaid": "Déjà payé",
        "rounding": "Arrondi",
        "due": "Net à payer",
        "credit_due": "Montant de l'avoir TTC",
        "notes": "Notes",
        "payment": "Paiement",
        "payment_terms": "Conditions",
        "payment_reference": "Référence à rappeler",
        "iban": "IBAN",
        "bic": "BIC",
        "account_name": "Titulaire",
        "vat_number": "N°\u00a0TVA",
        "legal_id": "SIREN/SIRET",
        "legal_id_other": "Immatriculation",
        "recovery_indemnity": "Indemnité forfaitaire pour frais de recouvrement : 40 €",
        "credited": ("Ce montant est porté au crédit du client : il vient en déduction de "
                     "ses factures, aucun paiement n'est demandé."),
        "draft": "BROUILLON / DRAFT",
        "page": "Page",
        "page_of": "sur",
        "logo": "Logo",
    },
    "en": {
        "invoice": "Invoice",
        "credit_note": "Credit note",
        "number": "No.",
        "issue_date": "Issue date",
        "delivery_date": "Date of supply",
        "period": "Period",
        "due_date": "Due date",
        "buyer": "Bill to",
        "buyer_reference": "Your reference",
        "order_reference": "Your order",
        "corrects": "Credit note for invoice",
        "of": "of",
        "description": "Description",
        "quantity": "Qty",
        "unit": "Unit",
        "unit_price": "Unit price excl. VAT",
        "vat": "VAT",
        "line_net": "Amount excl. VAT",
        "discount": "Discount",
        "allowance": "Allowance",
        "charge": "Charge",
        "vat_breakdown": "VAT breakdown",
        "vat_rate": "Rate",
        "vat_base": "Taxable amount",
        "vat_amount": "VAT amount",
        "total_lines": "Sum of lines excl. VAT",
        "total_allowances": "Allowances",
        "total_charges": "Charges",
        "total_net": "Total excl. VAT",
        "total_vat": "Total VAT",
        "total_gross": "Total incl. VAT",
        "prepaid": "Paid",
        "rounding": "Rounding",
        "due": "Amount due",
        "credit_due": "Amount credited incl. VAT",
        "notes": "Notes",
        "payment": "Payment",
        "payment_terms": "Terms",
        "payment_reference": "Payment reference",
        "iban": "IBAN",
        "bic": "BIC",
        "account_name": "Account holder",
        "vat_number": "VAT\u00a0no.",
        "legal_id": "SIREN/SIRET",
        "legal_id_other": "Registration no.",
        "recovery_indemnity": "Fixed compensation for recovery costs: €40",
        "credited": ("This amount is credited to the customer: it is deducted from their "
                     "invoices, and no payment is requested."),
        "draft": "BROUILLON / DRAFT",
        "page": "Page",
        "page_of": "of",
        "logo": "Logo",
    },
}

# UN/ECE recommendation 20 codes an invoice commonly uses.
UNIT_NAMES: Mapping[str, Mapping[str, str]] = {
    "fr": {
        "C62": "u.", "H87": "pièce", "EA": "u.", "HUR": "h", "DAY": "jour", "MON": "mois",
        "ANN": "an", "KGM": "kg", "MTR": "m", "LTR": "l", "KWH": "kWh", "MIN": "min",
        "XPP": "pièce", "LS": "forfait", "ZZ": "",
    },
    "en": {
        "C62": "unit", "H87": "piece", "EA": "each", "HUR": "h", "DAY": "day", "MON": "month",
        "ANN": "year", "KGM": "kg", "MTR": "m", "LTR": "l", "KWH": "kWh", "MIN": "min",
        "XPP": "piece", "LS": "lump sum", "ZZ": "",
    },
}


# What the VAT column shows for a category without a rate.
CATEGORY_SHORT_NAMES: Mapping[str, Mapping[str, str]] = {
    "fr": {
        "Z": "0\u202f%", "E": "Exonéré", "AE": "Autoliq.", "K": "Intracom.", "G": "Export",
        "O": "Hors champ",
    },
    "en": {
        "Z": "0%", "E": "Exempt", "AE": "Rev. charge", "K": "Intra-EU", "G": "Export",
        "O": "Out of scope",
    },
}


# The mention a category without VAT requires, citing the article of the French tax code
# (CGI) that justifies it, in each language.
VAT_MENTIONS: Mapping[str, Mapping[str, str]] = {
    "E": {
        "fr": "TVA non applicable, art. 293 B du CGI",
        "en": "VAT not applicable, article 293 B of the French General Tax Code",
    },
    "AE": {"fr": "Autoliquidation", "en": "Reverse charge (autoliquidation)"},
    "K": {
        "fr": "Exonération de TVA, article 262 ter I du CGI",
        "en": ("VAT exemption, article 262 ter I of the French General Tax Code "
               "(intra-community supply)"),
    },
    "G": {
        "fr": "Exonération de TVA, article 262 I du CGI",
        "en": "VAT exemption, article 262 I of the French General Tax Code (export)",
    },
    "O": {"fr": "Opération non soumise à la TVA", "en": "Not subject to VAT"},
}

# Earlier English wordings, without the article: read as the mention of their category.
_FORMER_MENTIONS = {
    "AE": ("Reverse charge",),
    "K": ("VAT exempt intra-community supply",),
    "G": ("VAT exempt export outside the EU",),
}

# Sentences an organisation's late payment terms commonly hold, printed in the reader's
# language whichever language they were typed in.
STANDARD_SENTENCES: tuple[Mapping[str, str], ...] = (
    {"fr": "Pénalités de retard : trois fois le taux d'intérêt légal.",
     "en": "Late payment penalty: three times the French legal interest rate."},
    {"fr": "Pas d'escompte pour paiement anticipé.",
     "en": "No discount for early payment."},
)


def vat_category_mention(category: str, language: str, given: str = "") -> str:
    """The mention to print for a category: the given reason, unless it is one of the
    category's standard wordings (in any language), which is printed in `language`."""
    mentions = VAT_MENTIONS.get(category)
    if mentions is None:
        return given
    standard = {*mentions.values(), *_FORMER_MENTIONS.get(category, ())}
    if not given or given in standard:
        return mentions[language]
    return given


def in_language(text: str, language: str) -> str:
    """`text` with each standard sentence it holds in `language`."""
    for sentence in STANDARD_SENTENCES:
        for other, wording in sentence.items():
            if other != language:
                text = text.replace(wording, sentence[language])
    return text


def category_name(category: str, language: str) -> str:
    return CATEGORY_SHORT_NAMES[language].get(category, category)


def labels_for(language: str) -> Mapping[str, str]:
    return LABELS[language]


def unit_name(code: str, language: str) -> str:
    return UNIT_NAMES[language].get(code, code)
