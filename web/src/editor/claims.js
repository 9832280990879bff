// The claim on a line's amounts while this editor changes them (DESIGN.md section 4).
//
// A claim is taken when an amount field of a line gets focus, renewed every 10 s while the
// focus stays in that line's amounts, and given back when it leaves. Amounts typed while the
// claim is being asked for are held back and written once it is granted; if someone else
// holds the line, they are dropped and the field shows the document's value again.

import { api } from '../lib/api.js'

const RENEW_EVERY_MS = 10_000

/** @typedef {{user_id?: string, name?: string, color?: string}} Holder who holds a line */

export class LineClaims {
  /**
   * @param {string} apiPath "/api/invoices/{id}"
   * @param {object} handlers
   * @param {(lineId: string) => void} handlers.granted
   * @param {(lineId: string, holder: Holder|null, message: string) => void} handlers.refused
   */
  constructor (apiPath, { granted, refused }) {
    this.apiPath = apiPath
    this.granted = granted
    this.refused = refused
    /** @type {{lineId: string, state: 'pending'|'held', timer: any} | null} */
    this.current = null
  }

  isHeld (lineId) {
    return this.current?.lineId === lineId && this.current.state === 'held'
  }

  isPending (lineId) {
    return this.current?.lineId === lineId && this.current.state === 'pending'
  }

  /** Ask for the line unless this editor already has it (or is asking). */
  take (lineId) {
    if (this.current?.lineId === lineId) return
    this.giveBack()
    const claim = { lineId, state: 'pending', timer: null }
    this.current = claim
    this.request(claim)
  }

  async request (claim) {
    let result
    try {
      result = await api('POST', `${this.apiPath}/claims`, { body: { line_id: claim.lineId } })
    } catch {
      // The network is gone: the live socket is too, and the server checks claims on every
      // update anyway. Let the typing through rather than lose it.
      result = { ok: true, status: 0, data: null }
    }
    if (this.current !== claim) {
      if (result.ok) this.release(claim.lineId)
      return
    }
    if (result.ok || result.status === 404 || result.status === 0) {
      const first = claim.state === 'pending'
      claim.state = 'held'
      if (first) {
        claim.timer = setInterval(() => this.request(claim), RENEW_EVERY_MS)
        this.granted(claim.lineId)
      }
      return
    }
    clearInterval(claim.timer)
    this.current = null
    const holder = result.data?.holder ?? null
    this.refused(claim.lineId, holder, result.data?.message ?? '')
  }

  /** Give the current claim back (focus left the line's amounts). */
  giveBack () {
    const claim = this.current
    if (!claim) return
    clearInterval(claim.timer)
    this.current = null
    this.release(claim.lineId)
  }

  release (lineId) {
    const path = `${this.apiPath}/claims/${encodeURIComponent(lineId)}`
    // keepalive: the claim is given back even when the page is being closed.
    api('DELETE', path, { keepalive: true }).catch(() => {})
  }
}
