// The administration page's view of the hash chain (GET /api/ledger): verified now, intact
// or broken at the first invoice that does not match.

import { api } from './lib/api.js'
import { t } from './lib/i18n.js'

const setText = (root, selector, text) => {
  root.querySelector(selector).textContent = text
}

/** @param {HTMLElement} root the #ledger card */
export const showLedger = async (root) => {
  const state = root.querySelector('#ledger-state')
  let answer
  try {
    answer = await api('GET', root.dataset.apiPath)
  } catch {
    answer = { ok: false, data: null }
  }
  const chain = answer.data
  if (!answer.ok || !chain) {
    state.dataset.state = 'unknown'
    state.textContent = t('The chain could not be verified.')
    return
  }
  if (chain.ok) {
    state.dataset.state = 'ok'
    state.textContent = chain.length
      ? t('The chain is intact: every issued invoice is as it was issued.')
      : t('No invoice has been issued yet.')
  } else {
    const broken = chain.first_break ?? {}
    state.dataset.state = 'broken'
    state.textContent = t('The chain is broken at {number}: {reason}',
      { number: broken.number ?? '?', reason: broken.reason ?? '' })
  }
  if (!chain.length) return
  root.querySelector('#ledger-facts').hidden = false
  setText(root, '#ledger-count', t('{count} of {length}',
    { count: chain.count, length: chain.length }))
  setText(root, '#ledger-number', chain.last_number ?? '—')
  setText(root, '#ledger-hash', chain.last_hash ?? '—')
}
