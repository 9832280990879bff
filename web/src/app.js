// Loaded by every page: gives avatars their person's colour. Colours are data, and the strict
// CSP forbids style attributes in the HTML, so they arrive as data-color and are set here.
// The administration page's hash chain is read here too: it needs no module of its own.

import { paint } from './lib/dom.js'
import { showLedger } from './ledger.js'

for (const element of document.querySelectorAll('[data-color]')) {
  paint(element, element.dataset.color)
}

const ledger = document.getElementById('ledger')
if (ledger) showLedger(ledger)
