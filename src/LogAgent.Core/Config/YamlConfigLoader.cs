using System.Text;
using LogAgent.Sdk.Config;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace LogAgent.Core.Config;

/// <summary>
/// Reads fluentd's YAML configuration form (lib/fluent/config/yaml_parser/{loader,parser,section_builder}.rb) into the
/// same <see cref="ConfigSection"/> model the fluentd syntax gives:
/// <code>
/// system:                  → &lt;system&gt;
///   log_level: info
/// config:
///   - source:              → &lt;source&gt;
///       $type: tail        → @type tail   ($label, $id, $log_level likewise become @label, @id, @log_level)
///       parse:             → &lt;parse&gt;      (a mapping is a section; "$arg" gives its argument)
///         $type: none
///   - match:
///       $tag: app.**       → &lt;match app.**&gt; (a list of tags is joined with ',', as fluentd does)
///       store:             → a list of mappings is a repeated section
///         - $type: stdout
///   - label:
///       $name: "@X"        → &lt;label @X&gt; with its own "config:" list
///   - worker:
///       $arg: 0-1          → &lt;worker 0-1&gt; with its own "config:" list
///   - !include more.yaml   → the items of another YAML file's top-level list
/// </code>
/// Scalars are read as Ruby's YAML loader reads them (<see cref="YamlScalar"/>); a list of scalars becomes a JSON array
/// text; <c>!fluent/s "…"</c> is a Ruby double-quoted string, escapes and <c>#{}</c> included; <c>!fluent/json</c>
/// writes its value as JSON. Every section and parameter records the line of its key.
/// </summary>
public static class YamlConfigLoader
{
    // The keys fluentd reads from each config list item, in the order it reads them (parser.rb, config_build).
    private static readonly string[] DirectiveOrder = ["label", "source", "filter", "match", "worker"];

    /// <exception cref="ConfigException">Invalid YAML or an invalid structure, naming the file and line.</exception>
    public static ConfigSection LoadFile(string path, ConfigLoadOptions? options = null)
    {
        var loader = new Loader(options ?? ConfigLoadOptions.Default);
        loader.Files.Add(Path.GetFullPath(path));
        return loader.BuildRoot(loader.ReadDocument(ReadFile(path, path, 0), path), path);
    }

    /// <summary>Parses YAML <paramref name="text"/>; <c>!include</c> paths are relative to <paramref name="baseDirectory"/>.</summary>
    public static ConfigSection Parse(string text, string fileName, string baseDirectory, ConfigLoadOptions? options = null)
    {
        var loader = new Loader(options ?? ConfigLoadOptions.Default) { BaseDirectoryOverride = baseDirectory };
        loader.Files.Add(Path.GetFullPath(Path.Combine(baseDirectory, Path.GetFileName(fileName))));
        return loader.BuildRoot(loader.ReadDocument(text, fileName), fileName);
    }

    private static string ReadFile(string path, string referencedFrom, int line)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException($"cannot read {path}: {e.Message}", referencedFrom, line, e);
        }
    }

    private sealed class Loader(ConfigLoadOptions options)
    {
        private readonly RubyEmbedEvaluator _evaluator = new(options);

        public List<string> Files { get; } = new();

        /// <summary>For <see cref="Parse"/>: the directory includes of the top-level text are relative to.</summary>
        public string? BaseDirectoryOverride { get; init; }

        private string DirectoryOf(string file) =>
            Files.Count == 1 && BaseDirectoryOverride is not null ? BaseDirectoryOverride : Path.GetDirectoryName(file) ?? "";

        public YamlNode? ReadDocument(string text, string file)
        {
            var stream = new YamlStream();
            try
            {
                stream.Load(new StringReader(text));
            }
            catch (YamlException e)
            {
                throw new ConfigException($"invalid YAML: {Innermost(e).Message}", file, (int)e.Start.Line, e);
            }
            catch (ArgumentException e)
            {
                throw new ConfigException($"invalid YAML: {e.Message}", file, 0, e);
            }
            return stream.Documents.Count == 0 ? null : stream.Documents[0].RootNode;
        }

        private static Exception Innermost(Exception e) => e.InnerException is YamlException inner ? Innermost(inner) : e;

        public ConfigSection BuildRoot(YamlNode? document, string file)
        {
            var root = new ConfigSection("ROOT", "", file, 1);
            if (document is null || IsNull(document)) return root;
            if (document is not YamlMappingNode top)
                throw new ConfigException("a YAML configuration must be a mapping with 'system:' and 'config:' keys", file, Line(document));

            // fluentd reads only these two keys, the system section first (parser.rb, build).
            var entries = Entries(top, file);
            if (entries.FirstOrDefault(e => e.Key == "system") is { Value: not null } system)
                root.Add(BuildSection("system", system.Value, null, system.Line, file));
            if (entries.FirstOrDefault(e => e.Key == "config") is { Value: not null } config)
                BuildConfigList(config.Value, root, file);
            return root;
        }

        private void BuildConfigList(YamlNode node, ConfigSection target, string file)
        {
            if (IsNull(node)) return;
            if (node is not YamlSequenceNode list)
                throw new ConfigException("'config' must be a list of directives (- source:, - match:, …)", file, Line(node));

            foreach (var item in list.Children)
            {
                if (TagOf(item) == "!include")
                {
                    Include(item, target, file);
                    continue;
                }
                if (item is not YamlMappingNode map)
                    throw new ConfigException("a 'config' list item must be a mapping such as '- source:' or '- match:'", file, Line(item));

                var entries = Entries(map, file);
                foreach (var entry in entries)
                {
                    // fluentd silently skips other keys; a misspelt directive would vanish, so it is an error here.
                    if (!DirectiveOrder.Contains(entry.Key))
                        throw new ConfigException($"unknown directive '{entry.Key}' in 'config' (expected one of {string.Join(", ", DirectiveOrder)})", file, entry.Line);
                }
                foreach (var name in DirectiveOrder)
                {
                    if (entries.FirstOrDefault(e => e.Key == name) is { } entry)
                        target.Add(BuildDirective(name, entry, file));
                }
            }
        }

        private ConfigSection BuildDirective(string name, Entry entry, string file)
        {
            var node = entry.Value;
            if (node is not YamlMappingNode map)
                throw new ConfigException($"'{name}' must be a mapping", file, entry.Line);
            var entries = Entries(map, file);
            switch (name)
            {
                case "label":
                case "worker":
                {
                    // label takes its name from $name and worker its range from $arg; both hold a nested config list.
                    var argKey = name == "label" ? "$name" : "$arg";
                    var argument = entries.FirstOrDefault(e => e.Key == argKey) is { } a ? ArgumentText(a, file) : "";
                    var section = new ConfigSection(name, argument, file, entry.Line);
                    if (entries.FirstOrDefault(e => e.Key == "config") is { Value: not null } config)
                        BuildConfigList(config.Value, section, file);
                    return section;
                }
                case "filter":
                case "match":
                {
                    var tag = entries.FirstOrDefault(e => e.Key == "$tag");
                    return BuildSection(name, map, tag is null ? null : ArgumentText(tag, file), entry.Line, file, skipKey: "$tag");
                }
                default:
                    return BuildSection(name, map, null, entry.Line, file);
            }
        }

        // parser.rb, section_build: reserved $-keys first, then parameters and nested sections in file order.
        private ConfigSection BuildSection(string name, YamlNode node, string? argument, int line, string file, string? skipKey = null)
        {
            var section = new ConfigSection(name, argument ?? "", file, line);
            if (IsNull(node)) return section;
            if (node is not YamlMappingNode map)
                throw new ConfigException($"'{name}' must be a mapping of parameters and sections", file, Line(node));

            var entries = Entries(map, file);
            foreach (var reserved in new[] { "$type", "$label", "$id", "$log_level" })
            {
                if (entries.FirstOrDefault(e => e.Key == reserved) is { } r && ParameterText(r, file) is { } value)
                    section.Add(new ConfigParameter("@" + reserved[1..], value, file, r.Line));
            }

            foreach (var entry in entries)
            {
                if (entry.Key is "$type" or "$label" or "$id" or "$log_level" || entry.Key == skipKey) continue;
                if (entry.Key == "$arg" && argument is not null) continue;
                var value = entry.Value;
                if (value is YamlMappingNode sub && TagOf(sub) is null)
                {
                    var subEntries = Entries(sub, file);
                    var arg = subEntries.FirstOrDefault(e => e.Key == "$arg");
                    section.Add(BuildSection(entry.Key, sub, arg is null ? null : ArgumentText(arg, file), entry.Line, file));
                }
                else if (value is YamlSequenceNode seq && TagOf(seq) is null && seq.Children.Count > 0 && seq.Children[0] is YamlMappingNode)
                {
                    // A list of mappings is a repeated section (<store>, <server>, …). fluentd ignores "$arg" in these
                    // items (it becomes a parameter); it is honoured here so `- $arg: …` means what it says.
                    foreach (var item in seq.Children)
                    {
                        if (item is not YamlMappingNode itemMap)
                            throw new ConfigException($"every item of '{entry.Key}' must be a mapping, as the first one is", file, Line(item));
                        var arg = Entries(itemMap, file).FirstOrDefault(e => e.Key == "$arg");
                        section.Add(BuildSection(entry.Key, itemMap, arg is null ? null : ArgumentText(arg, file), Line(item), file));
                    }
                }
                else if (ParameterText(entry, file) is { } text)
                {
                    section.Add(new ConfigParameter(entry.Key, text, file, entry.Line));
                }
            }
            return section;
        }

        /// <summary>An element argument: a scalar, or a list joined with ',' (parser.rb, match_build and section_build).</summary>
        private string ArgumentText(Entry entry, string file)
        {
            if (entry.Value is YamlSequenceNode seq && TagOf(seq) is null)
                return string.Join(",", seq.Children.Select(c => Scalar(c, file) ?? ""));
            return ParameterText(entry, file) ?? "";
        }

        /// <summary>The text of a parameter; null when it is nil (an empty value or use_nil/use_default), which leaves it out.</summary>
        private string? ParameterText(Entry entry, string file)
        {
            var node = entry.Value;
            if (node is null) return null;
            switch (TagOf(node))
            {
                case "!fluent/s":
                    return FluentString(node, file);
                case "!fluent/json":
                    return JsonLiteral.Dump(ToPlain(node, file));
                case "!include":
                    throw new ConfigException("!include may only stand for items of a 'config' list", file, Line(node));
            }
            return node switch
            {
                YamlScalarNode => Scalar(node, file),
                // Ruby hands a list to the plugin as an Array; as text, a JSON array is what ConfigValues reads back.
                YamlSequenceNode or YamlMappingNode => JsonLiteral.Dump(ToPlain(node, file)),
                _ => null,
            };
        }

        private string? Scalar(YamlNode node, string file)
        {
            if (TagOf(node) == "!fluent/s") return FluentString(node, file);
            if (node is not YamlScalarNode scalar) return JsonLiteral.Dump(ToPlain(node, file));
            return YamlScalar.Render(PlainValue(scalar));
        }

        private static object? PlainValue(YamlScalarNode scalar)
        {
            var text = scalar.Value ?? "";
            if (scalar.Style != ScalarStyle.Plain || TagOf(scalar) is "!!str" or "tag:yaml.org,2002:str") return text;
            return YamlScalar.Resolve(text);
        }

        /// <summary>Converts a YAML node to dictionaries, lists and scalars, for JSON output.</summary>
        private object? ToPlain(YamlNode node, string file) => node switch
        {
            YamlScalarNode s when TagOf(s) == "!fluent/s" => FluentString(s, file),
            YamlScalarNode s => PlainValue(s),
            YamlSequenceNode seq => seq.Children.Select(c => ToPlain(c, file)).ToList(),
            YamlMappingNode map => Entries(map, file).Select(e => new KeyValuePair<string, object?>(e.Key, e.Value is null ? null : ToPlain(e.Value, file))).ToList(),
            _ => null,
        };

        /// <summary>
        /// <c>!fluent/s</c>: fluentd evaluates <c>"\"#{val}\""</c> as Ruby (fluent_value.rb), so the text is the body of
        /// a Ruby double-quoted string: Ruby escapes apply and <c>#{}</c> is embedded Ruby.
        /// </summary>
        private string? FluentString(YamlNode node, string file)
        {
            if (node is not YamlScalarNode scalar) throw new ConfigException("!fluent/s needs a string", file, Line(node));
            var text = scalar.Value ?? "";
            int line = Line(node);
            var sb = new StringBuilder();
            for (int i = 0; i < text.Length; i++)
            {
                char c = text[i];
                if (c == '\\' && i + 1 < text.Length)
                {
                    sb.Append(RubyStringEscapes.Unescape(text[++i]));
                }
                else if (c == '#' && i + 1 < text.Length && text[i + 1] == '{')
                {
                    int end = RubyEmbedEvaluator.FindCodeEnd(text, i + 2);
                    if (end < 0) throw new ConfigException($"unterminated #{{ in !fluent/s \"{text}\"", file, line);
                    var value = _evaluator.Evaluate(text[(i + 2)..end], file, line);
                    // fluentd turns use_nil into '' and use_default into the text ':default' here (fluent_value.rb);
                    // like the fluentd syntax, both leave the parameter out in this model.
                    if (value.Kind != EmbeddedValueKind.Text) return null;
                    sb.Append(value.Text);
                    i = end;
                }
                else if (c == '"')
                {
                    throw new ConfigException($"!fluent/s \"{text}\": an unescaped '\"' ends the Ruby string early", file, line);
                }
                else
                {
                    sb.Append(c);
                }
            }
            return sb.ToString();
        }

        // loader.rb, eval_include: Dir.glob relative to the including file, each file's top-level list spliced in.
        private void Include(YamlNode node, ConfigSection target, string file)
        {
            int line = Line(node);
            var path = (node as YamlScalarNode)?.Value;
            if (string.IsNullOrEmpty(path)) throw new ConfigException("!include needs a file path", file, line);
            var pattern = Path.IsPathRooted(path) ? path : Path.Combine(DirectoryOf(file), path);
            var matches = IncludeGlob.Expand(pattern);
            if (matches.Count == 0 && !IncludeGlob.HasWildcards(pattern) && options.MissingIncludeIsError)
                throw new ConfigException($"!include {path}: no such file ({pattern})", file, line);

            foreach (var included in matches)
            {
                var fullPath = Path.GetFullPath(included);
                if (Files.Contains(fullPath))
                    throw new ConfigException($"!include {path}: include cycle ({string.Join(" -> ", Files.SkipWhile(f => f != fullPath).Append(fullPath).Select(Path.GetFileName))})", file, line);
                Files.Add(fullPath);
                var document = ReadDocument(ReadFile(included, file, line), included);
                if (document is not null && !IsNull(document))
                {
                    if (document is not YamlSequenceNode)
                        throw new ConfigException("an included YAML file must be a list of directives (- source:, - match:, …)", included, Line(document));
                    BuildConfigList(document, target, included);
                }
                Files.RemoveAt(Files.Count - 1);
            }
        }

        private sealed record Entry(string Key, YamlNode? Value, int Line);

        /// <summary>A mapping's entries in order, with YAML merge keys (<c>&lt;&lt;: *anchor</c>) applied as Psych does.</summary>
        private List<Entry> Entries(YamlMappingNode map, string file)
        {
            var result = new List<Entry>();
            var index = new Dictionary<string, int>(StringComparer.Ordinal);
            void Set(Entry e)
            {
                if (index.TryGetValue(e.Key, out var at)) result[at] = e;
                else { index[e.Key] = result.Count; result.Add(e); }
            }

            foreach (var (keyNode, valueNode) in map.Children)
            {
                var key = (keyNode as YamlScalarNode)?.Value
                          ?? throw new ConfigException("mapping keys must be plain strings", file, Line(keyNode));
                if (key == "<<" && keyNode is YamlScalarNode { Style: ScalarStyle.Plain })
                {
                    var sources = valueNode is YamlSequenceNode many ? many.Children : [valueNode];
                    foreach (var source in sources)
                    {
                        if (source is not YamlMappingNode merged) throw new ConfigException("'<<' must merge a mapping", file, Line(source));
                        foreach (var e in Entries(merged, file)) Set(e);
                    }
                    continue;
                }
                Set(new Entry(key, IsNull(valueNode) ? null : valueNode, Line(keyNode)));
            }
            return result;
        }

        private static bool IsNull(YamlNode node) =>
            node is YamlScalarNode { Style: ScalarStyle.Plain } s && TagOf(s) is null && YamlScalar.Resolve(s.Value ?? "") is null;

        private static string? TagOf(YamlNode node) => node.Tag.IsEmpty ? null : node.Tag.Value;

        private static int Line(YamlNode node) => (int)node.Start.Line;
    }
}
