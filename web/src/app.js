// Loaded by every page: gives avatars their person's colour. Colours are data, and the strict
// CSP forbids style attributes in the HTML, so they arrive as data-color and are set here.
// The administration page's hash chain and the invoice list's import are set up here too:
// neither needs a module of its own.

import { paint } from './lib/dom.js'
import { ImportControl } from './importer.js'
import { showLedger } from './ledger.js'

for (const element of document.querySelectorAll('[data-color]')) {
  paint(element, element.dataset.color)
}

const ledger = document.getElementById('ledger')
if (ledger) showLedger(ledger)

const importForm = document.getElementById('import-form')
if (importForm) new ImportControl(importForm) // eslint-disable-line no-new
