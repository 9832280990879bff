// An issued invoice's page: its documents (exports), what was paid and credited (the
// `settlement` of GET /api/invoices/{id}), recording a payment and issuing a credit note.

import { api } from '../lib/api.js'
import { addDecimal, compareDecimal } from '../lib/decimal.js'
import { h, toast } from '../lib/dom.js'
import { day, money, toDocumentDecimal, toShownDecimal } from '../lib/format.js'
import { labels, t } from '../lib/i18n.js'

const DECIMAL = /^\d+(\.\d+)?$/
// Statuses where nothing more can be paid.
const SETTLED = new Set(['paid', 'cancelled'])

const positive = (amount) => DECIMAL.test(String(amount ?? '')) && compareDecimal(amount, '0') > 0
const negated = (amount) => String(amount).startsWith('-') ? String(amount).slice(1)
  : `-${amount}`
const unsigned = (amount) => String(amount ?? '0').replace(/^-/, '')

/**
 * What a credit note of everything not yet credited amounts to, and what the customer is owed
 * back after it: the credit note cancels the invoice's full amount, so whatever was paid
 * beyond what is left to pay becomes the customer's credit.
 * @returns {{amount: string, owedBack: string}}
 */
export const creditOutcome = (invoice) => {
  const settlement = invoice?.settlement ?? {}
  const gross = invoice?.totals?.gross ?? '0'
  const amount = addDecimal(gross, negated(unsigned(settlement.credited)))
  const owedBack = addDecimal(amount, negated(settlement.outstanding ?? '0'))
  return { amount, owedBack: positive(owedBack) ? owedBack : '0' }
}

export class IssuedPanel {
  /**
   * @param {HTMLElement} root the editor's root element
   * @param {object} options
   * @param {string} options.apiPath "/api/invoices/{id}"
   * @param {HTMLElement} options.toasts
   * @param {(status: string) => void} options.statusChanged
   * @param {(invoice: object) => void} options.loaded the invoice as stored was read
   */
  constructor (root, { apiPath, toasts, statusChanged, loaded }) {
    this.section = root.querySelector('#issued')
    this.apiPath = apiPath
    this.toasts = toasts
    this.statusChanged = statusChanged
    this.loaded = loaded
    this.canPay = this.section.dataset.canPay === 'true'
    this.canCredit = this.section.dataset.canCredit === 'true'
    this.invoice = null
    this.shown = false
    this.settlement = this.section.querySelector('#settlement')
    this.history = this.section.querySelector('#settle-history')
    this.corrects = this.section.querySelector('#issued-corrects')
    this.form = this.section.querySelector('#payment-form')
    this.creditButton = this.section.querySelector('#credit-button')
    this.dialog = root.querySelector('#credit-dialog')
    this.form?.addEventListener('submit', (event) => {
      event.preventDefault()
      this.pay()
    })
    this.creditButton?.addEventListener('click', () => this.askCredit())
    this.dialog?.querySelector('#credit-confirm').addEventListener('click', () => this.credit())
  }

  get currency () {
    return this.invoice?.currency ?? 'EUR'
  }

  /** Show the panel (the invoice is issued) and read its settlement. */
  show () {
    if (this.shown) return
    this.shown = true
    this.section.hidden = false
    this.load()
  }

  async load () {
    let answer
    try {
      answer = await api('GET', this.apiPath)
    } catch {
      return
    }
    if (answer.ok && answer.data) this.render(answer.data)
  }

  render (invoice) {
    this.invoice = invoice
    const settlement = invoice.settlement ?? {}
    const due = invoice.totals?.due ?? invoice.totals?.gross
    this.setAmount('#settle-due', due)
    this.setAmount('#settle-paid', settlement.paid)
    this.setAmount('#settle-credited', settlement.credited)
    this.setAmount('#settle-outstanding', settlement.outstanding)
    this.settlement.setAttribute('aria-busy', 'false')
    // A credit note is owed to the customer, not by them: it has nothing to settle here.
    this.settlement.hidden = String(invoice.type_code) === '381'

    this.renderHistory(settlement)
    this.renderCorrects(invoice.corrects)

    const open = !SETTLED.has(invoice.status) && positive(settlement.outstanding)
    if (this.form) {
      const wasHidden = this.form.hidden
      this.form.hidden = !(this.canPay && open)
      const amount = this.form.querySelector('#pay-amount')
      if (wasHidden || !amount.value) amount.value = toShownDecimal(settlement.outstanding ?? '')
    }
    if (this.creditButton) {
      // Something is left to credit: the amount due is not credited in full yet.
      const left = settlement.credited === undefined ||
        compareDecimal(String(settlement.credited).replace(/^-/, ''), String(due)) < 0
      this.creditButton.hidden = !(this.canCredit && invoice.status !== 'cancelled' && left)
    }
    if (invoice.status) this.statusChanged(invoice.status)
    this.loaded?.(invoice)
  }

  setAmount (selector, amount) {
    this.section.querySelector(selector).textContent = money(amount, this.currency)
  }

  renderHistory (settlement) {
    const methods = labels('methods')
    const payments = (settlement.payments ?? []).map((payment) => h('li', {},
      h('span', { class: 'history-what' }, t('Payment of {amount}',
        { amount: money(payment.amount, payment.currency || this.currency) })),
      h('span', { class: 'history-detail' },
        [day(payment.date), methods[payment.method] ?? payment.method].filter(Boolean)
          .join(' · '))))
    const notes = (settlement.credit_notes ?? []).map((note) => h('li', {},
      h('span', { class: 'history-what' }, t('Credit note'), ' ',
        h('a', { href: `/invoices/${encodeURIComponent(note.id)}` }, note.number ?? '')),
      h('span', { class: 'history-detail' }, money(note.due, this.currency))))
    this.history.replaceChildren(...payments, ...notes)
    this.history.hidden = payments.length + notes.length === 0
  }

  renderCorrects (corrects) {
    this.corrects.hidden = !corrects
    if (!corrects) return
    const link = h('a', { href: `/invoices/${encodeURIComponent(corrects.id)}` },
      corrects.number ?? '')
    this.corrects.replaceChildren(t('Credit note for invoice'), ' ', link)
  }

  // -- a payment ---------------------------------------------------------------------------

  async pay () {
    const amountInput = this.form.querySelector('#pay-amount')
    const amount = toDocumentDecimal(amountInput.value)
    const outstanding = this.invoice?.settlement?.outstanding
    if (!positive(amount)) {
      this.payError(t('Enter an amount above zero, such as {example}.',
        { example: toShownDecimal('120.50') }))
      return
    }
    if (outstanding && compareDecimal(amount, outstanding) > 0) {
      this.payError(t('That is more than the {amount} outstanding.',
        { amount: money(outstanding, this.currency) }))
      return
    }
    const body = {
      amount,
      date: this.form.querySelector('#pay-date').value,
      method: this.form.querySelector('#pay-method').value
    }
    const submit = this.form.querySelector('#pay-submit')
    submit.disabled = true
    let answer
    try {
      answer = await api('POST', `${this.apiPath}/payments`, { body })
    } catch (error) {
      answer = { ok: false, status: 0, data: { message: String(error) } }
    }
    submit.disabled = false
    if (!answer.ok) {
      this.payError(t('The payment was refused: {message}',
        { message: answer.data?.message ?? answer.status }))
      return
    }
    this.payError(null)
    amountInput.value = ''
    this.render(answer.data.invoice)
    toast(this.toasts, t('Payment of {amount} recorded.',
      { amount: money(amount, this.currency) }), 'info')
  }

  payError (message) {
    const note = this.form.querySelector('#pay-error')
    note.hidden = !message
    note.textContent = message ?? ''
    this.form.querySelector('#pay-amount').toggleAttribute('aria-invalid', Boolean(message))
  }

  // -- a credit note -----------------------------------------------------------------------

  askCredit () {
    const { amount, owedBack } = creditOutcome(this.invoice)
    this.dialog.querySelector('#credit-total').textContent = money(amount, this.currency)
    const refund = this.dialog.querySelector('#credit-refund')
    refund.hidden = !positive(owedBack)
    refund.textContent = refund.hidden ? ''
      : t('{amount} already paid will be owed back to the customer (a customer credit).',
        { amount: money(owedBack, this.currency) })
    this.dialog.querySelector('#credit-question').hidden = false
    this.dialog.querySelector('#credit-result').hidden = true
    this.dialog.querySelector('#credit-error').hidden = true
    const confirm = this.dialog.querySelector('#credit-confirm')
    confirm.hidden = false
    confirm.disabled = false
    this.dialog.querySelector('#credit-cancel').textContent = t('Cancel')
    this.dialog.showModal()
  }

  async credit () {
    const confirm = this.dialog.querySelector('#credit-confirm')
    confirm.disabled = true
    let answer
    try {
      answer = await api('POST', `${this.apiPath}/credit-note`, { body: {} })
    } catch (error) {
      answer = { ok: false, status: 0, data: { message: String(error) } }
    }
    confirm.disabled = false
    const error = this.dialog.querySelector('#credit-error')
    if (!answer.ok) {
      error.hidden = false
      error.textContent = t('The credit note was refused: {message}',
        { message: answer.data?.message ?? answer.status })
      return
    }
    this.dialog.querySelector('#credit-question').hidden = true
    this.dialog.querySelector('#credit-result').hidden = false
    const number = this.dialog.querySelector('#credit-number')
    number.textContent = answer.data.number ?? ''
    number.href = `/invoices/${encodeURIComponent(answer.data.id)}`
    confirm.hidden = true
    this.dialog.querySelector('#credit-cancel').textContent = 'OK'
    this.load()
  }
}
