namespace LogAgent.Tests.Support;

/// <summary>A clock that moves only when a test sets or advances it, for schedules computed from "now".</summary>
public sealed class ManualTimeProvider(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;

    public void Advance(TimeSpan by) => Now += by;
}
