// The invoice list's import: an e-invoice file (UBL or CII) chosen by the reader is posted to
// POST /api/imports, and the new draft opens in its editor. A file the server cannot read is
// refused whole (nothing is created) with a message that names the element: it is shown next
// to the control, and the reader can choose another file.

import { postFile } from './lib/api.js'
import { t } from './lib/i18n.js'

const MEBIBYTE = 1024 * 1024

export class ImportControl {
  /** @param {HTMLFormElement} form the #import-form of the invoice list */
  constructor (form) {
    this.form = form
    this.input = /** @type {HTMLInputElement} */ (form.querySelector('input[type=file]'))
    this.label = form.querySelector('.file-button-text')
    this.error = document.getElementById(form.dataset.errorId)
    this.idleText = this.label.textContent
    this.maxBytes = Number(form.dataset.maxBytes) || 5 * MEBIBYTE
    this.input.addEventListener('change', () => this.chosen())
    // Without this module the form has nowhere to go: it only ever sends through fetch.
    form.addEventListener('submit', (event) => event.preventDefault())
  }

  async chosen () {
    const file = this.input.files?.[0]
    if (!file) return
    if (file.size > this.maxBytes) {
      this.fail(t('The file is over {size} MiB: an e-invoice is much smaller.',
        { size: Math.floor(this.maxBytes / MEBIBYTE) }))
      return
    }
    this.busy(true)
    let answer
    try {
      answer = await postFile(this.form.dataset.apiPath, 'file', file)
    } catch {
      answer = { ok: false, status: 0, data: null }
    }
    if (answer.ok && answer.data?.id) {
      window.location.assign(`/invoices/${encodeURIComponent(answer.data.id)}`)
      return
    }
    this.busy(false)
    this.fail(this.refusal(file.name, answer))
  }

  /** Why the file was not imported, in the server's words where it gave some. */
  refusal (name, answer) {
    if (answer.status === 0) return t('The server could not be reached. Try again in a moment.')
    const message = answer.data?.message ?? String(answer.status)
    return t('{file} could not be imported: {message}', { file: name, message })
  }

  busy (busy) {
    this.form.setAttribute('aria-busy', String(busy))
    this.input.disabled = busy
    this.label.textContent = busy ? t('Importing…') : this.idleText
    if (busy) this.error.hidden = true
  }

  fail (message) {
    this.error.textContent = message
    this.error.hidden = false
    // The same file, corrected, can be chosen again.
    this.input.value = ''
  }
}
