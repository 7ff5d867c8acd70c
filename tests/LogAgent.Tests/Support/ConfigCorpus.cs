using LogAgent.Core.Config;

namespace LogAgent.Tests.Support;

/// <summary>
/// The shared corpus of real fluentd configs (../shared/corpus/configs, described by its INDEX.md) and the
/// environment fluentd was given when INDEX.md classified them.
/// </summary>
public static class ConfigCorpus
{
    public static string Directory => Path.Combine(RepoPaths.SharedCorpus, "configs");

    // INDEX.md, column "env set for dry-run": the variables fluentd was given for these files.
    public static readonly IReadOnlyDictionary<string, string> Environment = new Dictionary<string, string>
    {
        ["FLUENT_KINESIS_STREAMS_STREAM_NAME"] = "k8s-container-logs",
        ["FLUENT_FORWARD_HOST"] = "10.100.0.10",
        ["FLUENT_FORWARD_PORT"] = "24224",
        ["FLUENT_ELASTICSEARCH_HOST"] = "elasticsearch.logging.svc.cluster.local",
        ["FLUENT_ELASTICSEARCH_PORT"] = "9200",
        ["FLUENT_ELASTICSEARCH_PATH"] = "",
        ["KUBERNETES_CA_FILE"] = "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt",
        ["KUBERNETES_SERVICE_HOST"] = "10.96.0.1",
        ["KUBERNETES_SERVICE_PORT"] = "443",
        ["GCP_PROJECT"] = "my-gcp-project",
        ["AWS_ACCESS_KEY"] = "AKIAIOSFODNN7EXAMPLE",
        ["AWS_SECRET_KEY"] = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        ["AMQP_TLS_CERT"] = "/etc/fluent/amqp/cert.pem",
        ["AMQP_TLS_KEY"] = "/etc/fluent/amqp/key.pem",
        ["SWARM_NAME"] = "swarm-prod",
        ["NodeName"] = "node-1",
        ["FLUENTD_TAG"] = "myapp",
    };

    /// <summary>As fluentd ran them: fluentd globs every include, so in the flat folder several resolve to nothing.</summary>
    public static readonly ConfigLoadOptions AsFluentdRanIt = new()
    {
        GetEnvironmentVariable = name => Environment.GetValueOrDefault(name),
        GetHostName = () => "test-host",
        MissingIncludeIsError = false,
    };

    /// <summary>LogAgent's default: a missing non-glob include is an error.</summary>
    public static readonly ConfigLoadOptions Strict = new()
    {
        GetEnvironmentVariable = name => Environment.GetValueOrDefault(name),
        GetHostName = () => "test-host",
    };
}
