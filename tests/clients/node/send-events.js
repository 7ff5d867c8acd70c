// Sends events to a forward server with @fluent-org/logger, for tests/LogAgent.Tests/Forward/NodeFluentLoggerTests.cs.
// argv: a JSON object {port, tag, eventMode, ack, sharedKey?, username?, password?,
//                      events: [{label, sec, nsec, record}]}.
// Every emit's promise resolves only once the server acked it when `ack` is on; any rejection fails the process.
'use strict';
const { FluentClient, EventTime } = require('@fluent-org/logger');

async function main() {
  const spec = JSON.parse(process.argv[2]);
  const options = {
    socket: { host: '127.0.0.1', port: spec.port, timeout: 10000 },
    eventMode: spec.eventMode,
  };
  if (spec.ack) options.ack = { ackTimeout: 10000 };
  if (spec.sharedKey) {
    options.security = { clientHostname: 'node-client', sharedKey: spec.sharedKey, username: spec.username, password: spec.password };
  }
  const client = new FluentClient(spec.tag, options);
  await Promise.all(spec.events.map(e => client.emit(e.label, e.record, new EventTime(e.sec, e.nsec))));
  await client.disconnect();
  console.log(`sent ${spec.events.length}`);
}

main().catch(e => {
  console.error(e && e.stack ? e.stack : e);
  process.exit(1);
});
