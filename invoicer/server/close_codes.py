"""WebSocket close codes of the draft socket, mirrored in web/src/close-codes.js.

The 44xx codes mirror HTTP statuses; standard y-websocket providers treat 4400-4499 as final
and stop reconnecting, which is what each of these situations calls for.
"""

NOT_AUTHENTICATED = 4401
"""No session, no token, or an invalid one."""

FORBIDDEN = 4403
"""Not allowed: the role may not see the invoice, the origin is foreign, or an update was
refused (the reason says which; the editor then resynchronises from the server)."""

NOT_FOUND = 4404
"""No such invoice in the user's organisation."""

TOO_LARGE = 4413
"""A frame over INVOICER_MAX_MESSAGE_BYTES (1 MiB by default)."""

MALFORMED = 4400
"""A frame that is not y-websocket protocol: text, empty, truncated, unknown type."""

ALL = {
    "NOT_AUTHENTICATED": NOT_AUTHENTICATED,
    "FORBIDDEN": FORBIDDEN,
    "NOT_FOUND": NOT_FOUND,
    "TOO_LARGE": TOO_LARGE,
    "MALFORMED": MALFORMED,
}
