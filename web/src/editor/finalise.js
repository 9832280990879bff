// Finalising from the editor: a confirmation, then POST /api/invoices/{id}/finalize, then the
// number the invoice received or the list of what blocks it.
//
// A draft whose values the server cannot read (its `problems`) is not offered for
// finalisation: the dialog lists the problems instead, each one a link to its field, and has
// no confirm button. A total that leaves out the unread lines is never asked about.

import { api, randomKey } from '../lib/api.js'
import { h } from '../lib/dom.js'
import { t } from '../lib/i18n.js'
import { problemText } from '../lib/problems.js'

export class FinaliseDialog {
  /**
   * @param {HTMLElement} root
   * @param {object} options
   * @param {string} options.apiPath
   * @param {() => string} options.total the formatted total to confirm
   * @param {() => Array<object>} options.problems the server's problems of the draft now
   * @param {(problem: object) => HTMLElement|null} options.locate a problem's field on the page
   * @param {(number: string) => void} options.done
   */
  constructor (root, { apiPath, total, problems, locate, done }) {
    this.dialog = /** @type {HTMLDialogElement} */ (root.querySelector('#finalise-dialog'))
    this.apiPath = apiPath
    this.total = total
    this.currentProblems = problems
    this.locate = locate
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
    this.result.hidden = true
    this.confirm.disabled = false
    this.confirm.textContent = t('Finalise')
    this.cancel.textContent = t('Cancel')
    this.ask()
    this.dialog.showModal()
  }

  /** The question, or what to fix first, as the server sees the draft now. */
  ask () {
    this.asking = true
    const problems = this.currentProblems()
    if (problems.length > 0) {
      this.showProblems(t('This draft cannot be finalised yet:'), problems)
    } else {
      this.title.textContent = this.questionTitle
      this.dialog.querySelector('#finalise-total').textContent = this.total()
      this.question.hidden = false
      this.problems.hidden = true
      this.confirm.hidden = false
    }
  }

  /** The server's view of the draft changed: an open question follows it. */
  draftChanged () {
    if (this.dialog.open && this.asking && !this.confirm.disabled) this.ask()
  }

  async submit () {
    this.asking = false
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
      this.showProblems(t('This draft cannot be finalised yet:'), response.data.problems)
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

  /** What blocks finalising, each problem a link to its field when it has one here. */
  showProblems (title, problems) {
    this.title.textContent = t('Not ready to finalise')
    this.question.hidden = true
    this.problems.hidden = false
    this.dialog.querySelector('#finalise-problems-title').textContent = title
    const list = this.dialog.querySelector('#finalise-problem-list')
    list.replaceChildren(...problems.map((problem) => {
      const text = problemText(problem)
      const field = this.locate(problem)
      if (!field) return h('li', {}, text)
      const button = h('button', { type: 'button', class: 'problem-link' }, text)
      button.addEventListener('click', () => {
        this.dialog.close()
        field.scrollIntoView({ block: 'center' })
        field.focus()
      })
      return h('li', {}, button)
    }))
    this.confirm.hidden = true
  }
}
