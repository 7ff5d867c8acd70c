using LogAgent.Sdk.Config;
using LogAgent.Sdk.Events;
using LogAgent.Sdk.Plugins;
using Microsoft.Extensions.Logging;

namespace LogAgent.Core.Plugins.Outputs;

/// <summary>
/// Sends each stream to every <c>&lt;store&gt;</c>, each an independent output instance (fluentd's out_copy).
/// Events are immutable bytes here, so every copy_mode shares them safely without copying.
/// As in out_copy.rb, a failing store stops the stores after it unless it is marked <c>&lt;store ignore_error&gt;</c>;
/// <c>&lt;store ignore_if_prev_success&gt;</c> is skipped when the store just before it succeeded.
/// </summary>
[Plugin(PluginKind.Output, "copy", "Copies events to several outputs (<store> sections).")]
public sealed class CopyOutput : OutputPlugin
{
    private readonly List<(OutputPlugin Output, bool IgnoreError, bool IgnoreIfPrevSuccess)> _stores = new();

    [Parameter("copy_mode", "How records are copied for each store: no_copy, shallow, deep, marshal (all equivalent here: events are immutable bytes).",
        AllowedValues = new[] { "no_copy", "shallow", "deep", "marshal" })]
    public string CopyMode { get; set; } = "no_copy";

    [Parameter("deep_copy", "Deprecated fluentd v0.12 switch for copy_mode deep.")]
    public bool DeepCopy { get; set; }

    public IReadOnlyList<OutputPlugin> Stores => _stores.Select(s => s.Output).ToList();

    public override void Configure(ConfigSection config)
    {
        foreach (var store in config.SectionsNamed("store"))
        {
            store.IsUsed = true;
            var flags = store.Argument.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            foreach (var flag in flags)
                if (flag is not ("ignore_error" or "ignore_if_prev_success"))
                    throw new ConfigException($"unknown <store> argument '{flag}' (expected ignore_error or ignore_if_prev_success)", store);
            _stores.Add((Context.CreateOutput(store), flags.Contains("ignore_error"), flags.Contains("ignore_if_prev_success")));
        }
        if (_stores.Count == 0) throw new ConfigException("copy needs at least one <store> section", config);
    }

    public override void Emit(EventStream stream)
    {
        bool previousSucceeded = false;
        foreach (var (output, ignoreError, ignoreIfPrevSuccess) in _stores)
        {
            if (ignoreIfPrevSuccess && previousSucceeded)
            {
                previousSucceeded = false; // out_copy.rb leaves success[i] unset for a skipped store
                continue;
            }
            try
            {
                output.Emit(stream);
                previousSucceeded = true;
            }
            catch (Exception e) when (ignoreError && e is not OperationCanceledException)
            {
                previousSucceeded = false;
                Log.LogWarning("store {Store} failed and is marked ignore_error: {Error}", output.Id, e.Message);
            }
        }
    }

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var store in _stores) await store.Output.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (var store in _stores) await store.Output.StopAsync(cancellationToken);
    }

    public override async Task ShutdownAsync(CancellationToken cancellationToken)
    {
        foreach (var store in _stores) await store.Output.ShutdownAsync(cancellationToken);
    }
}
