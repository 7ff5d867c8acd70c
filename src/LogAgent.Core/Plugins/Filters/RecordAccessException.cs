namespace LogAgent.Core.Plugins.Filters;

/// <summary>
/// A record accessor could not walk the record: it tried to index into a string or a number, or used a key on an
/// array. Ruby's <c>Hash#dig</c> raises TypeError in those cases, and each fluentd plugin decides what that means
/// (grep passes the record on, remove_keys ignores it).
/// </summary>
public sealed class RecordAccessException : Exception
{
    public RecordAccessException(string message) : base(message) { }
}
