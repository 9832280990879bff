"""The browser's close codes are the server's."""

import re
from pathlib import Path

from invoicer.server import close_codes

WEB = Path(__file__).parents[2] / "web" / "src" / "close-codes.js"


def test_browser_close_codes_match_the_server():
    declared = dict(re.findall(r"export const (\w+) = (\d+)", WEB.read_text()))
    assert {name: int(code) for name, code in declared.items()} == close_codes.ALL
