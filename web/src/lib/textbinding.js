// Binds an <input> or <textarea> to a Y.Text, character by character.
//
// Local typing: the difference between the value before and after an `input` event becomes
// one delete and one insert on the Y.Text, placed where the caret says (so typing "a" into
// "aa" inserts at the caret, not at the end). Remote edits: the field takes the new text and
// the local caret and selection stay on the same characters, through Yjs relative positions
// captured just before the remote transaction applies.

import * as Y from 'yjs'

/**
 * Where old and new differ: [start, deleted, inserted text]. `caret` is where the caret is
 * after the edit; it settles the ambiguity of repeated characters.
 * @param {string} before
 * @param {string} after
 * @param {number} caret
 */
export const textChange = (before, after, caret) => {
  const grown = Math.max(after.length - before.length, 0)
  const prefixLimit = Math.min(before.length, after.length, Math.max(caret - grown, 0))
  let start = 0
  while (start < prefixLimit && before[start] === after[start]) start++
  const suffixLimit = Math.min(before.length, after.length) - start
  let end = 0
  const same = (offset) => before[before.length - 1 - offset] === after[after.length - 1 - offset]
  while (end < suffixLimit && same(end)) end++
  return [start, before.length - start - end, after.slice(start, after.length - end)]
}

export class TextBinding {
  /**
   * @param {Y.Text} ytext
   * @param {HTMLInputElement|HTMLTextAreaElement} element
   * @param {object} [options]
   * @param {(ytext: Y.Text) => boolean} [options.mayWrite] asked before each local change
   */
  constructor (ytext, element, { mayWrite = () => true } = {}) {
    this.ytext = ytext
    this.element = element
    this.doc = /** @type {Y.Doc} */ (ytext.doc)
    this.mayWrite = mayWrite
    this.value = ytext.toString()
    this.saved = null
    this.composing = false
    element.value = this.value

    this.onInput = () => this.applyLocal()
    this.onCompositionStart = () => { this.composing = true }
    this.onCompositionEnd = () => {
      this.composing = false
      this.applyLocal()
      this.showRemote()
    }
    this.onBeforeTransaction = (transaction) => {
      if (transaction.origin !== this) this.saveSelection()
    }
    this.onText = (_event, transaction) => {
      if (transaction.origin !== this) this.showRemote()
    }
    element.addEventListener('input', this.onInput)
    element.addEventListener('compositionstart', this.onCompositionStart)
    element.addEventListener('compositionend', this.onCompositionEnd)
    this.doc.on('beforeTransaction', this.onBeforeTransaction)
    ytext.observe(this.onText)
  }

  applyLocal () {
    const after = this.element.value
    if (after === this.value) return
    if (!this.mayWrite(this.ytext)) {
      this.element.value = this.value
      return
    }
    const caret = this.element.selectionEnd ?? after.length
    const [start, deleted, inserted] = textChange(this.value, after, caret)
    this.doc.transact(() => {
      if (deleted > 0) this.ytext.delete(start, deleted)
      if (inserted) this.ytext.insert(start, inserted)
    }, this)
    this.value = after
  }

  saveSelection () {
    if (document.activeElement !== this.element) {
      this.saved = null
      return
    }
    const { selectionStart, selectionEnd, selectionDirection } = this.element
    this.saved = {
      start: Y.createRelativePositionFromTypeIndex(this.ytext, selectionStart ?? 0),
      end: Y.createRelativePositionFromTypeIndex(this.ytext, selectionEnd ?? 0),
      direction: selectionDirection ?? 'none'
    }
  }

  showRemote () {
    const text = this.ytext.toString()
    // An IME composition in progress owns the field; the remote text is shown when it ends.
    if (this.composing || text === this.element.value) {
      this.value = this.composing ? this.value : text
      return
    }
    const saved = this.saved
    this.element.value = text
    this.value = text
    if (saved && document.activeElement === this.element) {
      const start = Y.createAbsolutePositionFromRelativePosition(saved.start, this.doc)
      const end = Y.createAbsolutePositionFromRelativePosition(saved.end, this.doc)
      if (start && end) this.element.setSelectionRange(start.index, end.index, saved.direction)
    }
    this.saved = null
  }

  destroy () {
    this.element.removeEventListener('input', this.onInput)
    this.element.removeEventListener('compositionstart', this.onCompositionStart)
    this.element.removeEventListener('compositionend', this.onCompositionEnd)
    this.doc.off('beforeTransaction', this.onBeforeTransaction)
    this.ytext.unobserve(this.onText)
  }
}
