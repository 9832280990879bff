import pytest

from invoicer.invoicing.permissions import (
    ROLE_PERMISSIONS,
    Permission,
    Role,
    can,
    may_edit_draft,
    may_edit_field,
    permission_table,
)

P = Permission


def test_owner_and_admin_hold_everything():
    for role in (Role.OWNER, Role.ADMIN):
        assert ROLE_PERMISSIONS[role] == set(Permission)


def test_accountant_holds_everything_but_the_organisation_and_its_members():
    assert set(Permission) - ROLE_PERMISSIONS[Role.ACCOUNTANT] == {P.USER_MANAGE, P.ORG_MANAGE}


def test_sales_prepares_but_does_not_tax_nor_issue():
    assert ROLE_PERMISSIONS[Role.SALES] == {
        P.INVOICE_VIEW, P.INVOICE_CREATE, P.INVOICE_EDIT, P.CUSTOMER_VIEW, P.CUSTOMER_EDIT,
        P.REPORT_VIEW, P.TOKEN_MANAGE,
    }
    assert not can("sales", "invoice_edit_tax")
    assert not can("sales", "invoice_finalize")


def test_manager_and_viewer_only_watch_drafts():
    assert ROLE_PERMISSIONS[Role.MANAGER] == {
        P.INVOICE_VIEW, P.INVOICE_APPROVE, P.CUSTOMER_VIEW, P.REPORT_VIEW, P.AUDIT_VIEW,
    }
    assert ROLE_PERMISSIONS[Role.VIEWER] == {P.INVOICE_VIEW, P.CUSTOMER_VIEW}
    assert not may_edit_draft("manager")
    assert not may_edit_draft(Role.VIEWER)


def test_unknown_roles_and_permissions_hold_nothing():
    assert not can("root", "invoice_view")
    assert not can("owner", "launch_rockets")
    assert not may_edit_field("intruder", "notes")


@pytest.mark.parametrize(
    ("role", "field", "allowed"),
    [
        ("sales", "line.quantity", True),
        ("sales", "line.description", True),
        ("sales", "notes", True),
        ("sales", "lines", True),
        ("sales", "meta.customer_id", True),
        ("sales", "line.vat_rate", False),
        ("sales", "line.vat_category", False),
        ("sales", "meta.currency", False),
        ("accountant", "line.vat_rate", True),
        ("accountant", "meta.currency", True),
        ("owner", "meta.currency", True),
        ("manager", "notes", False),
        ("manager", "line.quantity", False),
        ("viewer", "lines", False),
        ("owner", "something", False),
        ("owner", "line.", False),
    ],
)
def test_may_edit_field(role, field, allowed):
    assert may_edit_field(role, field) is allowed


def test_permission_table_shows_the_one_table():
    table = permission_table()
    assert [row["permission"] for row in table] == [p.value for p in Permission]
    for row in table:
        for role, held in row["roles"].items():
            assert held is can(role, row["permission"])


def test_charges_and_payment_terms_are_the_tax_roles_business():
    from invoicer.invoicing.permissions import may_edit_field

    for field in ("charges", "payment.terms", "payment.prepaid"):
        assert may_edit_field("accountant", field)
        assert may_edit_field("owner", field)
        assert not may_edit_field("sales", field)
        assert not may_edit_field("viewer", field)
    assert not may_edit_field("accountant", "payment.")
