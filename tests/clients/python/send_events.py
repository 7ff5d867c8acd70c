# Sends events to a forward server with Debian's python3-fluent-logger, for
# tests/LogAgent.Tests/Forward/PythonFluentLoggerTests.cs.
# argv[1]: a JSON object {port, api: "sender"|"event", nanos: bool, times: [int or float, ...]}.
# Event i (from 1) has the time times[i-1] and the record below; the event API also sends one event with the
# library's default time. Exits non-zero when the library reports an error.
import json
import sys

from fluent import event, sender


def record(i):
    return {'seq': i, 'msg': 'héllo wörld ✓ 日本語 🎉', 'nested': {'list': [1, 2.5, None, True]}, 'big': 2 ** 40 + i}


spec = json.loads(sys.argv[1])
times = spec['times']
if spec['api'] == 'sender':
    s = sender.FluentSender('py.sender', host='127.0.0.1', port=spec['port'], nanosecond_precision=spec['nanos'])
    for i, t in enumerate(times, 1):
        if not s.emit_with_time('timed', t, record(i)):
            sys.exit('emit failed: %r' % s.last_error)
    s.close()
else:
    sender.setup('py.event', host='127.0.0.1', port=spec['port'], nanosecond_precision=spec['nanos'])
    for i, t in enumerate(times, 1):
        event.Event('timed', record(i), time=t)
    event.Event('default', record(len(times) + 1))
    s = sender.get_global_sender()
    if s.last_error is not None:
        sys.exit('emit failed: %r' % s.last_error)
    if s.pendings:
        sys.exit('events left unsent: %d bytes' % len(s.pendings))
    sender.close()
print('sent %d' % (len(times) + (0 if spec['api'] == 'sender' else 1)))
