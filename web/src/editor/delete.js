// Deleting a draft from its editor: a confirmation, then DELETE /api/invoices/{id}. The server
// tells the draft's other open editors (its status becomes "deleted") and the boards (the row
// is removed); this page goes back to the invoice list.

import { api } from '../lib/api.js'
import { t } from '../lib/i18n.js'

export class DeleteDialog {
  /**
   * @param {HTMLElement} root
   * @param {object} options
   * @param {string} options.apiPath "/api/invoices/{id}"
   * @param {() => void} options.done the draft is gone
   */
  constructor (root, { apiPath, done }) {
    this.dialog = /** @type {HTMLDialogElement} */ (root.querySelector('#delete-dialog'))
    this.apiPath = apiPath
    this.done = done
    this.confirm = this.dialog.querySelector('#delete-confirm')
    this.error = this.dialog.querySelector('#delete-error')
    this.confirmText = this.confirm.textContent
    this.confirm.addEventListener('click', () => this.submit())
  }

  open () {
    this.error.hidden = true
    this.confirm.hidden = false
    this.confirm.disabled = false
    this.confirm.textContent = this.confirmText
    this.dialog.showModal()
  }

  /** The draft stopped being one (finalised, or deleted by someone else): nothing to ask. */
  close () {
    if (this.dialog.open) this.dialog.close()
  }

  async submit () {
    this.confirm.disabled = true
    this.confirm.textContent = t('Deleting…')
    let response
    try {
      response = await api('DELETE', this.apiPath)
    } catch (error) {
      response = { ok: false, status: 0, data: { message: String(error) } }
    }
    if (response.ok) {
      this.done()
      return
    }
    this.confirm.textContent = this.confirmText
    this.error.textContent = response.status === 409
      ? t('This invoice is no longer a draft: it can no longer be deleted.')
      : t('Deleting failed: {message}', { message: response.data?.message ?? response.status })
    this.error.hidden = false
    this.confirm.hidden = true
  }
}
