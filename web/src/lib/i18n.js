// Messages of the browser modules, translated by the server into the reader's language.
// The page carries them in <script type="application/json" id="i18n">, keyed by their English
// text (the list lives in invoicer/server/i18n.py, BROWSER_MESSAGES); a message missing
// there shows in English.

let messages = null
let labelTables = null

const readJson = (id) => {
  const element = document.getElementById(id)
  if (!element) return {}
  try {
    return JSON.parse(element.textContent)
  } catch {
    return {}
  }
}

/**
 * `message` in the reader's language, with its {placeholders} filled from `values`.
 * @param {string} message
 * @param {Record<string, string|number>} [values]
 */
export const t = (message, values = {}) => {
  if (messages === null) messages = readJson('i18n')
  const text = messages[message] ?? message
  return text.replace(/\{(\w+)\}/g, (whole, name) => name in values ? String(values[name]) : whole)
}

/**
 * A translated label table given by the page (statuses, roles, field names...).
 * @param {string} table
 * @returns {Record<string, string>}
 */
export const labels = (table) => {
  if (labelTables === null) labelTables = readJson('labels')
  return labelTables[table] ?? {}
}
