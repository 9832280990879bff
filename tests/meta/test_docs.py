"""The documentation keeps up with the code: settings, close codes, room hooks, public names."""

import re
from pathlib import Path

import invoicer.collab
from invoicer.collab import RoomHooks
from invoicer.server import close_codes

ROOT = Path(__file__).parents[2]
SETTINGS = (ROOT / "invoicer" / "server" / "settings.py").read_text()
CONTRACTS = (ROOT / "docs" / "contracts.md").read_text()
ARCHITECTURE = (ROOT / "docs" / "architecture.md").read_text()


def test_every_setting_read_from_the_environment_is_documented():
    names = set(re.findall(r'env(?:\.get\(|, )"([A-Z_]+)"', SETTINGS))
    assert "DATABASE_URL" in names and "INVOICER_MAX_MESSAGE_BYTES" in names
    missing = sorted(name for name in names if f"`{name}`" not in CONTRACTS)
    assert missing == []


def test_every_close_code_is_documented():
    for name, code in close_codes.ALL.items():
        assert f"| {code} |" in CONTRACTS, name


def test_every_room_hook_is_named_in_the_architecture():
    hooks = [name for name in vars(RoomHooks) if not name.startswith("_")]
    assert set(hooks) == {"load", "store", "changed", "presence_changed"}
    for name in hooks:
        assert f"`{name}" in ARCHITECTURE, name


def test_collab_public_surface_is_stated_once():
    public = {name for name in dir(invoicer.collab) if not name.startswith("_")}
    modules = {"authz", "backends", "channel", "connection", "draftdoc", "errors", "protocol",
               "registry", "room"}
    assert public - modules == {
        "AccessDenied", "Backends", "Channel", "ClaimConflict", "CollabError",
        "ConnectionClosed", "Editor", "FrozenDraft", "MessageTooLarge", "ProtocolError",
        "Room", "RoomBusy", "RoomHooks", "RoomRegistry", "RoomStatus", "make_backends",
    }
