"""Who may do what: the roles of an organisation and the one table of their permissions.

The table is the single source of truth; the server checks it on every request and every
live-draft update, and the administration page shows it as it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

__all__ = [
    "Permission",
    "ROLE_PERMISSIONS",
    "Role",
    "TAX_FIELDS",
    "can",
    "may_edit_draft",
    "may_edit_field",
    "permission_table",
]


class Role(StrEnum):
    OWNER = "owner"
    ADMIN = "admin"
    ACCOUNTANT = "accountant"
    SALES = "sales"
    MANAGER = "manager"
    VIEWER = "viewer"


class Permission(StrEnum):
    INVOICE_VIEW = "invoice_view"
    INVOICE_CREATE = "invoice_create"
    INVOICE_EDIT = "invoice_edit"
    INVOICE_EDIT_TAX = "invoice_edit_tax"
    INVOICE_FINALIZE = "invoice_finalize"
    INVOICE_APPROVE = "invoice_approve"
    INVOICE_DELETE_DRAFT = "invoice_delete_draft"
    CUSTOMER_VIEW = "customer_view"
    CUSTOMER_EDIT = "customer_edit"
    PAYMENT_RECORD = "payment_record"
    REPORT_VIEW = "report_view"
    USER_MANAGE = "user_manage"
    ORG_MANAGE = "org_manage"
    TOKEN_MANAGE = "token_manage"
    AUDIT_VIEW = "audit_view"


_P = Permission
_EVERYTHING = frozenset(Permission)

ROLE_PERMISSIONS: Mapping[Role, frozenset[Permission]] = {
    Role.OWNER: _EVERYTHING,
    Role.ADMIN: _EVERYTHING,
    # Keeps the books, but the organisation and its members are the owner's and admins'.
    Role.ACCOUNTANT: _EVERYTHING - {_P.USER_MANAGE, _P.ORG_MANAGE},
    # Prepares invoices; taxes, currency and issuing stay with accounting.
    Role.SALES: frozenset({
        _P.INVOICE_VIEW, _P.INVOICE_CREATE, _P.INVOICE_EDIT,
        _P.CUSTOMER_VIEW, _P.CUSTOMER_EDIT, _P.REPORT_VIEW, _P.TOKEN_MANAGE,
    }),
    # Watches and approves; read-only on drafts.
    Role.MANAGER: frozenset({
        _P.INVOICE_VIEW, _P.INVOICE_APPROVE, _P.CUSTOMER_VIEW, _P.REPORT_VIEW, _P.AUDIT_VIEW,
    }),
    Role.VIEWER: frozenset({_P.INVOICE_VIEW, _P.CUSTOMER_VIEW}),
}

# Draft fields that change the tax an invoice carries.
TAX_FIELDS = frozenset({
    "line.vat_rate", "line.vat_category", "line.exemption_reason", "meta.currency",
})

_WHOLE_FIELDS = frozenset({"notes", "lines", "charges"})
_FIELD_PREFIXES = ("meta.", "line.", "payment.")
# Document allowances and charges carry VAT; payment terms and prepaid amounts change what is
# due: both are the tax roles' business, like the rates.
_TAX_WHOLE_FIELDS = frozenset({"charges"})
_TAX_PREFIXES = ("payment.",)


def _role(role: Role | str) -> Role | None:
    try:
        return Role(role)
    except ValueError:
        return None


def can(role: Role | str, permission: Permission | str) -> bool:
    """Whether `role` holds `permission`; unknown roles and permissions hold nothing."""
    known = _role(role)
    if known is None:
        return False
    try:
        return Permission(permission) in ROLE_PERMISSIONS[known]
    except ValueError:
        return False


def may_edit_draft(role: Role | str) -> bool:
    """Whether the role may change a live draft at all (otherwise it only watches)."""
    return can(role, Permission.INVOICE_EDIT)


def may_edit_field(role: Role | str, field: str) -> bool:
    """Whether the role may change one draft field.

    `field` is "meta.<key>", "notes", "line.<key>", "lines" (adding or removing lines),
    "charges" (document allowances and charges) or "payment.<key>". Tax fields, charges and
    payment need `invoice_edit_tax` on top of `invoice_edit`, every other key needs
    `invoice_edit`; a name of any other shape is refused to everyone.
    """
    if not _is_field_name(field) or not may_edit_draft(role):
        return False
    return not _is_tax_field(field) or can(role, Permission.INVOICE_EDIT_TAX)


def _is_tax_field(field: str) -> bool:
    return (field in TAX_FIELDS or field in _TAX_WHOLE_FIELDS
            or field.startswith(_TAX_PREFIXES))


def _is_field_name(field: str) -> bool:
    if field in _WHOLE_FIELDS:
        return True
    return any(field.startswith(p) and len(field) > len(p) for p in _FIELD_PREFIXES)


def permission_table() -> list[dict[str, object]]:
    """One row per permission with the roles that hold it, for the administration page."""
    return [
        {
            "permission": permission.value,
            "roles": {role.value: permission in ROLE_PERMISSIONS[role] for role in Role},
        }
        for permission in Permission
    ]
