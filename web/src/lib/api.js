// Requests to the REST API with the session cookie of the page.

const csrfToken = () =>
  document.querySelector('meta[name="csrf-token"]')?.getAttribute('content') ?? ''

/** The answer's status and JSON body (null when it has none, as a 204). */
const answerOf = async (response) => {
  let data = null
  try {
    data = await response.json()
  } catch {
    data = null
  }
  return { status: response.status, ok: response.ok, data }
}

/**
 * @param {string} method
 * @param {string} path
 * @param {object} [options]
 * @param {unknown} [options.body]
 * @param {Record<string, string>} [options.headers]
 * @param {boolean} [options.keepalive] let the request finish after the page is gone
 * @returns {Promise<{status: number, ok: boolean, data: any}>}
 */
export const api = async (method, path, { body, headers = {}, keepalive = false } = {}) => {
  const response = await fetch(path, {
    method,
    credentials: 'same-origin',
    keepalive,
    headers: {
      Accept: 'application/json',
      'X-CSRF-Token': csrfToken(),
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      ...headers
    },
    body: body === undefined ? undefined : JSON.stringify(body)
  })
  return answerOf(response)
}

/**
 * POST a file as multipart/form-data (the browser writes the boundary of the Content-Type).
 * @param {string} path
 * @param {string} field the form field the server reads the file from
 * @param {File} file
 * @returns {Promise<{status: number, ok: boolean, data: any}>}
 */
export const postFile = async (path, field, file) => {
  const form = new FormData()
  form.append(field, file, file.name)
  const response = await fetch(path, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { Accept: 'application/json', 'X-CSRF-Token': csrfToken() },
    body: form
  })
  return answerOf(response)
}

/** A random key, to make a request idempotent or name a new line. */
export const randomKey = (bytes = 6) => {
  // getRandomValues, unlike randomUUID, also works on a plain-http address other than localhost.
  const random = crypto.getRandomValues(new Uint8Array(bytes))
  return Array.from(random, (byte) => byte.toString(16).padStart(2, '0')).join('')
}
