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
