namespace LogAgent.Core.Prometheus;

/// <summary>A metric family's type, as the <c># TYPE</c> line of the text exposition format names it.</summary>
public enum MetricType
{
    Counter,
    Gauge,
    Summary,
    Histogram,
}
