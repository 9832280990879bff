// What the invoice owes besides its lines: document allowances and charges (the `charges`
// array of maps) and the payment terms and amount already paid (the `payment` map). Only the
// roles that may change taxes may change these; the server refuses the others' updates.

import * as Y from 'yjs'

import { randomKey } from '../lib/api.js'
import { markProblem } from '../lib/dom.js'
import { toDocumentDecimal, toShownDecimal } from '../lib/format.js'

const CHARGE_FIELDS = Object.freeze(['is_charge', 'reason', 'vat_rate', 'amount'])
const DECIMAL_FIELDS = new Set(['vat_rate', 'amount', 'prepaid'])

const stored = (ymap, field) => {
  const value = ymap.get(field)
  return value === undefined || value === null ? '' : String(value)
}

/** What the document keeps for what was typed: decimals with a point, text as it is. */
const documentValue = (field, typed) =>
  DECIMAL_FIELDS.has(field) ? toDocumentDecimal(typed) : typed

/** Show a stored value in its field, unless its user is typing there. */
const show = (input, field, value) => {
  if (input.tagName === 'SELECT') {
    if (input.value !== value) input.value = value
    return
  }
  if (document.activeElement === input) return
  if (documentValue(field, input.value) !== value) {
    input.value = DECIMAL_FIELDS.has(field) ? toShownDecimal(value) : value
  }
}

class ChargeRow {
  constructor (section, ymap, id) {
    this.ymap = ymap
    this.id = id
    this.element = section.template.content.firstElementChild.cloneNode(true)
    this.element.dataset.chargeId = id
    this.inputs = {}
    for (const input of this.element.querySelectorAll('[data-charge-field]')) {
      this.inputs[input.dataset.chargeField] = input
    }
    this.cells = {}
    for (const cell of this.element.querySelectorAll('.cell[data-field]')) {
      this.cells[cell.dataset.field] = cell
    }
    this.deleteButton = this.element.querySelector('.charge-delete')
    for (const field of CHARGE_FIELDS) {
      const input = this.inputs[field]
      input.addEventListener(input.tagName === 'SELECT' ? 'change' : 'input',
        () => section.typed(this, field))
    }
    this.update()
  }

  update () {
    // Imports write "True"/"False"; anything else reads as an allowance, as the server does.
    const kind = ['true', '1'].includes(stored(this.ymap, 'is_charge').toLowerCase())
    show(this.inputs.is_charge, 'is_charge', kind ? 'True' : 'False')
    for (const field of ['reason', 'vat_rate', 'amount']) {
      show(this.inputs[field], field, stored(this.ymap, field))
    }
  }

  setAccess (editable) {
    this.inputs.is_charge.disabled = !editable
    for (const field of ['reason', 'vat_rate', 'amount']) this.inputs[field].readOnly = !editable
    this.deleteButton.disabled = !editable
  }

  setProblems (problems) {
    for (const [field, cell] of Object.entries(this.cells)) {
      markProblem(cell, this.inputs[field], problems.get(field))
    }
  }
}

export class ChargesSection {
  /**
   * @param {import('../editor.js').EditorView} view
   * @param {HTMLElement} root
   */
  constructor (view, root) {
    this.view = view
    this.section = root.querySelector('#charges')
    this.body = root.querySelector('#charges-body')
    this.table = root.querySelector('.charge-table')
    this.template = root.querySelector('#charge-template')
    this.addButton = root.querySelector('#add-charge')
    /** @type {Map<string, ChargeRow>} */
    this.rows = new Map()
    this.session = null
    this.editable = false
    this.onChange = () => this.render()
    this.addButton.addEventListener('click', () => this.add())
    this.body.addEventListener('click', (event) => {
      const row = this.rowOf(event.target.closest('.charge-delete'))
      if (row && this.editable) this.remove(row.id)
    })
  }

  attach (session) {
    this.detach()
    this.session = session
    session.charges.observeDeep(this.onChange)
    this.render()
  }

  detach () {
    if (this.session) this.session.charges.unobserveDeep(this.onChange)
    for (const row of this.rows.values()) row.element.remove()
    this.rows.clear()
    this.session = null
  }

  render () {
    const seen = new Set()
    const elements = []
    this.session.charges.forEach((ymap, index) => {
      if (!(ymap instanceof Y.Map)) return
      let id = String(ymap.get('id') ?? `#${index}`)
      if (seen.has(id)) id = `${id}#${index}`
      seen.add(id)
      let row = this.rows.get(id)
      if (!row || row.ymap !== ymap) {
        row = new ChargeRow(this, ymap, id)
        this.rows.set(id, row)
        row.setAccess(this.editable)
      } else {
        row.update()
      }
      elements.push(row.element)
    })
    for (const id of [...this.rows.keys()]) if (!seen.has(id)) this.rows.delete(id)
    // Reorder only when needed: replacing the rows would take the focus from the one typed in.
    const current = [...this.body.children]
    if (current.length !== elements.length || current.some((el, i) => el !== elements[i])) {
      this.body.replaceChildren(...elements)
    }
    this.showSection()
  }

  showSection () {
    this.section.hidden = this.rows.size === 0 && !this.editable
    this.table.hidden = this.rows.size === 0
  }

  typed (row, field) {
    if (!this.editable) {
      row.update()
      return
    }
    const value = documentValue(field, row.inputs[field].value)
    if (value !== stored(row.ymap, field)) row.ymap.set(field, value)
  }

  add () {
    if (!this.editable || !this.session) return
    const charge = new Y.Map()
    const id = randomKey(6)
    // The first line's rate and category: a shipping charge is taxed as what it ships.
    const first = this.session.lines.get(0)
    const rate = first instanceof Y.Map ? first.get('vat_rate') : this.view.config.defaultVatRate
    charge.set('id', id)
    charge.set('is_charge', 'True')
    charge.set('reason', '')
    charge.set('amount', '')
    charge.set('vat_rate', rate === undefined || rate === null ? '' : String(rate))
    const category = first instanceof Y.Map ? first.get('vat_category') : null
    if (category) charge.set('vat_category', String(category))
    this.session.charges.push([charge])
    this.rows.get(id)?.inputs.reason.focus()
  }

  remove (id) {
    const index = this.session.charges.toArray()
      .findIndex((ymap) => ymap instanceof Y.Map && String(ymap.get('id')) === id)
    if (index >= 0) this.session.charges.delete(index, 1)
  }

  rowOf (element) {
    const id = element?.closest?.('tr.charge')?.dataset.chargeId
    return id === undefined ? null : this.rows.get(id) ?? null
  }

  setAccess (editable) {
    this.editable = editable
    for (const row of this.rows.values()) row.setAccess(editable)
    this.addButton.hidden = !editable
    this.showSection()
  }

  /** Problems by position ("charges.2.amount"): position -> field -> message. */
  setProblems (byPosition) {
    [...this.rows.values()].forEach((row, index) => {
      row.setProblems(byPosition.get(index + 1) ?? new Map())
    })
  }
}

export class PaymentFields {
  /**
   * @param {HTMLElement} root
   */
  constructor (root) {
    this.box = root.querySelector('#terms')
    this.inputs = [...root.querySelectorAll('[data-payment]')]
    this.session = null
    this.editable = false
    this.onChange = () => this.update()
    for (const input of this.inputs) {
      input.addEventListener('input', () => this.typed(input))
    }
  }

  attach (session) {
    this.detach()
    this.session = session
    session.payment.observe(this.onChange)
    this.update()
  }

  detach () {
    this.session?.payment.unobserve(this.onChange)
    this.session = null
  }

  typed (input) {
    const key = input.dataset.payment
    if (!this.session || !this.editable) {
      this.update()
      return
    }
    const value = documentValue(key, input.value)
    if (value !== stored(this.session.payment, key)) this.session.payment.set(key, value)
  }

  update () {
    if (!this.session) return
    for (const input of this.inputs) {
      const key = input.dataset.payment
      show(input, key, stored(this.session.payment, key))
    }
    this.showBox()
  }

  showBox () {
    // Read-only and empty: nothing to say, so nothing shown.
    const empty = this.inputs.every((input) => input.value.trim() === '')
    this.box.hidden = !this.editable && empty
  }

  setAccess (editable) {
    this.editable = editable
    for (const input of this.inputs) {
      input.disabled = false
      input.readOnly = !editable
    }
    this.showBox()
  }
}
