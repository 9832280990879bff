// Loaded by every page: gives avatars their person's colour. Colours are data, and the strict
// CSP forbids style attributes in the HTML, so they arrive as data-color and are set here.

import { paint } from './lib/dom.js'

for (const element of document.querySelectorAll('[data-color]')) {
  paint(element, element.dataset.color)
}
