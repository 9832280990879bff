// The header of the draft (customer, dates, currency, language, reference: values of the
// `meta` map) and its notes (a Y.Text bound character by character).
//
// Dates stay "YYYY-MM-DD" in the document and in the date inputs, which the browser draws in
// its own locale; the date is also written out in the reader's language next to its input,
// so that "01/03/2027" cannot be read two ways.

import { markProblem } from '../lib/dom.js'
import { day } from '../lib/format.js'
import { TextBinding } from '../lib/textbinding.js'
import { ensureOption } from './lines.js'

export class HeaderFields {
  /**
   * @param {import('../editor.js').EditorView} view
   * @param {HTMLElement} root
   */
  constructor (view, root) {
    this.view = view
    this.inputs = [...root.querySelectorAll('[data-meta]')]
    const cells = root.querySelectorAll('.paper-head .cell, .parties .cell, .paper-foot .cell')
    this.cells = new Map([...cells].map((cell) => [cell.dataset.field, cell]))
    this.notes = root.querySelector('#f-notes')
    this.customerDetail = root.querySelector('#customer-detail')
    this.datesShown = new Map([...root.querySelectorAll('[data-date-for]')]
      .map((element) => [element.dataset.dateFor, element]))
    this.session = null
    this.notesBinding = null
    this.onMeta = () => this.update()
    for (const input of this.inputs) {
      const event = input.tagName === 'SELECT' || input.type === 'date' ? 'change' : 'input'
      input.addEventListener(event, () => this.typed(input))
    }
  }

  attach (session) {
    this.detach()
    this.session = session
    session.meta.observe(this.onMeta)
    const mayWrite = () => this.view.editable
    this.notesBinding = new TextBinding(session.notes, this.notes, { mayWrite })
    this.update()
  }

  detach () {
    if (!this.session) return
    this.session.meta.unobserve(this.onMeta)
    this.notesBinding?.destroy()
    this.notesBinding = null
    this.session = null
  }

  typed (input) {
    if (!this.session || !this.view.editable) {
      this.update()
      return
    }
    const key = input.dataset.meta
    if (input.value !== (this.session.meta.get(key) ?? '')) this.session.meta.set(key, input.value)
    if (key === 'customer_id') this.showCustomer()
    this.showDates()
  }

  update () {
    if (!this.session) return
    for (const input of this.inputs) {
      const value = this.session.meta.get(input.dataset.meta)
      const text = value === undefined || value === null ? '' : String(value)
      if (input.tagName === 'SELECT') ensureOption(input, text)
      if (input.value === text) continue
      // A remote change to the reference keeps the caret of whoever is typing in it.
      const focused = document.activeElement === input && input.type === 'text'
      const caret = focused ? input.selectionStart : null
      input.value = text
      if (focused) input.setSelectionRange(caret, caret)
    }
    this.showCustomer()
    this.showDates()
  }

  showDates () {
    for (const [key, element] of this.datesShown) {
      const input = this.inputs.find((candidate) => candidate.dataset.meta === key)
      const value = input?.value ?? ''
      const text = /^\d{4}-\d{2}-\d{2}$/.test(value) ? day(value) : ''
      if (element.textContent !== text) element.textContent = text
      // An empty date that cannot be changed shows nothing rather than "mm/dd/yyyy".
      input?.classList.toggle('is-empty', value === '')
    }
  }

  showCustomer () {
    const select = this.inputs.find((input) => input.dataset.meta === 'customer_id')
    const option = select?.selectedOptions[0]
    this.customerDetail.textContent = option?.dataset.detail ?? ''
  }

  setAccess ({ editable, canEditTax }) {
    for (const input of this.inputs) {
      const allowed = editable && (input.dataset.tax !== 'true' || canEditTax)
      if (input.tagName === 'SELECT' || input.type === 'date') input.disabled = !allowed
      else {
        input.disabled = false
        input.readOnly = !allowed
      }
    }
    this.notes.disabled = false
    this.notes.readOnly = !editable
  }

  /** Header problems: field -> message ("customer_id", "due_date", "payment.prepaid"...). */
  setProblems (problems) {
    for (const [field, cell] of this.cells) {
      markProblem(cell, cell.querySelector('.in'), problems.get(field))
    }
  }
}
