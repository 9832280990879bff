// Hocuspocus with no extension (no persistence), as a peer for the benchmarks.
// Usage: node hocuspocus.mjs HOST PORT
import { Server } from '@hocuspocus/server'

const [host = '127.0.0.1', port = '1234'] = process.argv.slice(2)

const server = new Server({ address: host, port: Number(port), quiet: true })
await server.listen()
console.log(`hocuspocus listening on ${host}:${port}`)
