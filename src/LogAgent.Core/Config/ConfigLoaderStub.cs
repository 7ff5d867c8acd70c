using LogAgent.Sdk.Config;
namespace LogAgent.Core.Config;
// TEMPORARY until the config parser branch is merged.
public static class ConfigLoader
{
    public static ConfigSection LoadFile(string path) => throw new NotImplementedException(path);
    public static ConfigSection Parse(string text, string fileName, string baseDirectory) => throw new NotImplementedException(text);
}
