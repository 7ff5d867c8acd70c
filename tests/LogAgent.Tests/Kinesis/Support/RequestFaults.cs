namespace LogAgent.Tests.Kinesis.Support;

/// <summary>
/// The faults both stand-ins inject into whole requests; change them at any time from the test. Each fraction is the
/// chance (0..1) for each request, drawn from the stand-in's one seeded random sequence (<see cref="FaultDice"/>).
/// </summary>
public abstract class RequestFaults
{
    /// <summary>Requests answered HTTP 500 <c>InternalFailure</c>.</summary>
    public double InternalErrorFraction { get; set; }
    /// <summary>Requests answered HTTP 503 <c>ServiceUnavailableException</c>.</summary>
    public double ServiceUnavailableFraction { get; set; }
    /// <summary>Requests throttled, with the error the service gives (see the subclass).</summary>
    public double ThrottleFraction { get; set; }
    /// <summary>Requests whose connection is reset before anything is stored.</summary>
    public double ResetFraction { get; set; }
    /// <summary>Added before each request is handled.</summary>
    public TimeSpan Latency { get; set; }

    public virtual void Clear()
    {
        InternalErrorFraction = ServiceUnavailableFraction = ThrottleFraction = ResetFraction = 0;
        Latency = TimeSpan.Zero;
    }

    /// <summary>
    /// Waits the latency, then draws the whole-request faults in order (reset, 500, 503, throttle) and counts the one
    /// injected; null when the request is to be served.
    /// </summary>
    internal async Task<StandInResponse?> InjectAsync(FaultDice dice, StandInCounters counters, string internalFailureMessage,
        Func<StandInResponse> throttled, CancellationToken cancellationToken)
    {
        if (Latency > TimeSpan.Zero) await Task.Delay(Latency, cancellationToken);
        if (dice.Roll(ResetFraction))
        {
            Interlocked.Increment(ref counters.resets);
            return StandInResponse.Reset;
        }
        if (dice.Roll(InternalErrorFraction))
        {
            Interlocked.Increment(ref counters.internalErrors);
            return StandInResponse.AwsError(500, "InternalFailure", internalFailureMessage);
        }
        if (dice.Roll(ServiceUnavailableFraction))
        {
            Interlocked.Increment(ref counters.serviceUnavailable);
            return StandInResponse.AwsError(503, "ServiceUnavailableException", "Service Unavailable. Please try again later.");
        }
        if (dice.Roll(ThrottleFraction))
        {
            Interlocked.Increment(ref counters.throttles);
            return throttled();
        }
        return null;
    }
}

/// <summary>What a stand-in did to whole requests, counted as it happened.</summary>
public abstract class StandInCounters
{
    internal long requests, signatureFailures, internalErrors, serviceUnavailable, throttles, resets;

    public long Requests => Interlocked.Read(ref requests);
    public long SignatureFailures => Interlocked.Read(ref signatureFailures);
    public long InternalErrors => Interlocked.Read(ref internalErrors);
    public long ServiceUnavailable => Interlocked.Read(ref serviceUnavailable);
    public long Throttles => Interlocked.Read(ref throttles);
    public long Resets => Interlocked.Read(ref resets);
}
