namespace LogAgent.Core.Buffers;

/// <summary>
/// The buffer is full and overflow_action is throw_exception: the events were not accepted, and the input is told
/// (forward sends no ack, so the client resends). fluentd: Fluent::Plugin::Buffer::BufferOverflowError.
/// </summary>
public sealed class BufferOverflowException(string message) : IOException(message);
