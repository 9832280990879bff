// WebSocket close codes of the draft socket, mirrored from invoicer/server/close_codes.py
// (a test keeps the two in step). Standard providers stop reconnecting on 4400-4499.
export const NOT_AUTHENTICATED = 4401
export const FORBIDDEN = 4403
export const NOT_FOUND = 4404
export const TOO_LARGE = 4413
export const MALFORMED = 4400
