using System.Reflection;
using System.Reflection.Metadata;
using LogAgent.Sdk.Config;

namespace LogAgent.Core.Plugins;

/// <summary>
/// What a plugin assembly offers, read from its metadata without loading its classes: every non-abstract class
/// carrying <see cref="PluginAttribute"/>, and the assemblies it references. Reading instead of loading every class
/// is what lets an agent pay only for the plugins its config uses: loading the Kinesis plugin's classes brings in
/// AWSSDK.Core, HttpClient and TLS (about 4.5 MiB of resident memory), and loading all of the built-ins' classes
/// sockets, pipelines and cryptography (about 2 MiB), whatever the config.
/// </summary>
public sealed class PluginManifest
{
    private const string AttributeNamespace = "LogAgent.Sdk.Config";
    private const string AttributeName = nameof(PluginAttribute);

    private PluginManifest(IReadOnlyList<Entry> plugins, IReadOnlyList<AssemblyName> references)
    {
        Plugins = plugins;
        References = references;
    }

    /// <summary>One plugin class: its <see cref="Type.FullName"/> (nested classes joined by '+') and its attribute's values.</summary>
    public sealed record Entry(string TypeName, PluginKind Kind, string Name, string Description, string[] Aliases);

    public IReadOnlyList<Entry> Plugins { get; }
    public IReadOnlyList<AssemblyName> References { get; }

    /// <summary>
    /// Reads a loaded assembly from the metadata the runtime holds for it (a single-file executable's bundled
    /// assemblies have it too), without loading each of its classes as <see cref="Assembly.GetTypes"/> would.
    /// </summary>
    public static unsafe PluginManifest Of(Assembly assembly)
    {
        if (!assembly.TryGetRawMetadata(out byte* blob, out int length))
            throw new BadImageFormatException($"the runtime holds no metadata for {assembly.FullName}");
        return Read(new MetadataReader(blob, length));
    }

    private static PluginManifest Read(MetadataReader metadata)
    {
        var plugins = new List<Entry>();
        foreach (var handle in metadata.TypeDefinitions)
        {
            var type = metadata.GetTypeDefinition(handle);
            if ((type.Attributes & TypeAttributes.Abstract) != 0) continue;
            foreach (var attributeHandle in type.GetCustomAttributes())
            {
                var attribute = metadata.GetCustomAttribute(attributeHandle);
                if (!IsPluginAttribute(metadata, attribute)) continue;
                plugins.Add(Decode(metadata, attribute, FullName(metadata, type)));
            }
        }
        var references = metadata.AssemblyReferences
            .Select(h => metadata.GetAssemblyReference(h).GetAssemblyName())
            .ToList();
        return new PluginManifest(plugins, references);
    }

    private static bool IsPluginAttribute(MetadataReader metadata, CustomAttribute attribute)
    {
        // The SDK's attribute is always referenced from another assembly (a MemberReference to its constructor);
        // a plugin declaring a class of the same name itself is not one.
        if (attribute.Constructor.Kind != HandleKind.MemberReference) return false;
        var constructor = metadata.GetMemberReference((MemberReferenceHandle)attribute.Constructor);
        if (constructor.Parent.Kind != HandleKind.TypeReference) return false;
        var declaring = metadata.GetTypeReference((TypeReferenceHandle)constructor.Parent);
        return metadata.StringComparer.Equals(declaring.Name, AttributeName)
               && metadata.StringComparer.Equals(declaring.Namespace, AttributeNamespace);
    }

    /// <summary>
    /// Decodes the attribute's value blob (ECMA-335 II.23.3): prolog, the constructor's arguments (an int32-backed
    /// <see cref="PluginKind"/>, the name, the description), then named arguments, of which only the string array
    /// <see cref="PluginAttribute.Aliases"/> exists. Read directly rather than through
    /// <c>CustomAttribute.DecodeValue</c>, whose result types pull in System.Collections.Immutable (0.8 MiB resident).
    /// </summary>
    private static Entry Decode(MetadataReader metadata, CustomAttribute attribute, string typeName)
    {
        var blob = metadata.GetBlobReader(attribute.Value);
        if (blob.ReadUInt16() != 1) throw new BadImageFormatException($"{typeName}: malformed [Plugin] attribute");
        var kind = (PluginKind)blob.ReadInt32();
        var name = blob.ReadSerializedString() ?? "";
        var description = blob.ReadSerializedString() ?? "";
        var aliases = Array.Empty<string>();
        int named = blob.ReadUInt16();
        for (int i = 0; i < named; i++)
        {
            const byte Property = 0x54, SzArray = 0x1D, String = 0x0E;
            if (blob.ReadByte() != Property || blob.ReadByte() != SzArray || blob.ReadByte() != String
                || blob.ReadSerializedString() != nameof(PluginAttribute.Aliases))
                throw new BadImageFormatException($"{typeName}: a [Plugin] attribute argument this agent's SDK does not have");
            uint count = blob.ReadUInt32();
            aliases = count == uint.MaxValue ? Array.Empty<string>() : new string[count];
            for (int j = 0; j < aliases.Length; j++) aliases[j] = blob.ReadSerializedString() ?? "";
        }
        return new Entry(typeName, kind, name, description, aliases);
    }

    private static string FullName(MetadataReader metadata, TypeDefinition type)
    {
        var name = metadata.GetString(type.Name);
        var declaring = type.GetDeclaringType();
        if (!declaring.IsNil) return FullName(metadata, metadata.GetTypeDefinition(declaring)) + "+" + name;
        var ns = metadata.GetString(type.Namespace);
        return ns.Length == 0 ? name : ns + "." + name;
    }
}
