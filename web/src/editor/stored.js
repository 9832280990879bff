// An issued invoice or credit note as it was stored at finalisation (GET /api/invoices/{id}),
// in the shape of a draft document. Issued documents have no live draft to read (a credit
// note never had one, and an invoice's draft may lack what finalisation settled, such as its
// date of supply), so the editor's fields are filled from this local copy, never sent anywhere.

import * as Y from 'yjs'

const text = (value) => value === undefined || value === null ? '' : String(value)

const filledMap = (entries) => {
  const map = new Y.Map()
  for (const [key, value] of Object.entries(entries)) map.set(key, value)
  return map
}

const lineMap = (line) => {
  const description = new Y.Text()
  description.insert(0, text(line.description))
  return filledMap({
    id: text(line.id),
    description,
    quantity: text(line.quantity),
    unit: text(line.unit),
    unit_price: text(line.unit_price),
    vat_rate: text(line.vat_rate),
    discount: text(line.discount),
    vat_category: text(line.vat_category)
  })
}

const chargeMap = (charge, index) => filledMap({
  id: `charge-${index}`,
  is_charge: charge.is_charge === true || text(charge.is_charge).toLowerCase() === 'true'
    ? 'True' : 'False',
  amount: text(charge.amount),
  reason: text(charge.reason),
  vat_category: text(charge.vat_category),
  vat_rate: text(charge.vat_rate)
})

/** The parts of a draft session the editor's fields read: meta, notes, lines, charges, payment. */
export class StoredDocument {
  /** @param {object} invoice an issued invoice of GET /api/invoices/{id} */
  constructor (invoice) {
    this.invoice = invoice
    this.doc = new Y.Doc()
    this.meta = this.doc.getMap('meta')
    this.notes = this.doc.getText('notes')
    this.lines = this.doc.getArray('lines')
    this.charges = this.doc.getArray('charges')
    this.payment = this.doc.getMap('payment')
    this.doc.transact(() => this.fill(invoice))
  }

  fill (invoice) {
    const meta = {
      customer_id: invoice.customer_id,
      currency: invoice.currency,
      issue_date: invoice.issue_date,
      due_date: invoice.due_date,
      // The date of supply printed on the invoice: the issue date when none was given.
      delivery_date: invoice.delivery_date || invoice.issue_date,
      reference: invoice.reference,
      language: invoice.language
    }
    for (const [key, value] of Object.entries(meta)) this.meta.set(key, text(value))
    this.notes.insert(0, text(invoice.notes))
    this.lines.push((invoice.lines ?? []).map(lineMap))
    this.charges.push((invoice.charges ?? []).map(chargeMap))
    this.payment.set('terms', text(invoice.payment?.terms))
    this.payment.set('reference', text(invoice.payment?.reference))
    const prepaid = text(invoice.totals?.prepaid)
    if (/[1-9]/.test(prepaid)) this.payment.set('prepaid', prepaid)
  }

  destroy () {
    this.doc.destroy()
  }
}
