namespace LogAgent.Core.Forward;

/// <summary>
/// The server acked a different chunk id than the one sent. out_forward's ack_handler treats this (CHUNKID_UNMATCHED)
/// apart from a missing ack: the chunk is retried, but the server is not regarded as unavailable.
/// </summary>
public sealed class ForwardAckMismatchException(string message) : IOException(message);
