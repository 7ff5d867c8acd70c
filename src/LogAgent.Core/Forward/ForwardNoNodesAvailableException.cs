namespace LogAgent.Core.Forward;

/// <summary>No server is available for a write (out_forward error.rb NoNodesAvailable); the chunk is retried.</summary>
public sealed class ForwardNoNodesAvailableException(string message) : IOException(message);
