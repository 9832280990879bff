// One connection of the editor to a draft: a Y.Doc, the standard y-websocket provider, and
// what the server says about it. When the server refuses an update, the session ends and the
// editor opens a fresh one, so that the page shows the server's truth again.

import * as Y from 'yjs'
import { WebsocketProvider, messageAuth } from 'y-websocket'
import * as authProtocol from 'y-protocols/auth'

import { socketUrl } from '../lib/dom.js'

/**
 * Each handler receives the session first: they may run while the constructor does.
 * @typedef {object} SessionHandlers
 * @property {(session: DraftSession) => void} status the connection changed
 * @property {(session: DraftSession, synced: boolean) => void} synced
 * @property {(session: DraftSession, code: number, reason: string) => void} closed a close
 *   that ends the session (44xx)
 * @property {(session: DraftSession) => void} awareness people or the server's entry changed
 */

export class DraftSession {
  /**
   * @param {{invoiceId: string, wsPath: string, userName: string, userColor: string}} config
   * @param {SessionHandlers} handlers
   */
  constructor (config, handlers) {
    this.doc = new Y.Doc()
    this.meta = this.doc.getMap('meta')
    this.notes = this.doc.getText('notes')
    this.lines = this.doc.getArray('lines')
    this.charges = this.doc.getArray('charges')
    this.payment = this.doc.getMap('payment')
    this.deniedReason = ''
    this.ended = false

    // disableBc: tabs must not feed each other updates behind the server's back; the server
    // decides what each connection may change.
    this.provider = new WebsocketProvider(socketUrl(config.wsPath), config.invoiceId, this.doc, {
      disableBc: true,
      maxBackoffTime: 4000
    })
    this.awareness = this.provider.awareness
    this.provider.messageHandlers[messageAuth] = (_encoder, decoder) => {
      authProtocol.readAuthMessage(decoder, this.doc, (_doc, reason) => {
        this.deniedReason = reason
      })
    }
    this.provider.on('status', () => handlers.status(this))
    this.provider.on('sync', (synced) => handlers.synced(this, synced))
    this.provider.on('closed', ({ code, reason }) => {
      this.ended = true
      handlers.closed(this, code, reason || this.deniedReason)
    })
    this.awareness.on('change', () => handlers.awareness(this))
    this.awareness.setLocalState({
      user: { name: config.userName, color: config.userColor },
      focus: { line_id: null, field: null }
    })
  }

  get connected () {
    return this.provider.wsconnected && this.provider.synced
  }

  /** Bytes written to the socket that have not left the browser yet. */
  get buffered () {
    return this.provider.ws?.bufferedAmount ?? 0
  }

  setFocus (lineId, field) {
    const current = this.awareness.getLocalState()?.focus
    if (current && current.line_id === lineId && current.field === field) return
    this.awareness.setLocalStateField('focus', { line_id: lineId, field })
  }

  /** The server's own awareness entry: status, claims, totals and problems. */
  serverState () {
    for (const state of this.awareness.getStates().values()) {
      if (state && typeof state.server === 'object' && state.server !== null) return state.server
    }
    return null
  }

  /** Everyone here, the server excepted: [clientId, state] with a user. */
  people () {
    const people = []
    for (const [clientId, state] of this.awareness.getStates()) {
      if (state && state.user && !state.server) people.push([clientId, state])
    }
    return people
  }

  destroy () {
    this.provider.destroy()
    this.doc.destroy()
  }
}
