// Who is here: avatars at the top, and the colour and name of each person on the field or
// line they are on. States come from Yjs awareness; the server stamps each with its user.

import { avatar, paint } from '../lib/dom.js'
import { initials } from '../lib/format.js'
import { labels, t } from '../lib/i18n.js'

export class PresenceView {
  /**
   * @param {HTMLElement} root
   * @param {{userId: string, userName: string, userColor: string, canEdit: boolean}} config
   */
  constructor (root, config) {
    this.root = root
    this.config = config
    this.avatars = root.querySelector('#presence-avatars')
    this.marked = []
  }

  /**
   * @param {import('./session.js').DraftSession} session
   * @param {(lineId: string) => HTMLElement|null} rowElement
   */
  render (session, rowElement) {
    const people = session.people()
    this.renderAvatars(session, people)
    this.renderFocus(session, people, rowElement)
  }

  renderAvatars (session, people) {
    const roles = labels('watchers')
    const watchers = new Set(Array.isArray(roles) ? roles : [])
    const byUser = new Map()
    for (const [clientId, state] of people) {
      const self = clientId === session.doc.clientID
      // The server stamps others with their user id and role; this tab's own state has none.
      const key = self ? String(this.config.userId) : String(state.user.id ?? `client-${clientId}`)
      const watching = self ? !this.config.canEdit : watchers.has(state.user.role)
      if (!byUser.has(key) || self) byUser.set(key, { ...state.user, self, watching })
    }
    const everyone = [...byUser.values()].sort((a, b) => Number(b.self) - Number(a.self))
    const signature = JSON.stringify(everyone.map((p) => [p.name, p.color, p.self, p.watching]))
    if (signature === this.signature) return
    this.signature = signature
    this.avatars.replaceChildren(...everyone.map((person) => {
      const name = person.self ? `${person.name} (${t('you')})` : person.name
      const element = avatar(person.watching ? `${name} · ${t('watching')}` : name,
        person.color, initials(person.name))
      element.dataset.userName = person.name
      element.classList.toggle('is-watching', person.watching)
      return element
    }))
    const names = everyone.map((person) => person.name).join(', ')
    this.root.querySelector('#presence').title = `${t('Here now')}: ${names}`
  }

  renderFocus (session, people, rowElement) {
    for (const element of this.marked) {
      element.classList.remove('peer', 'peer-line')
      delete element.dataset.peerName
    }
    this.marked = []
    const byTarget = new Map()
    for (const [clientId, state] of people) {
      if (clientId === session.doc.clientID) continue
      const focus = state.focus
      if (!focus || !focus.field) continue
      const row = focus.line_id ? rowElement(String(focus.line_id)) : null
      const scope = focus.line_id ? row : this.root.querySelector('#paper')
      const cell = scope?.querySelector(`.cell[data-field="${CSS.escape(String(focus.field))}"]`)
      if (!cell) continue
      const entry = byTarget.get(cell) ?? { row, people: [] }
      entry.people.push(state.user)
      byTarget.set(cell, entry)
    }
    for (const [cell, { row, people: here }] of byTarget) {
      cell.classList.add('peer')
      cell.dataset.peerName = here.map((user) => user.name).join(', ')
      paint(cell, here[0].color, '--peer')
      this.marked.push(cell)
      if (row) {
        row.classList.add('peer-line')
        paint(row, here[0].color, '--peer')
        this.marked.push(row)
      }
    }
  }
}
