// The status board (DESIGN.md section 10): every invoice of the organisation, live.
//
// /ws/board sends {"type": "snapshot", "rows": [...]} first, then {"type": "invoice",
// "invoice": row} on every change. Rows are kept by id and their table rows reused, so a
// change shows in place with a short highlight. Grouping, filter and sort are the reader's
// and are remembered in this browser.
//
// A draft whose values the server cannot all read has a total that leaves them out: such
// drafts carry a warning next to their total. Board rows do not say it, so the board asks
// GET /api/invoices/{id} for each draft, once at first and again when the draft changes.

import { NOT_AUTHENTICATED } from './close-codes.js'
import { api } from './lib/api.js'
import { showConnection } from './lib/connection.js'
import { addDecimal, compareDecimal } from './lib/decimal.js'
import { avatar, eyeIcon, h, socketUrl } from './lib/dom.js'
import { day, initials, money, since } from './lib/format.js'
import { labels, t } from './lib/i18n.js'
import { problemsLabel } from './lib/problems.js'

const STATUS_ORDER = [
  'draft', 'in_review', 'approved', 'finalised', 'sent', 'partly_paid', 'overdue', 'paid',
  'cancelled'
]
const SETTINGS_KEY = 'invoicer.board'
const MAX_RETRY_MS = 10_000
const COLUMNS = '7'
// lifecycle.is_editable: people in these invoices may be editing them.
const EDITABLE_STATUSES = new Set(['draft', 'in_review'])
// Problems of drafts: how many requests at once, and how long a draft's changes settle first.
const MAX_CHECKS = 3
const CHECK_DELAY_MS = 400

const statusRank = (status) => {
  const rank = STATUS_ORDER.indexOf(status)
  return rank < 0 ? STATUS_ORDER.length : rank
}

const text = (value) => String(value ?? '')

const COMPARE = {
  // Drafts have no number yet: they come after every numbered invoice.
  number: (a, b) => (a.number ? 0 : 1) - (b.number ? 0 : 1) ||
    text(a.number).localeCompare(text(b.number), undefined, { numeric: true }),
  customer_name: (a, b) => text(a.customer_name).localeCompare(text(b.customer_name)),
  status: (a, b) => statusRank(a.status) - statusRank(b.status),
  due_date: (a, b) => text(a.due_date || '9999').localeCompare(text(b.due_date || '9999')),
  gross: (a, b) => compareDecimal(a.gross, b.gross),
  updated_at: (a, b) => text(a.updated_at).localeCompare(text(b.updated_at))
}

const countLabel = (count) => count === 1 ? t('1 invoice') : t('{count} invoices', { count })

class Board {
  constructor (root) {
    this.root = root
    this.body = document.getElementById('board-body')
    this.badge = document.getElementById('conn')
    this.count = document.getElementById('board-count')
    this.filterInput = document.getElementById('board-filter')
    this.groupInput = document.getElementById('board-group')
    this.headers = [...document.querySelectorAll('#board-table th[data-sort]')]
    this.statuses = labels('statuses')
    const watchers = labels('watchers')
    this.watchers = new Set(Array.isArray(watchers) ? watchers : [])
    /** Drafts' problem counts by id, and the drafts waiting to be checked. */
    this.problems = new Map()
    this.checkTimers = new Map()
    this.checkQueue = []
    this.checking = 0
    /** @type {Map<string, object>} */
    this.rows = new Map()
    /** @type {Map<string, HTMLTableRowElement>} */
    this.elements = new Map()
    this.retries = 0
    this.settings = { group: true, sort: 'updated_at', descending: true, ...this.loadSettings() }
    this.groupInput.checked = this.settings.group
    this.listen()
    this.connect()
    setInterval(() => this.refreshTimes(), 30_000)
  }

  loadSettings () {
    try {
      return JSON.parse(localStorage.getItem(SETTINGS_KEY) ?? '{}')
    } catch {
      return {}
    }
  }

  saveSettings () {
    try {
      localStorage.setItem(SETTINGS_KEY, JSON.stringify(this.settings))
    } catch {
      // Private browsing without storage: the board still works, it just forgets.
    }
  }

  listen () {
    this.filterInput.addEventListener('input', () => this.render())
    this.groupInput.addEventListener('change', () => {
      this.settings.group = this.groupInput.checked
      this.saveSettings()
      this.render()
    })
    for (const header of this.headers) {
      const sort = () => this.sortBy(header.dataset.sort)
      header.querySelector('button').addEventListener('click', sort)
    }
    window.addEventListener('online', () => this.connect())
  }

  sortBy (key) {
    // A second click turns the order round; the last change is newest first by default.
    const again = this.settings.sort === key
    this.settings.descending = again ? !this.settings.descending : key === 'updated_at'
    this.settings.sort = key
    this.saveSettings()
    this.render()
  }

  // -- the live feed -----------------------------------------------------------------------

  connect () {
    if (this.socket && this.socket.readyState <= WebSocket.OPEN) return
    showConnection(this.badge, this.retries ? 'reconnecting' : 'connecting')
    const socket = new WebSocket(socketUrl(this.root.dataset.wsPath))
    this.socket = socket
    socket.addEventListener('open', () => { this.retries = 0 })
    socket.addEventListener('message', (event) => this.received(event.data))
    socket.addEventListener('close', (event) => {
      if (this.socket !== socket) return
      this.socket = null
      // 44xx: the server decided (signed out, not allowed); retrying cannot help.
      if (event.code === NOT_AUTHENTICATED || (event.code >= 4400 && event.code < 4500)) {
        showConnection(this.badge, 'offline')
        return
      }
      this.retries += 1
      showConnection(this.badge, navigator.onLine ? 'reconnecting' : 'offline')
      setTimeout(() => this.connect(), Math.min(250 * 2 ** this.retries, MAX_RETRY_MS))
    })
  }

  received (data) {
    let message
    try {
      message = JSON.parse(data)
    } catch {
      return
    }
    if (message.type === 'snapshot' && Array.isArray(message.rows)) {
      const known = this.rows
      this.rows = new Map(message.rows.map((row) => [String(row.id), row]))
      // After a reconnection, highlight what changed while we were away.
      const changed = new Set()
      for (const [id, row] of this.rows) {
        if (known.size && JSON.stringify(known.get(id)) !== JSON.stringify(row)) changed.add(id)
      }
      showConnection(this.badge, 'live')
      this.render(changed)
      for (const row of this.rows.values()) this.scheduleCheck(row, known.size ? changed : null)
    } else if (message.type === 'removed' && message.id) {
      // A deleted draft: it had no number, so it simply leaves the board.
      this.rows.delete(String(message.id))
      this.render(new Set())
    } else if (message.type === 'invoice' && message.invoice) {
      const id = String(message.invoice.id)
      this.rows.set(id, message.invoice)
      this.render(new Set([id]))
      this.scheduleCheck(message.invoice, new Set([id]))
    }
  }

  // -- drafts' problems --------------------------------------------------------------------

  /** Learn whether a draft has problems: from its row when it says, else from the API. */
  scheduleCheck (row, changed) {
    const id = String(row.id)
    if (!EDITABLE_STATUSES.has(row.status)) {
      this.problems.delete(id)
      return
    }
    const given = Array.isArray(row.problems) ? row.problems.length : row.problems
    if (typeof given === 'number') {
      this.problems.set(id, given)
      return
    }
    if (changed && !changed.has(id) && this.problems.has(id)) return
    clearTimeout(this.checkTimers.get(id))
    this.checkTimers.set(id, setTimeout(() => {
      this.checkTimers.delete(id)
      if (!this.checkQueue.includes(id)) this.checkQueue.push(id)
      this.nextCheck()
    }, CHECK_DELAY_MS))
  }

  async nextCheck () {
    if (this.checking >= MAX_CHECKS || this.checkQueue.length === 0) return
    const id = this.checkQueue.shift()
    this.checking += 1
    try {
      const answer = await api('GET', `/api/invoices/${encodeURIComponent(id)}`)
      const count = answer.ok && Array.isArray(answer.data?.problems)
        ? answer.data.problems.length : null
      if (count !== null && count !== this.problems.get(id)) {
        this.problems.set(id, count)
        if (this.rows.has(id)) this.render()
      }
    } catch {
      // Offline: the next change of the draft asks again.
    } finally {
      this.checking -= 1
      this.nextCheck()
    }
  }

  // -- the table ---------------------------------------------------------------------------

  visibleRows () {
    const words = this.filterInput.value.trim().toLocaleLowerCase().split(/\s+/).filter(Boolean)
    const rows = [...this.rows.values()].filter((row) => {
      if (words.length === 0) return true
      const searched = [
        row.number ?? t('Draft'), row.customer_name, this.statuses[row.status] ?? row.status,
        row.overdue ? t('Overdue') : '', row.currency
      ].join(' ').toLocaleLowerCase()
      return words.every((word) => searched.includes(word))
    })
    const compare = COMPARE[this.settings.sort] ?? COMPARE.updated_at
    const direction = this.settings.descending ? -1 : 1
    return rows.sort((a, b) => direction * compare(a, b) || text(a.id).localeCompare(text(b.id)))
  }

  render (changed = new Set()) {
    for (const header of this.headers) {
      const order = this.settings.descending ? 'descending' : 'ascending'
      header.setAttribute('aria-sort', header.dataset.sort === this.settings.sort ? order : 'none')
    }
    const rows = this.visibleRows()
    const parts = []
    if (this.settings.group) {
      const groups = new Map()
      for (const row of rows) groups.set(row.status, [...(groups.get(row.status) ?? []), row])
      const ordered = [...groups.keys()].sort((a, b) => statusRank(a) - statusRank(b))
      for (const status of ordered) {
        parts.push(this.groupHeader(status, groups.get(status)))
        for (const row of groups.get(status)) parts.push(this.rowElement(row, changed))
      }
    } else {
      for (const row of rows) parts.push(this.rowElement(row, changed))
    }
    if (rows.length === 0) {
      const message = t('No invoice matches this filter.')
      parts.push(h('tr', {}, h('td', { colspan: COLUMNS, class: 'empty' }, message)))
    }
    this.body.replaceChildren(...parts)
    for (const id of this.elements.keys()) if (!this.rows.has(id)) this.elements.delete(id)
    this.count.textContent = countLabel(this.rows.size)
  }

  groupHeader (status, rows) {
    // Totals per currency, added exactly: amounts of different currencies never mix, and a
    // currency whose invoices add up to nothing says nothing.
    const sums = new Map()
    for (const row of rows) {
      sums.set(row.currency, addDecimal(sums.get(row.currency) ?? '0', row.gross))
    }
    const total = [...sums]
      .filter(([, amount]) => compareDecimal(amount, '0') !== 0)
      .sort(([a], [b]) => text(a).localeCompare(text(b)))
      .map(([currency, amount]) => money(amount, currency))
      .join(' · ')
    return h('tr', { class: 'group-head', 'data-group': status },
      h('td', { colspan: COLUMNS },
        h('span', { class: 'pill', 'data-status': status }, this.statuses[status] ?? status),
        h('span', { class: 'group-meta' }, countLabel(rows.length)),
        h('span', { class: 'group-total' }, total)))
  }

  rowElement (row, changed) {
    const id = String(row.id)
    let element = this.elements.get(id)
    const signature = JSON.stringify([row, this.problems.get(id) ?? 0])
    if (!element || element.dataset.signature !== signature) {
      element = this.buildRow(row)
      element.dataset.signature = signature
      this.elements.set(id, element)
    }
    if (changed.has(id)) this.highlight(element)
    return element
  }

  highlight (element) {
    element.classList.remove('flash')
    // Reading the layout restarts the animation of a row that is already highlighted.
    void element.offsetWidth
    element.classList.add('flash')
    const done = () => element.classList.remove('flash')
    element.addEventListener('animationend', done, { once: true })
  }

  buildRow (row) {
    const numberClass = row.number ? 'invoice-number' : 'invoice-number is-draft'
    const href = `/invoices/${encodeURIComponent(row.id)}`
    const statusLabel = this.statuses[row.status] ?? row.status
    const status = h('td', {}, h('span', { class: 'pill', 'data-status': row.status }, statusLabel))
    if (row.overdue && row.status !== 'overdue') {
      status.append(' ', h('span', { class: 'pill overdue-flag' }, t('Overdue')))
    }
    return h('tr', { class: row.overdue ? 'is-overdue' : '', 'data-invoice-id': row.id },
      h('td', {}, h('a', { href, class: numberClass }, row.number || t('Draft'))),
      h('td', { class: 'cust', title: text(row.customer_name) }, row.customer_name || '—'),
      status,
      h('td', { class: 'tabular nowrap due' }, day(row.due_date)),
      this.totalCell(row),
      this.editorsCell(row),
      h('td', { class: 'muted nowrap', 'data-updated': text(row.updated_at) },
        since(row.updated_at)))
  }

  totalCell (row) {
    const cell = h('td', { class: 'num strong', 'data-gross': text(row.gross) })
    const problems = this.problems.get(String(row.id)) ?? 0
    if (problems > 0) {
      const label = problemsLabel(problems)
      const badge = h('span', { class: 'problem-badge', title: label },
        '!', h('span', { class: 'sr-only' }, label))
      badge.dataset.problems = String(problems)
      cell.append(badge, ' ')
    }
    cell.append(money(row.gross, row.currency))
    return cell
  }

  /**
   * Who is in the invoice now. In a draft, members who may edit are editing; the others
   * (manager, viewer) watch, with an eye. In any other invoice everyone only views it.
   */
  editorsCell (row) {
    const cell = h('td', { class: 'here' })
    const people = row.editors ?? []
    if (people.length === 0) return cell
    const drafting = EDITABLE_STATUSES.has(row.status)
    const faces = people.map((person) => {
      const face = avatar(person.name, person.color, initials(person.name), true)
      face.classList.toggle('is-watching', !drafting || this.watchers.has(person.role))
      return face
    })
    const names = people.map((person, index) => {
      const editing = drafting && !this.watchers.has(person.role)
      const name = h('span', { class: editing ? 'person editing-person' : 'person watching' })
      if (!editing) name.append(eyeIcon())
      name.append(person.name ?? '?')
      if (!editing) {
        name.append(' ', h('span', { class: 'how' }, drafting ? t('watching') : t('viewing')))
      }
      return index ? [', ', name] : [name]
    }).flat()
    cell.append(h('span', { class: 'editing' },
      h('span', { class: 'avatar-stack' }, ...faces),
      h('span', { class: 'editing-names' }, ...names)))
    return cell
  }

  refreshTimes () {
    for (const cell of this.body.querySelectorAll('[data-updated]')) {
      cell.textContent = since(cell.dataset.updated)
    }
  }
}

const root = document.getElementById('board')
if (root) new Board(root) // eslint-disable-line no-new
