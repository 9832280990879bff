// The totals panel and each line's net, as the server's calculator computed them (the
// `totals` of its awareness entry, or of the page until that arrives). The browser formats;
// it never computes an amount.

import { compareDecimal } from '../lib/decimal.js'
import { h } from '../lib/dom.js'
import { money, number } from '../lib/format.js'
import { labels, t } from '../lib/i18n.js'

const isZero = (amount) => amount === undefined || amount === null || amount === '' ||
  compareDecimal(amount, '0') === 0

export class TotalsView {
  constructor (root) {
    this.root = root
    this.net = root.querySelector('#total-net')
    this.vat = root.querySelector('#total-vat')
    this.gross = root.querySelector('#total-gross')
    this.breakdown = root.querySelector('#vat-breakdown')
  }

  /**
   * @param {{net: string, vat: string, gross: string, vat_breakdown?: Array<object>}|null} totals
   *   as the server's calculator sends them: decimal strings with the currency's digits
   * @param {string} currency
   */
  render (totals, currency) {
    if (!totals) return
    this.net.textContent = money(totals.net, currency)
    this.vat.textContent = money(totals.vat, currency)
    this.gross.textContent = money(totals.gross, currency)
    this.optional('allowances', totals.allowance_total, currency, '−')
    this.optional('charges', totals.charge_total, currency, '+')
    this.optional('prepaid', totals.prepaid, currency, '−')
    // What is left to pay only differs from the total when something was paid already.
    this.optional('due', isZero(totals.prepaid) ? null : totals.due, currency)
    const mentions = labels('mentions')
    this.breakdown.replaceChildren(...(totals.vat_breakdown ?? []).map((part) => {
      const base = money(part.base, currency)
      const label = t('VAT {rate} % on {base}', { rate: number(part.rate), base })
      const row = h('div', { class: 'row sub', 'data-category': part.category ?? '' },
        h('dt', {}, label), h('dd', {}, money(part.amount, currency)))
      // A category without VAT must say why (intra-EU supply, export...): the invoice prints
      // it, so the editor shows it under its row.
      const mention = part.exemption_reason || mentions[part.category]
      if (!mention) return row
      return h('div', { class: 'vat-part' }, row, h('div', { class: 'vat-mention' }, mention))
    }))
  }

  /** A row shown only when its amount is not zero ("Charges + 12,00 €"). */
  optional (name, amount, currency, sign = '') {
    const row = this.root.querySelector(`#row-${name}`)
    if (!row) return
    row.hidden = isZero(amount)
    if (!row.hidden) {
      // The sign says which way the amount goes; the amount is shown without its own.
      const shown = sign ? `${sign} ${money(String(amount).replace(/^-/, ''), currency)}`
        : money(amount, currency)
      this.root.querySelector(`#total-${name}`).textContent = shown
    }
  }
}
