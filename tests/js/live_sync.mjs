// A device that syncs a library with y-websocket's stock provider, as a web or mobile companion
// would:  node live_sync.mjs WS_URL LIBRARY_ID TOKEN KEY WAIT_FOR
//   connects to WS_URL/LIBRARY_ID?token=TOKEN, waits for the first sync, sets user[KEY] = true
//   (unless KEY is "-"), waits until user[WAIT_FOR] is there (unless "-"), then prints
//   {"user": <the user map>} and leaves.
// On a closed connection it prints {"closed": CODE, "reason": REASON} and leaves.
import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'
import WebSocket from 'ws'

const [url, library, token, key, waitFor] = process.argv.slice(2)
const doc = new Y.Doc()
const user = doc.getMap('user')
const provider = new WebsocketProvider(url, library, doc, {
  params: { token }, WebSocketPolyfill: WebSocket, disableBc: true, maxBackoffTime: 100000
})
const deadline = setTimeout(() => { console.log(JSON.stringify({ timeout: user.toJSON() })); process.exit(3) }, 30000)

let finished = false
function finish (value) {
  if (finished) return
  finished = true
  clearTimeout(deadline)
  console.log(JSON.stringify(value))
  // closing lets what was sent go first; leave once the socket is closed
  const ws = provider.ws
  provider.destroy()
  if (!ws || ws.readyState === WebSocket.CLOSED) process.exit(0)
  ws.on('close', () => process.exit(0))
  setTimeout(() => process.exit(0), 5000).unref()
}

provider.on('connection-close', event => {
  if (event && event.code >= 4000) finish({ closed: event.code, reason: event.reason })
})

provider.once('sync', () => {
  // "!KEY" writes a value no device would read (a string where a tag's yes/no goes)
  if (key.startsWith('!')) user.set(key.slice(1), 'not a yes or no')
  else if (key !== '-') user.set(key, true)
  const check = () => {
    if (waitFor !== '-' && !user.has(waitFor)) return
    if (!key.startsWith('!')) finish({ user: user.toJSON() })
  }
  user.observe(check)
  check()
})
