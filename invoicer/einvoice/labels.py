"""The words printed on an invoice, in French and English."""

from __future__ import annotations

from collections.abc import Mapping

__all__ = [
    "CATEGORY_SHORT_NAMES", "LABELS", "LANGUAGES", "LOCALES", "UNIT_NAMES", "category_name",
    "labels_for", "unit_name",
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


def category_name(category: str, language: str) -> str:
    return CATEGORY_SHORT_NAMES[language].get(category, category)


def labels_for(language: str) -> Mapping[str, str]:
    return LABELS[language]


def unit_name(code: str, language: str) -> str:
    return UNIT_NAMES[language].get(code, code)
