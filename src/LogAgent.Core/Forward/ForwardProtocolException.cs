namespace LogAgent.Core.Forward;

/// <summary>
/// A frame that breaks the forward protocol (not an array of 2–4 elements, a tag that is not a string, bytes that are
/// not msgpack). The receiver cannot know where the next frame starts, so it closes that one connection.
/// </summary>
public sealed class ForwardProtocolException(string message, Exception? inner = null) : Exception(message, inner);
