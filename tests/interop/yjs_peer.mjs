// A standard Yjs client (npm yjs + y-websocket, unmodified) driven by commands on stdin.
// Usage: node yjs_peer.mjs WS_URL INVOICE_ID TOKEN NAME
// Each stdin line is a JSON command; each stdout line is a JSON event.
import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'
import WebSocket from 'ws'
import readline from 'node:readline'

const [url, room, token, name] = process.argv.slice(2)
const doc = new Y.Doc()
const provider = new WebsocketProvider(url, room, doc, {
  params: { token },
  WebSocketPolyfill: WebSocket,
  disableBc: true
})
const emit = (event) => process.stdout.write(JSON.stringify(event) + '\n')

const snapshot = () => ({
  meta: doc.getMap('meta').toJSON(),
  notes: doc.getText('notes').toString(),
  lines: doc.getArray('lines').toArray().map((line) => line.toJSON())
})
const people = () => Array.from(provider.awareness.getStates().entries())
  .filter(([id, state]) => id !== doc.clientID && state.user)
  .map(([, state]) => ({ name: state.user.name, focus: state.focus || null }))

provider.on('sync', (synced) => { if (synced) emit({ event: 'synced', doc: snapshot() }) })
provider.on('status', ({ status }) => emit({ event: 'status', status }))
provider.on('closed', ({ code, reason }) => emit({ event: 'closed', code, reason }))
provider.awareness.setLocalStateField('user', { name, color: '#123456' })

const lineById = (id) => doc.getArray('lines').toArray().find((line) => line.get('id') === id)

const commands = {
  snapshot: () => emit({ event: 'snapshot', doc: snapshot(), people: people() }),
  focus: ({ line_id, field }) => provider.awareness.setLocalStateField('focus', { line_id, field }),
  type: ({ line_id, text, at }) => {
    // one transaction per character, as a person types
    const description = lineById(line_id).get('description')
    let position = at === 'end' ? description.length : (at || 0)
    for (const ch of text) { description.insert(position, ch); position += 1 }
  },
  set: ({ line_id, field, value }) => lineById(line_id).set(field, value),
  notes: ({ text }) => doc.getText('notes').insert(doc.getText('notes').length, text),
  add_line: ({ id, description }) => {
    const line = new Y.Map()
    line.set('id', id)
    line.set('description', new Y.Text(description || ''))
    line.set('quantity', '1')
    line.set('unit_price', '10.00')
    line.set('vat_rate', '20')
    doc.getArray('lines').push([line])
  },
  quit: () => { provider.destroy(); emit({ event: 'bye' }); setTimeout(() => process.exit(0), 50) }
}

readline.createInterface({ input: process.stdin }).on('line', (line) => {
  if (!line.trim()) return
  const command = JSON.parse(line)
  try {
    commands[command.do](command)
    emit({ event: 'done', do: command.do })
  } catch (error) {
    emit({ event: 'error', do: command.do, message: String(error) })
  }
})
