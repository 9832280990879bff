// The live invoice editor (DESIGN.md section 10): the invoice as printed, edited in place by
// everyone on it at once. The page is server-rendered; this module connects it to the draft
// document over the standard y-websocket provider and keeps it in step both ways.

import { NOT_AUTHENTICATED, NOT_FOUND } from './close-codes.js'
import { showConnection } from './lib/connection.js'
import { toast } from './lib/dom.js'
import { money } from './lib/format.js'
import { t, labels } from './lib/i18n.js'
import { LineClaims } from './editor/claims.js'
import { DeleteDialog } from './editor/delete.js'
import { problemMessage, problemsLabel } from './lib/problems.js'
import { FinaliseDialog } from './editor/finalise.js'
import { HeaderFields } from './editor/header.js'
import { IssuedPanel } from './editor/issued.js'
import { AMOUNT_FIELDS, LinesTable } from './editor/lines.js'
import { PresenceView } from './editor/presence.js'
import { DraftSession } from './editor/session.js'
import { StoredDocument } from './editor/stored.js'
import { ChargesSection, PaymentFields } from './editor/terms.js'
import { TotalsView } from './editor/totals.js'

// lifecycle.is_editable: only a draft, or a draft in review, can be edited.
const EDITABLE_STATUSES = new Set(['draft', 'in_review'])
// More refusals than this within a minute means something is wrong; stop and say so.
const MAX_REFUSALS_PER_MINUTE = 5
// "charges.2.amount": the second allowance or charge's amount.
const CHARGE_FIELD = /^charges\.(\d+)\.(\w+)$/

const readConfig = (root) => {
  const data = root.dataset
  return {
    invoiceId: data.invoiceId,
    wsPath: data.wsPath,
    apiPath: data.apiPath,
    status: data.status,
    number: data.number,
    finalisedBy: data.finalisedBy,
    userId: data.userId,
    userName: data.userName,
    userColor: data.userColor,
    roleLabel: data.roleLabel,
    canEdit: data.canEdit === 'true',
    canEditTax: data.canEditTax === 'true',
    canEditTerms: data.canEditTerms === 'true',
    canDelete: data.canDelete === 'true',
    defaultVatRate: data.defaultVatRate || ''
  }
}

/** The draft field an element edits: a line's field, a header key, or the notes. */
const fieldOf = (element) => {
  const data = element?.dataset ?? {}
  return data.lineField ?? data.meta ?? (element?.id === 'f-notes' ? 'notes' : null)
}

/** A JSON data block of the page, or null. */
const readData = (id) => {
  const element = document.getElementById(id)
  try {
    return element ? JSON.parse(element.textContent) : null
  } catch {
    return null
  }
}

export class EditorView {
  constructor (root) {
    this.root = root
    this.config = readConfig(root)
    this.session = null
    this.loaded = false
    this.everConnected = false
    this.ended = false
    this.offlineEdits = false
    // Deleted from this page: on the way back to the list, with nothing left to send.
    this.leaving = false
    this.refusals = []
    this.server = null
    this.status = this.config.status
    this.number = this.config.number
    this.claimsByLine = {}
    // An issued invoice as stored (GET /api/invoices/{id}): what its fields show, not the draft.
    this.stored = null
    // A finalised invoice's totals as issued (from SQL), until the server's entry has some.
    this.storedTotals = readData('stored-totals')
    // A draft's totals and problems when the page was made, until the server's entry comes.
    this.initial = readData('draft-state')

    this.paper = root.querySelector('#paper')
    this.connBadge = root.querySelector('#conn')
    this.toasts = root.querySelector('#toasts')
    this.finalBanner = root.querySelector('#final-banner')
    this.readonlyBanner = root.querySelector('#readonly-banner')
    this.noticeBanner = root.querySelector('#notice-banner')
    this.addButton = root.querySelector('#add-line')
    this.keyHint = root.querySelector('#kbd-hint')
    this.finaliseButton = root.querySelector('#finalise-button')
    this.previewLink = root.querySelector('#preview-link')
    this.deleteButton = root.querySelector('#delete-button')

    this.lines = new LinesTable(this, root)
    this.header = new HeaderFields(this, root)
    this.presence = new PresenceView(root, this.config)
    this.totals = new TotalsView(root)
    this.charges = new ChargesSection(this, root)
    this.payment = new PaymentFields(root)
    this.issued = new IssuedPanel(root, {
      apiPath: this.config.apiPath,
      toasts: this.toasts,
      statusChanged: (status) => this.issuedStatus(status),
      loaded: (invoice) => this.showStored(invoice)
    })
    this.claims = new LineClaims(this.config.apiPath, {
      granted: (lineId) => this.lines.rows.get(lineId)?.flushPending(),
      refused: (lineId, holder) => this.claimRefused(lineId, holder)
    })
    if (this.finaliseButton) {
      this.finalise = new FinaliseDialog(root, {
        apiPath: this.config.apiPath,
        total: () => money(this.server?.totals?.gross, this.currency),
        problems: () => this.problems,
        locate: (problem) => this.fieldOf(problem),
        done: (number) => this.showFinal(number, this.config.userName)
      })
      this.finaliseButton.addEventListener('click', () => this.finalise.open())
    }
    if (this.deleteButton && this.config.canDelete) {
      this.deleting = new DeleteDialog(root, {
        apiPath: this.config.apiPath,
        done: () => this.leave()
      })
      this.deleteButton.addEventListener('click', () => this.deleting.open())
    }
    this.listen()
    this.showTotals()
    this.showProblems()
    if (!EDITABLE_STATUSES.has(this.status)) this.showFinal(this.number, this.config.finalisedBy)
    this.open()
  }

  get editable () {
    return this.config.canEdit && this.loaded && !this.ended &&
      EDITABLE_STATUSES.has(this.status) && !this.server?.frozen
  }

  get currency () {
    return String((this.stored ?? this.session)?.meta.get('currency') || 'EUR')
  }

  // -- the session -------------------------------------------------------------------------

  open () {
    this.loaded = false
    const session = new DraftSession(this.config, {
      status: () => this.updateBadge(),
      synced: (source, synced) => this.synced(source, synced),
      // After the provider's own close handling has finished.
      closed: (source, code, reason) => setTimeout(() => this.closed(source, code, reason)),
      awareness: (source) => this.awarenessChanged(source)
    })
    session.doc.on('update', (_update, origin) => {
      if (origin !== session.provider && !session.connected) this.offlineEdits = true
    })
    this.session = session
    this.awarenessChanged(session)
    this.attachFields(this.stored ?? session)
    this.updateBadge()
  }

  /** Show `source` in the fields: the live draft, or an issued invoice's stored copy. */
  attachFields (source) {
    this.lines.attach(source)
    this.header.attach(source)
    this.charges.attach(source)
    this.payment.attach(source)
    this.applyAccess()
  }

  /** The issued invoice as stored: its fields show it from now on, whatever the draft held. */
  showStored (invoice) {
    if (this.stored || !invoice?.number) return
    this.stored = new StoredDocument(invoice)
    this.storedTotals = invoice.totals ?? this.storedTotals
    this.claims.giveBack()
    this.attachFields(this.stored)
    this.paper.setAttribute('aria-busy', 'false')
    this.showTotals()
    this.showProblems()
  }

  synced (session, synced) {
    if (session !== this.session) return
    if (synced) {
      this.loaded = true
      this.everConnected = true
      this.offlineEdits = false
      this.paper.setAttribute('aria-busy', 'false')
      this.applyAccess()
    }
    this.updateBadge()
  }

  closed (session, code, reason) {
    if (session !== this.session) return
    if (code === NOT_AUTHENTICATED || code === NOT_FOUND) {
      this.end(code === NOT_AUTHENTICATED
        ? t('You have been signed out. Sign in again to keep editing.')
        : t('This invoice does not exist or is not yours to see.'))
      return
    }
    // Refused (4403), too large (4413) or malformed (4400): what this page holds differs from
    // the server's truth. Start again from the server's state.
    const now = Date.now()
    this.refusals = this.refusals.filter((when) => now - when < 60_000).concat(now)
    if (this.refusals.length > MAX_REFUSALS_PER_MINUTE) {
      this.end(t('The connection was refused: {reason}', { reason: reason || code }))
      return
    }
    const message = t('Your change was refused: {reason}. The draft was reloaded from the server.',
      { reason: reason || code })
    toast(this.toasts, message, 'error')
    this.reopen()
  }

  reopen () {
    this.lines.detach()
    this.header.detach()
    this.charges.detach()
    this.payment.detach()
    this.session.destroy()
    this.open()
  }

  /** This page deleted the draft: back to the list, which says so. */
  leave () {
    this.leaving = true
    this.claims.giveBack()
    window.location.assign('/invoices?done=draft_deleted')
  }

  end (message) {
    this.ended = true
    this.noticeBanner.textContent = message
    this.noticeBanner.hidden = false
    this.applyAccess()
    this.updateBadge()
  }

  // -- what the server says ----------------------------------------------------------------

  awarenessChanged (session) {
    if (session !== this.session) return
    const server = session.serverState()
    if (server) this.serverChanged(server)
    this.presence.render(session, (lineId) => this.lines.rows.get(lineId)?.element ?? null)
  }

  serverChanged (server) {
    const previous = this.server
    this.server = server
    if (server.status && server.status !== this.status) {
      this.status = server.status
      this.showStatus()
    }
    if (server.number) this.number = server.number
    this.claimsByLine = server.claims ?? {}
    if (!EDITABLE_STATUSES.has(this.status)) this.showFinal(this.number, server.finalised_by)
    if (!previous || previous.frozen !== server.frozen) this.showFrozen(Boolean(server.frozen))
    this.applyAccess()
    this.showTotals()
    this.showProblems()
    this.finalise?.draftChanged()
  }

  linesChanged () {
    // New rows need their net, their problems and their access.
    this.applyAccess()
    this.showTotals()
    this.showProblems()
  }

  /** The draft's problems: the server's, or the page's until the server has spoken. */
  get problems () {
    // An issued invoice has none: it was valid when it was issued.
    if (this.stored) return []
    return this.server?.problems ?? this.initial?.problems ?? []
  }

  showTotals () {
    const totals = this.stored ? this.storedTotals
      : this.server?.totals ?? this.initial?.totals ?? this.storedTotals
    if (!totals) return
    const currency = totals.currency || this.currency
    this.totals.render(totals, currency)
    const nets = new Map((totals.lines ?? []).map((line) => [String(line.id), line.net]))
    for (const row of this.lines.rows.values()) {
      row.setNet(nets.has(row.id) ? money(nets.get(row.id), currency) : '—')
    }
  }

  showProblems () {
    const header = new Map()
    const byLine = new Map()
    const byCharge = new Map()
    const add = (groups, key, field, message) => {
      const fields = groups.get(key) ?? new Map()
      // The first problem of a field is the one to fix first.
      if (!fields.has(field)) fields.set(field, message)
      groups.set(key, fields)
    }
    // A deleted draft has nothing left to fix.
    const problems = this.status === 'deleted' ? [] : this.problems
    for (const problem of problems) {
      const field = String(problem.field ?? '').replace(/^(meta|line)\./, '')
      const message = problemMessage(problem)
      const charge = CHARGE_FIELD.exec(field)
      if (problem.line_id) add(byLine, String(problem.line_id), field, message)
      else if (charge) add(byCharge, Number(charge[1]), charge[2], message)
      else if (!header.has(field)) header.set(field, message)
    }
    this.header.setProblems(header)
    for (const row of this.lines.rows.values()) row.setProblems(byLine.get(row.id) ?? new Map())
    this.charges.setProblems(byCharge)
    // The total is the calculator's over what it could read: say when that is not all.
    const warning = this.root.querySelector('#totals-warning')
    const count = EDITABLE_STATUSES.has(this.status) ? problems.length : 0
    warning.hidden = count === 0
    warning.firstElementChild.textContent = count ? problemsLabel(count) : ''
  }

  /** The field a problem is about, where this page has it. */
  fieldOf (problem) {
    const field = String(problem.field ?? '').replace(/^(meta|line)\./, '')
    if (problem.line_id) {
      const row = this.lines.rows.get(String(problem.line_id))
      return row?.inputs[field] ?? row?.inputs.description ?? null
    }
    const charge = CHARGE_FIELD.exec(field)
    if (charge) {
      const row = [...this.charges.rows.values()][Number(charge[1]) - 1]
      return row?.inputs[charge[2]] ?? null
    }
    const selector = field === 'notes' ? '#f-notes'
      : field.startsWith('payment.') ? `[data-payment="${CSS.escape(field.slice(8))}"]`
        : `[data-meta="${CSS.escape(field)}"]`
    return this.root.querySelector(selector)
  }

  showFinal (number, finalisedBy) {
    this.number = number || this.number
    if (EDITABLE_STATUSES.has(this.status)) this.status = 'finalised'
    const name = typeof finalisedBy === 'object' && finalisedBy ? finalisedBy.name : finalisedBy
    const statusLabel = labels('statuses')[this.status] ?? this.status
    this.finalBanner.textContent = this.status === 'deleted'
      ? t('{name} deleted this draft.', { name: name || '?' })
      : name && this.number
      ? t('Finalised by {name} as {number}', { name, number: this.number })
      : this.number ? t('Finalised as {number}', { number: this.number })
        : t('This invoice is {status}: it can no longer be edited.', { status: statusLabel })
    this.finalBanner.dataset.kind = this.status === 'deleted' ? 'deleted' : 'final'
    this.finalBanner.hidden = false
    this.showStatus()
    this.deleting?.close()
    // A deleted draft has no preview any more.
    if (this.status === 'deleted' && this.previewLink) this.previewLink.hidden = true
    if (this.number) {
      // Issued: its documents replace the draft's preview.
      if (this.previewLink) this.previewLink.hidden = true
      this.issued.show()
    }
    if (this.number) {
      this.root.querySelector('#doc-title').textContent = this.number
      const docNumber = this.root.querySelector('#doc-number')
      docNumber.textContent = this.number
      docNumber.classList.add('is-final')
      document.title = document.title.replace(/^[^·]*/, `${this.number} `)
    }
    this.claims.giveBack()
    this.applyAccess()
  }

  /** The issued panel learnt a new status (a payment, a credit note). */
  issuedStatus (status) {
    if (status === this.status || EDITABLE_STATUSES.has(status)) return
    this.status = status
    this.showStatus()
  }

  showStatus () {
    const pill = this.root.querySelector('#status-pill')
    pill.dataset.status = this.status
    pill.textContent = labels('statuses')[this.status] ?? this.status
  }

  showFrozen (frozen) {
    if (frozen && EDITABLE_STATUSES.has(this.status)) {
      this.noticeBanner.textContent = t('Finalising… editing is paused for a moment.')
      this.noticeBanner.hidden = false
    } else if (!this.ended) {
      this.noticeBanner.hidden = true
    }
  }

  claimRefused (lineId, holder) {
    const row = this.lines.rows.get(lineId)
    row?.dropPending()
    toast(this.toasts, t("{name} is changing this line's amounts. Try again when they are done.",
      { name: holder?.name ?? '?' }), 'error')
  }

  // -- access ------------------------------------------------------------------------------

  applyAccess () {
    const editable = this.editable
    const canEditTax = this.config.canEditTax
    this.header.setAccess({ editable, canEditTax })
    this.charges.setAccess(editable && this.config.canEditTerms)
    this.payment.setAccess(editable && this.config.canEditTerms)
    for (const row of this.lines.rows.values()) {
      const holder = this.claimsByLine[row.id]
      row.setClaim(holder && String(holder.user_id) !== String(this.config.userId) ? holder : null)
      row.setAccess({ editable, canEditTax })
    }
    this.addButton.hidden = !editable
    this.keyHint.hidden = !editable
    if (this.finaliseButton) {
      this.finaliseButton.hidden = !EDITABLE_STATUSES.has(this.status)
      this.finaliseButton.disabled = !editable
    }
    if (this.deleteButton) {
      this.deleteButton.hidden = !EDITABLE_STATUSES.has(this.status) || this.leaving
      this.deleteButton.disabled = !editable
    }
    const watching = !this.config.canEdit && EDITABLE_STATUSES.has(this.status)
    this.readonlyBanner.hidden = !watching
    if (watching) {
      const role = this.config.roleLabel
      this.readonlyBanner.textContent =
        t('Your role ({role}) can watch this draft live but not change it.', { role })
    }
  }

  updateBadge () {
    const session = this.session
    let state = 'connecting'
    if (this.ended || !navigator.onLine) state = 'offline'
    else if (session?.connected) state = 'live'
    else if (this.everConnected) state = 'reconnecting'
    showConnection(this.connBadge, state)
  }

  get unsent () {
    const pendingAmounts = [...this.lines.rows.values()].some((row) => row.pending.size > 0)
    return this.offlineEdits || pendingAmounts || (this.session?.buffered ?? 0) > 0
  }

  // -- the page's events -------------------------------------------------------------------

  listen () {
    this.root.addEventListener('focusin', (event) => this.focused(event.target))
    this.root.addEventListener('focusout', () => setTimeout(() => this.focusLeft()))
    const body = this.root.querySelector('#lines-body')
    body.addEventListener('keydown', (event) => this.lineKey(event))
    body.addEventListener('click', (event) => {
      const button = event.target.closest('.line-delete')
      const row = button && this.lines.rowOf(button)
      if (row && this.editable) this.lines.removeLine(row.id)
    })
    this.addButton.addEventListener('click', () => {
      if (this.editable) this.lines.addLine(null, { vatRate: this.config.defaultVatRate })
    })
    window.addEventListener('online', () => this.updateBadge())
    window.addEventListener('offline', () => this.updateBadge())
    window.addEventListener('beforeunload', (event) => {
      if (this.leaving || !this.unsent) return
      event.preventDefault()
      event.returnValue = t('Some edits have not reached the server yet.')
    })
    window.addEventListener('pagehide', () => this.claims.giveBack())
  }

  /** Where the focus is: told to the others, and a claim when it is on a line's amounts. */
  focused (target) {
    const field = fieldOf(target)
    if (!field || !this.session) return
    const row = this.lines.rowOf(target)
    this.session.setFocus(row ? row.id : null, field)
    if (row && AMOUNT_FIELDS.includes(field) && this.editable && !row.claimedByOther) {
      this.claims.take(row.id)
    }
  }

  focusLeft () {
    const active = document.activeElement
    if (!fieldOf(active) || !this.root.contains(active)) this.session?.setFocus(null, null)
    const current = this.claims.current
    if (!current) return
    const row = this.lines.rowOf(active)
    const onSameLine = row && row.id === current.lineId
    if (!onSameLine || !AMOUNT_FIELDS.includes(active.dataset.lineField)) this.claims.giveBack()
  }

  lineKey (event) {
    if (event.key !== 'Enter' || event.shiftKey || event.isComposing || event.altKey) return
    const row = this.lines.rowOf(event.target)
    if (!row) return
    event.preventDefault()
    if (this.editable) this.lines.addLine(row.id, { vatRate: this.config.defaultVatRate })
  }
}

const root = document.getElementById('editor')
if (root) new EditorView(root) // eslint-disable-line no-new
