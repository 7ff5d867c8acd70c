using LogAgent.Sdk.Config;

namespace LogAgent.Core.Config;

/// <summary>
/// Checks of a loaded configuration's shape that fluentd makes after parsing, before any plugin is configured
/// (lib/fluent/root_agent.rb, agent.rb, system_config.rb): one <c>&lt;system&gt;</c>, every directive has an
/// <c>@type</c>, every <c>&lt;label&gt;</c> routes somewhere. The parser does not make them — fluentd's parser does not
/// either — so the engine calls this once on the ROOT.
/// </summary>
public static class ConfigStructure
{
    private static readonly string[] Directives = ["source", "filter", "match"];

    /// <summary>Every problem found, in file order; empty when the structure is sound.</summary>
    public static IReadOnlyList<ConfigException> Validate(ConfigSection root)
    {
        var problems = new List<ConfigException>();

        var systems = root.SectionsNamed("system").ToList();
        foreach (var extra in systems.Skip(1))
        {
            problems.Add(new ConfigException(
                $"<system> is duplicated: it is already defined at {systems[0].Where}; there should be only one <system>", extra));
        }

        CheckDirectives(root, problems);
        return problems;
    }

    /// <summary>Throws the first problem <see cref="Validate"/> finds.</summary>
    public static void ThrowIfInvalid(ConfigSection root)
    {
        var problems = Validate(root);
        if (problems.Count > 0) throw problems[0];
    }

    // Directives may sit at the top, inside <label> and inside <worker>.
    private static void CheckDirectives(ConfigSection container, List<ConfigException> problems)
    {
        foreach (var section in container.Sections)
        {
            if (Directives.Contains(section.Name))
            {
                // The legacy v0.12 `type` is still accepted by fluentd.
                if (section.Find("@type") is null && section.Find("type") is null)
                    problems.Add(new ConfigException($"Missing '@type' parameter on <{section.Name}> directive", section));
            }
            else if (section.Name == "label")
            {
                if (!section.SectionsNamed("match").Any())
                    problems.Add(new ConfigException($"Missing <match> sections in {section} section", section));
                CheckDirectives(section, problems);
            }
            else if (section.Name == "worker")
            {
                CheckDirectives(section, problems);
            }
        }
    }
}
