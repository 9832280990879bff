// The totals panel and each line's net, as the server's calculator computed them (the
// `totals` of its awareness entry). The browser formats; it never computes an amount.

import { h } from '../lib/dom.js'
import { money, number } from '../lib/format.js'
import { t } from '../lib/i18n.js'

export class TotalsView {
  constructor (root) {
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
    this.breakdown.replaceChildren(...(totals.vat_breakdown ?? []).map((part) => {
      const base = money(part.base, currency)
      const label = t('VAT {rate} % on {base}', { rate: number(part.rate), base })
      // A rate of 0 must say why (export, reverse charge...): the invoice prints it.
      const reason = part.exemption_reason ? ` · ${part.exemption_reason}` : ''
      return h('div', { class: 'row sub' },
        h('dt', {}, label + reason), h('dd', {}, money(part.amount, currency)))
    }))
  }
}
