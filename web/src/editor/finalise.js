// Finalising from the editor: a confirmation, then POST /api/invoices/{id}/finalize, then the
// number the invoice received or the list of what blocks it.

import { api, randomKey } from '../lib/api.js'
import { h } from '../lib/dom.js'
import { t, labels } from '../lib/i18n.js'

/** "Line 2, unit price: «abc» is not a number", in the reader's language where known. */
export const problemText = (problem) => {
  const fields = labels('fields')
  const field = fields[problem.field] ?? problem.field
  const message = t(problem.message ?? '')
  return problem.line
    ? t('Line {line}, {field}: {message}', { line: problem.line, field, message })
    : t('{field}: {message}', { field, message })
}

export class FinaliseDialog {
  /**
   * @param {HTMLElement} root
   * @param {object} options
   * @param {string} options.apiPath
   * @param {() => string} options.total the formatted total to confirm
   * @param {(number: string) => void} options.done
   */
  constructor (root, { apiPath, total, done }) {
    this.dialog = /** @type {HTMLDialogElement} */ (root.querySelector('#finalise-dialog'))
    this.apiPath = apiPath
    this.total = total
    this.done = done
    this.question = this.dialog.querySelector('#finalise-question')
    this.problems = this.dialog.querySelector('#finalise-problems')
    this.result = this.dialog.querySelector('#finalise-result')
    this.confirm = this.dialog.querySelector('#finalise-confirm')
    this.cancel = this.dialog.querySelector('#finalise-cancel')
    this.title = this.dialog.querySelector('#finalise-title')
    this.questionTitle = this.title.textContent
    this.confirm.addEventListener('click', () => this.submit())
  }

  open () {
    // One key per confirmation: a retried request is the same finalisation, not a second one.
    this.key = randomKey(16)
    this.title.textContent = this.questionTitle
    this.dialog.querySelector('#finalise-total').textContent = this.total()
    this.question.hidden = false
    this.problems.hidden = true
    this.result.hidden = true
    this.confirm.hidden = false
    this.confirm.disabled = false
    this.confirm.textContent = t('Finalise')
    this.cancel.textContent = t('Cancel')
    this.dialog.showModal()
  }

  async submit () {
    this.confirm.disabled = true
    this.confirm.textContent = t('Finalising…')
    let response
    try {
      const headers = { 'Idempotency-Key': this.key }
      response = await api('POST', `${this.apiPath}/finalize`, { headers })
    } catch (error) {
      response = { ok: false, status: 0, data: { message: String(error) } }
    }
    this.confirm.textContent = t('Finalise')
    if (response.ok) {
      this.showNumber(response.data?.number ?? '')
      return
    }
    if (response.status === 422 && Array.isArray(response.data?.problems)) {
      const problems = response.data.problems.map(problemText)
      this.showProblems(t('This draft cannot be finalised yet:'), problems)
      return
    }
    const message = response.status === 409
      ? t('The invoice is already finalised.')
      : t('Finalising failed: {message}', { message: response.data?.message ?? response.status })
    this.showProblems(message, [])
  }

  showNumber (number) {
    this.question.hidden = true
    this.problems.hidden = true
    this.result.hidden = false
    this.title.textContent = t('Invoice finalised')
    this.dialog.querySelector('#finalise-result-text').textContent = t('It received the number')
    this.dialog.querySelector('#finalise-number').textContent = number
    this.confirm.hidden = true
    this.cancel.textContent = 'OK'
    this.done(number)
  }

  showProblems (title, items) {
    this.question.hidden = true
    this.problems.hidden = false
    this.dialog.querySelector('#finalise-problems-title').textContent = title
    const list = this.dialog.querySelector('#finalise-problem-list')
    list.replaceChildren(...items.map((text) => h('li', {}, text)))
    this.confirm.hidden = true
  }
}
