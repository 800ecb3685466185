// A device written with nothing but yjs and y-protocols' sync module, syncing over the server's
// HTTP route: its body is y-protocols' messages alone, as that module writes them.
//   node sync_http.mjs URL TOKEN KEY   -> pulls the library, sets user[KEY] = true, pushes it,
//                                        prints {"user": <the user map it pulled>}
import * as Y from 'yjs'
import * as syncProtocol from 'y-protocols/sync'
import * as encoding from 'lib0/encoding'
import * as decoding from 'lib0/decoding'

const [url, token, key] = process.argv.slice(2)
const doc = new Y.Doc()

async function sync (updates) {
  const request = encoding.createEncoder()
  syncProtocol.writeSyncStep1(request, doc)
  for (const update of updates) syncProtocol.writeUpdate(request, update)
  const response = await fetch(url + '/v1/sync', {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/octet-stream' },
    body: encoding.toUint8Array(request)
  })
  if (!response.ok) throw new Error(`${response.status} ${await response.text()}`)
  const reply = decoding.createDecoder(new Uint8Array(await response.arrayBuffer()))
  while (decoding.hasContent(reply)) {
    syncProtocol.readSyncMessage(reply, encoding.createEncoder(), doc, 'server')
  }
}

await sync([])
const pulled = doc.getMap('user').toJSON()
const edits = []
doc.on('update', update => edits.push(update))
doc.getMap('user').set(key, true)
await sync(edits)
console.log(JSON.stringify({ user: pulled }))
