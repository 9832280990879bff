// The lines table of the editor: one row per Y.Map of the `lines` array, kept in the
// document's order. Rows are reused across changes so that focus and caret survive remote
// edits; the description is a Y.Text bound character by character, the other fields are
// decimal strings (the unit a UN/ECE code).

import * as Y from 'yjs'

import { randomKey } from '../lib/api.js'
import { toDocumentDecimal, toShownDecimal } from '../lib/format.js'
import { TextBinding } from '../lib/textbinding.js'
import { markProblem, paint } from '../lib/dom.js'
import { t } from '../lib/i18n.js'

export const AMOUNT_FIELDS = Object.freeze(['quantity', 'unit_price', 'vat_rate', 'discount'])
const VALUE_FIELDS = Object.freeze(['quantity', 'unit', 'unit_price', 'vat_rate', 'discount'])
const DEFAULT_UNIT = 'C62'

/** Make sure a <select> can show `value`, even a code the list does not offer. */
export const ensureOption = (select, value) => {
  if ([...select.options].some((option) => option.value === value)) return
  const option = document.createElement('option')
  option.value = value
  option.textContent = value || '—'
  select.append(option)
}

class LineRow {
  /**
   * @param {LinesTable} table
   * @param {Y.Map<any>} ymap
   * @param {string} id
   */
  constructor (table, ymap, id) {
    this.table = table
    this.ymap = ymap
    this.id = id
    const template = table.template.content.firstElementChild
    this.element = /** @type {HTMLTableRowElement} */ (template.cloneNode(true))
    this.element.dataset.lineId = id
    this.inputs = {}
    for (const input of this.element.querySelectorAll('[data-line-field]')) {
      this.inputs[input.dataset.lineField] = input
    }
    this.cells = {}
    for (const cell of this.element.querySelectorAll('.cell[data-field]')) {
      this.cells[cell.dataset.field] = cell
    }
    this.net = this.element.querySelector('[data-net]')
    this.claimNote = this.element.querySelector('.claim-note')
    this.deleteButton = this.element.querySelector('.line-delete')
    // Tab goes from the last field of a line to the next line, not to its delete button.
    this.deleteButton.tabIndex = -1
    /** Amounts typed while the claim on the line is being asked for: field -> text. */
    this.pending = new Map()

    const description = ymap.get('description')
    if (description instanceof Y.Text) {
      this.binding = new TextBinding(description, this.inputs.description, {
        mayWrite: () => table.view.editable
      })
    } else {
      this.binding = null
      this.inputs.description.value = description == null ? '' : String(description)
    }
    for (const field of VALUE_FIELDS) {
      const input = this.inputs[field]
      input.addEventListener(field === 'unit' ? 'change' : 'input', () => table.typed(this, field))
    }
    this.update()
  }

  stored (field) {
    const value = this.ymap.get(field)
    return value === undefined || value === null ? '' : String(value)
  }

  typed (field) {
    const input = this.inputs[field]
    return field === 'unit' ? input.value : toDocumentDecimal(input.value)
  }

  /** Show the document's values; a focused field keeps what its user is typing. */
  update (force = false) {
    for (const field of VALUE_FIELDS) {
      const input = this.inputs[field]
      const stored = this.pending.has(field) ? this.pending.get(field) : this.stored(field)
      if (field === 'unit') {
        ensureOption(input, stored)
        if (input.value !== stored) input.value = stored
        continue
      }
      if (!force && document.activeElement === input) continue
      if (toDocumentDecimal(input.value) !== stored) input.value = toShownDecimal(stored)
    }
  }

  write (field) {
    const value = this.typed(field)
    if (value !== this.stored(field)) this.ymap.set(field, value)
  }

  /** The claim was granted: write what was typed while waiting for it. */
  flushPending () {
    if (this.pending.size === 0) return
    const values = [...this.pending]
    this.pending.clear()
    this.ymap.doc.transact(() => {
      for (const [field, value] of values) {
        if (value !== this.stored(field)) this.ymap.set(field, value)
      }
    })
  }

  dropPending () {
    this.pending.clear()
    this.update(true)
  }

  setNet (text) {
    if (this.net.textContent !== text) this.net.textContent = text
  }

  /** Someone else holds this line's amounts (or nobody: null). */
  setClaim (holder) {
    this.claimedByOther = holder
    this.claimNote.hidden = !holder
    this.element.classList.toggle('claimed-other', Boolean(holder))
    if (holder) {
      this.claimNote.querySelector('.claim-text').textContent = t(
        '{name} is changing the amounts of this line', { name: holder.name || '?' })
      paint(this.claimNote, holder.color, '--peer')
    }
  }

  /** What the editor may do here: the whole draft, its taxes, and this line's amounts. */
  setAccess ({ editable, canEditTax }) {
    const amountsOpen = editable && !this.claimedByOther
    this.inputs.description.readOnly = !editable || !this.binding
    for (const field of AMOUNT_FIELDS) {
      const taxOk = this.inputs[field].dataset.tax !== 'true' || canEditTax
      this.inputs[field].readOnly = !(amountsOpen && taxOk)
    }
    this.inputs.unit.disabled = !editable
    this.deleteButton.disabled = !amountsOpen
  }

  /** Mark fields with the server's problems: field -> message. */
  setProblems (problems) {
    for (const [field, cell] of Object.entries(this.cells)) {
      markProblem(cell, this.inputs[field], problems.get(field))
    }
  }

  destroy () {
    this.binding?.destroy()
    this.element.remove()
  }
}

export class LinesTable {
  /**
   * @param {import('../editor.js').EditorView} view
   * @param {HTMLElement} root the editor's root element
   */
  constructor (view, root) {
    this.view = view
    this.body = root.querySelector('#lines-body')
    this.template = /** @type {HTMLTemplateElement} */ (root.querySelector('#line-template'))
    this.emptyRow = root.querySelector('#lines-empty')
    /** @type {Map<string, LineRow>} */
    this.rows = new Map()
    this.session = null
    this.onChange = () => this.render()
  }

  attach (session) {
    this.detach()
    this.session = session
    session.lines.observeDeep(this.onChange)
    this.render()
  }

  detach () {
    if (this.session) this.session.lines.unobserveDeep(this.onChange)
    for (const row of this.rows.values()) row.destroy()
    this.rows.clear()
    this.session = null
  }

  render () {
    const seen = new Set()
    let previous = null
    // Rows added, removed or moved need their net, problems and access shown again.
    let reshaped = false
    this.session.lines.forEach((ymap, index) => {
      if (!(ymap instanceof Y.Map)) return
      let id = String(ymap.get('id') ?? `#${index}`)
      if (seen.has(id)) id = `${id}#${index}`
      seen.add(id)
      let row = this.rows.get(id)
      if (row && row.ymap !== ymap) {
        row.destroy()
        row = undefined
      }
      if (!row) {
        row = new LineRow(this, ymap, id)
        this.rows.set(id, row)
        reshaped = true
      } else {
        row.update()
      }
      // Move only what is out of place: moving the focused row would drop its focus.
      const expected = previous ? previous.nextElementSibling : this.body.firstElementChild
      if (expected !== row.element) {
        this.body.insertBefore(row.element, expected)
        reshaped = true
      }
      previous = row.element
    })
    for (const [id, row] of this.rows) {
      if (!seen.has(id)) {
        row.destroy()
        this.rows.delete(id)
        reshaped = true
      }
    }
    if (this.rows.size === 0) {
      this.emptyRow.querySelector('td').textContent = t('No lines yet. Add the first one.')
      this.body.append(this.emptyRow)
    } else {
      this.emptyRow.remove()
    }
    if (reshaped) this.view.linesChanged()
  }

  /** A value field changed in the page. */
  typed (row, field) {
    if (!this.view.editable) {
      row.update(true)
      return
    }
    if (!AMOUNT_FIELDS.includes(field)) {
      row.write(field)
      return
    }
    const claims = this.view.claims
    if (claims.isHeld(row.id)) {
      row.write(field)
      return
    }
    row.pending.set(field, row.typed(field))
    claims.take(row.id)
  }

  rowOf (element) {
    const id = element?.closest?.('tr.line')?.dataset.lineId
    return id === undefined ? null : this.rows.get(id) ?? null
  }

  indexOf (id) {
    let found = -1
    this.session.lines.forEach((ymap, index) => {
      if (found < 0 && ymap instanceof Y.Map && String(ymap.get('id')) === id) found = index
    })
    return found
  }

  /** Add a line after `afterId` (or at the end) and put the caret in its description. */
  addLine (afterId = null, defaults = {}) {
    const lines = this.session.lines
    const afterIndex = afterId ? this.indexOf(afterId) : lines.length - 1
    const previous = afterIndex >= 0 ? lines.get(afterIndex) : null
    const line = new Y.Map()
    const id = randomKey(6)
    // Filled before it is inserted, so that the server sees one new line (a change to
    // "lines") rather than changes to the fields of an existing line.
    line.set('id', id)
    line.set('description', new Y.Text())
    line.set('quantity', '1')
    line.set('unit', (previous instanceof Y.Map && previous.get('unit')) || DEFAULT_UNIT)
    line.set('unit_price', '')
    const rate = previous instanceof Y.Map ? previous.get('vat_rate') : defaults.vatRate
    if (rate !== undefined && rate !== null && rate !== '') line.set('vat_rate', String(rate))
    line.set('discount', '')
    lines.insert(afterIndex + 1, [line])
    this.focus(id, 'description')
    return id
  }

  removeLine (id) {
    const index = this.indexOf(id)
    if (index < 0) return
    const neighbour = this.session.lines.get(index - 1) ?? this.session.lines.get(index + 1)
    this.session.lines.delete(index, 1)
    if (neighbour instanceof Y.Map) this.focus(String(neighbour.get('id')), 'description')
  }

  focus (id, field) {
    const input = this.rows.get(id)?.inputs[field]
    if (!input) return
    input.focus()
    if (typeof input.setSelectionRange === 'function' && input.tagName !== 'SELECT') {
      input.setSelectionRange(input.value.length, input.value.length)
    }
  }
}
