namespace LogAgent.Tests.Support;

/// <summary>A clock that always says the same instant, for parsers that fill in "now" (year-less times, no time at all).</summary>
public sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
