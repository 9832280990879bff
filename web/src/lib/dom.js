// Small DOM helpers. Nothing here writes HTML from strings: text goes in with textContent.

const COLOUR = /^#[0-9a-fA-F]{3,8}$/

/**
 * Create an element with attributes and children (strings become text nodes).
 * @param {string} tag
 * @param {Record<string, string|boolean|undefined>} [attributes]
 * @param {...(Node|string|null|undefined)} children
 */
export const h = (tag, attributes = {}, ...children) => {
  const element = document.createElement(tag)
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue
    if (name === 'class') element.className = String(value)
    else element.setAttribute(name, value === true ? '' : String(value))
  }
  for (const child of children) {
    if (child === null || child === undefined) continue
    element.append(typeof child === 'string' ? document.createTextNode(child) : child)
  }
  return element
}

/**
 * Give an element a person's colour through a CSS custom property (CSSOM, so the strict CSP
 * that forbids style attributes still allows it). Anything but a hex colour is ignored.
 */
export const paint = (element, colour, property = '--who') => {
  if (typeof colour === 'string' && COLOUR.test(colour)) element.style.setProperty(property, colour)
}

/** The avatar of a person: their initials on their colour, their name on hover. */
export const avatar = (name, colour, text, small = false) => {
  const element = h('span', { class: small ? 'avatar sm' : 'avatar', title: name }, text)
  paint(element, colour)
  return element
}

/** Show a short message in the corner for a few seconds. */
export const toast = (container, message, kind = 'info', duration = 6000) => {
  if (!container) return
  const role = kind === 'error' ? 'alert' : 'status'
  const element = h('div', { class: `toast ${kind}`, role }, message)
  container.append(element)
  setTimeout(() => element.remove(), duration)
}

/** The WebSocket address of a path on this server (ws: or wss: as the page). */
export const socketUrl = (path) => {
  const scheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:'
  return `${scheme}//${window.location.host}${path}`
}

/**
 * Mark a field with its problem (or clear it: message null). An empty field that needs a
 * value is marked as missing, a field whose value is wrong as an error; both say why.
 * @param {HTMLElement} cell the `.cell` around the field
 * @param {HTMLInputElement|HTMLSelectElement|HTMLTextAreaElement|null|undefined} input
 * @param {string|null|undefined} message
 */
export const markProblem = (cell, input, message) => {
  const empty = !input || String(input.value ?? '').trim() === ''
  cell.classList.toggle('has-error', Boolean(message) && !empty)
  cell.classList.toggle('is-missing', Boolean(message) && empty)
  let note = cell.querySelector('.field-error')
  if (!message) {
    note?.remove()
    input?.removeAttribute('aria-invalid')
    return
  }
  if (!note) {
    note = h('span', { class: 'field-error' })
    cell.append(note)
  }
  if (note.textContent !== message) note.textContent = message
  input?.setAttribute('aria-invalid', 'true')
}

const SVG = 'http://www.w3.org/2000/svg'
// An open eye: someone who watches or views without editing.
const EYE_PATH = 'M1.5 8s2.5-4.5 6.5-4.5S14.5 8 14.5 8 12 12.5 8 12.5 1.5 8 1.5 8z' +
  'M8 10a2 2 0 1 0 0-4 2 2 0 0 0 0 4z'

/** The eye icon, decorative (the text next to it says the same). */
export const eyeIcon = () => {
  const svg = document.createElementNS(SVG, 'svg')
  svg.setAttribute('viewBox', '0 0 16 16')
  svg.setAttribute('aria-hidden', 'true')
  svg.setAttribute('class', 'icon-eye')
  const path = document.createElementNS(SVG, 'path')
  path.setAttribute('d', EYE_PATH)
  path.setAttribute('fill', 'none')
  path.setAttribute('stroke', 'currentColor')
  path.setAttribute('stroke-width', '1.4')
  svg.append(path)
  return svg
}
