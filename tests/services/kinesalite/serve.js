// Starts kinesalite (in memory) on 127.0.0.1 only: its stock CLI has no --host option and listens on every
// interface. Usage: node serve.js [port] — port 0 (the default) lets the kernel pick a free one, so there is no
// race between choosing a port and binding it. Prints "Listening at http://127.0.0.1:PORT" once it accepts
// connections; tests/LogAgent.Tests/Kinesis/Support/KinesaliteServer.cs waits for that line.
'use strict'

const kinesalite = require('kinesalite')

const port = Number(process.argv[2] || 0)
const server = kinesalite({
  // Streams become ACTIVE (and are deleted or resharded) at once instead of after kinesalite's default 500 ms.
  createStreamMs: 0,
  deleteStreamMs: 0,
  updateStreamMs: 0,
  // kinesalite's default account-wide shard limit is 10; the benchmark and tests stay well under 50.
  shardLimit: 50,
})

server.listen(port, '127.0.0.1', () => {
  const address = server.address()
  console.log(`Listening at http://${address.address}:${address.port}`)
})

// The test process kills us on dispose; end cleanly on the usual signals too.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(0))
