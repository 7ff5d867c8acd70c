namespace LogAgent.Cat;

/// <summary>Standard input held something that is not an event; the message names the line (or msgpack value).</summary>
public sealed class CatInputException(string message) : Exception(message);
