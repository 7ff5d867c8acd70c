namespace LogAgent.Sdk.Config;

/// <summary>
/// A class bound from a nested section (see <see cref="SectionAttribute"/>) that checks itself after binding,
/// e.g. a grep &lt;regexp&gt; compiling its pattern. Throw <see cref="ConfigException"/> naming the section.
/// </summary>
public interface IConfigurableSection
{
    void Configure(ConfigSection section);
}
