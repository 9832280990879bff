// Problems of a draft in the reader's language. The server sends each problem with a stable
// `code` and the `params` of its message (invoicing/draft.py PROBLEM_MESSAGES); the page gives
// the message of every code, translated, in its label table "problems". A problem without a
// known code (the legal checks of finalisation) is shown by its message, translated when the
// page knows that sentence.

import { number } from './format.js'
import { labels, t } from './i18n.js'

// Params that are numbers, written the reader's way ("5,5" in French).
const NUMERIC_PARAMS = new Set(['rate'])
const CHARGE_FIELD = /^charges\.(\d+)\.(\w+)$/

const fill = (template, params) => template.replace(/\{(\w+)\}/g, (whole, name) => {
  if (!(name in params)) return whole
  const value = String(params[name])
  return NUMERIC_PARAMS.has(name) ? number(value) : value
})

/** "Taux de TVA" from "vat_rate": the capitalised label the editor's headers use too. */
export const fieldLabel = (field) => {
  const fields = labels('fields')
  const name = String(field ?? '')
  const charge = CHARGE_FIELD.exec(name)
  return fields[name] ?? (charge ? fields[charge[2]] ?? charge[2] : name)
}

/** What is wrong, without where: "« abc » n’est pas un nombre". */
export const problemMessage = (problem) => {
  const template = labels('problems')[problem?.code]
  if (template) return fill(template, problem.params ?? {})
  return t(String(problem?.message ?? ''))
}

/** Whether the problem's message is a whole sentence that names its subject itself. */
const standsAlone = (problem) => !labels('problems')[problem?.code]

/** "Ligne 2 · Prix unitaire : « abc » n’est pas un nombre", for lists of problems. */
export const problemText = (problem) => {
  const message = problemMessage(problem)
  if (standsAlone(problem)) return message
  const field = fieldLabel(problem.field)
  if (problem.line) {
    return t('Line {line} · {field}: {message}', { line: problem.line, field, message })
  }
  const charge = CHARGE_FIELD.exec(String(problem.field ?? ''))
  if (charge) {
    return t('Allowance or charge {index} · {field}: {message}',
      { index: charge[1], field, message })
  }
  return t('{field}: {message}', { field, message })
}

/** The warning of a draft with problems, whose total may leave values out. */
export const problemsLabel = (count) => count === 1
  ? t('1 value to fix: the total may be incomplete.')
  : t('{count} values to fix: the total may be incomplete.', { count })
