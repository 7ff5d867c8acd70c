using System.Diagnostics;
using Amazon.Runtime;
using Amazon.Util.Internal;
using LogAgent.Plugins.Kinesis.Aws;
using LogAgent.Tests.Support;

using LogAgent.Tests.Kinesis.Support;

namespace LogAgent.Tests.Kinesis;

/// <summary>Each credential source of fluent-plugin-kinesis v3's configuration, resolved to the keys it names.</summary>
public class CredentialSourceTests
{
    [Fact]
    public async Task Static_keys_sign_as_given()
    {
        var credentials = AwsCredentialsBuilder.Build(new AwsCredentialSettings { AwsKeyId = "AKIDSTATIC", AwsSecKey = "static-secret" }, "us-east-1");
        var resolved = await credentials.GetCredentialsAsync();
        Assert.Equal(("AKIDSTATIC", "static-secret", false), (resolved.AccessKey, resolved.SecretKey, resolved.UseToken));
    }

    [Fact]
    public async Task Static_keys_with_aws_ses_token_carry_the_session_token()
    {
        var credentials = AwsCredentialsBuilder.Build(
            new AwsCredentialSettings { AwsKeyId = "ASIASTATIC", AwsSecKey = "static-secret", AwsSesToken = "session" }, "us-east-1");
        Assert.Equal("session", (await credentials.GetCredentialsAsync()).Token);
    }

    [Fact]
    public void Static_keys_win_over_a_credentials_section_as_in_the_ruby_plugin()
    {
        var credentials = AwsCredentialsBuilder.Build(new AwsCredentialSettings
        {
            AwsKeyId = "AKIDSTATIC", AwsSecKey = "static-secret",
            Process = new ProcessCredentialsSection { Process = "/bin/false" },
        }, "us-east-1");
        Assert.IsType<BasicAWSCredentials>(credentials);
    }

    [Fact]
    public async Task Shared_credentials_file_reads_the_named_profile()
    {
        using var dir = new TempDirectory();
        var file = dir.File("credentials");
        await File.WriteAllTextAsync(file, """
            [default]
            aws_access_key_id = AKIDDEFAULT
            aws_secret_access_key = default-secret

            [logs]
            aws_access_key_id = ASIALOGS
            aws_secret_access_key = logs-secret
            aws_session_token = logs-token
            """);
        var credentials = AwsCredentialsBuilder.Build(
            new AwsCredentialSettings { Shared = new SharedCredentialsSection { Path = file, ProfileName = "logs" } }, "us-east-1");
        var resolved = await credentials.GetCredentialsAsync();
        Assert.Equal(("ASIALOGS", "logs-secret", "logs-token"), (resolved.AccessKey, resolved.SecretKey, resolved.Token));
    }

    [Fact]
    public async Task Shared_credentials_file_without_the_profile_is_an_error_naming_it()
    {
        using var dir = new TempDirectory();
        var file = dir.File("credentials");
        await File.WriteAllTextAsync(file, "[default]\naws_access_key_id = A\naws_secret_access_key = B\n");
        var error = Assert.Throws<AwsCredentialsException>(() => AwsCredentialsBuilder.Build(
            new AwsCredentialSettings { Shared = new SharedCredentialsSection { Path = file, ProfileName = "missing" } }, "us-east-1"));
        Assert.Contains("'missing'", error.Message);
    }

    [Fact]
    public async Task Process_credentials_run_the_command_and_read_its_json()
    {
        using var dir = new TempDirectory();
        var counter = dir.File("runs");
        var expiration = DateTime.UtcNow.AddHours(1).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'");
        var script = WriteScript(dir, "credential-process.sh", $$"""
            #!/bin/sh
            echo run >> '{{counter}}'
            printf '{"Version": 1, "AccessKeyId": "ASIAPROCESS", "SecretAccessKey": "process-secret", "SessionToken": "process-token", "Expiration": "{{expiration}}"}'
            """);
        var credentials = AwsCredentialsBuilder.Build(new AwsCredentialSettings { Process = new ProcessCredentialsSection { Process = script } }, "us-east-1");

        var resolved = await credentials.GetCredentialsAsync();
        Assert.Equal(("ASIAPROCESS", "process-secret", "process-token"), (resolved.AccessKey, resolved.SecretKey, resolved.Token));
        await credentials.GetCredentialsAsync();
        Assert.Single(File.ReadAllLines(counter)); // cached until near its expiration, not run for every request
    }

    [Fact]
    public async Task Process_credentials_that_fail_report_the_failure()
    {
        using var dir = new TempDirectory();
        var script = WriteScript(dir, "failing.sh", "#!/bin/sh\necho 'no session' >&2\nexit 3\n");
        var credentials = AwsCredentialsBuilder.Build(new AwsCredentialSettings { Process = new ProcessCredentialsSection { Process = script } }, "us-east-1");
        await Assert.ThrowsAnyAsync<Exception>(() => credentials.GetCredentialsAsync());
    }

    [Fact]
    public async Task Assume_role_calls_sts_signed_with_the_source_credentials_and_signs_with_the_role()
    {
        using var sts = new StsStandIn("AKIDSOURCE", "source-secret");
        var section = new AssumeRoleCredentialsSection
        {
            RoleArn = "arn:aws:iam::123456789012:role/logs-writer", RoleSessionName = "logagent",
            DurationSeconds = 900, ExternalId = "ext-1", StsEndpointUrl = sts.Url,
        };
        var credentials = AwsCredentialsBuilder.Build(new AwsCredentialSettings { AssumeRole = section }, "eu-west-1",
            assumeRoleSource: new BasicAWSCredentials("AKIDSOURCE", "source-secret"));

        var resolved = await credentials.GetCredentialsAsync();
        Assert.Equal((StsStandIn.AccessKeyFor(1), StsStandIn.SecretKeyFor(1), StsStandIn.SessionTokenFor(1)),
            (resolved.AccessKey, resolved.SecretKey, resolved.Token));
        var granted = Assert.Single(sts.Granted);
        Assert.Equal("arn:aws:iam::123456789012:role/logs-writer", granted["RoleArn"]);
        Assert.Equal("logagent", granted["RoleSessionName"]);
        Assert.Equal("900", granted["DurationSeconds"]);
        Assert.Equal("ext-1", granted["ExternalId"]);
        var authorization = SigV4Reference.ParseAuthorization(Assert.Single(sts.Requests))!;
        Assert.Equal(("AKIDSOURCE", "eu-west-1", "sts"), (authorization.AccessKey, authorization.Region, authorization.Service));
    }

    [Fact]
    public async Task Assume_role_with_wrong_source_credentials_fails_with_the_sts_error()
    {
        using var sts = new StsStandIn("AKIDSOURCE", "source-secret");
        var credentials = AwsCredentialsBuilder.Build(new AwsCredentialSettings
        {
            AssumeRole = new AssumeRoleCredentialsSection { RoleArn = "arn:aws:iam::123456789012:role/r", RoleSessionName = "s", StsEndpointUrl = sts.Url },
        }, "us-east-1", assumeRoleSource: new BasicAWSCredentials("AKIDSOURCE", "wrong-secret"));

        var error = await Assert.ThrowsAsync<AwsCredentialsException>(() => credentials.GetCredentialsAsync());
        Assert.Contains("SignatureDoesNotMatch", error.Message);
        Assert.Equal(0, sts.GrantedCount);
    }

    [Fact]
    public async Task Assumed_role_credentials_are_refreshed_before_they_expire()
    {
        var clock = new ManualAwsClock(new DateTime(2026, 1, 1, 12, 0, 0, DateTimeKind.Utc));
        using var sts = new StsStandIn("AKIDSOURCE", "source-secret") { Now = () => clock.CorrectedUtcNow, Lifetime = TimeSpan.FromHours(1) };
        using var credentials = new StsAssumeRoleCredentials(new BasicAWSCredentials("AKIDSOURCE", "source-secret"),
            new AssumeRoleCredentialsSection { RoleArn = "arn:aws:iam::123456789012:role/r", RoleSessionName = "s", StsEndpointUrl = sts.Url },
            "us-east-1", clock);

        Assert.Equal(StsStandIn.AccessKeyFor(1), (await credentials.GetCredentialsAsync()).AccessKey);
        clock.Advance(TimeSpan.FromMinutes(30));
        Assert.Equal(StsStandIn.AccessKeyFor(1), (await credentials.GetCredentialsAsync()).AccessKey);
        Assert.Equal(1, sts.GrantedCount); // still far from expiry: no STS call

        // 50 minutes in, 10 before expiry: the current credentials are still served while new ones are fetched.
        clock.Advance(TimeSpan.FromMinutes(20));
        Assert.Equal(StsStandIn.AccessKeyFor(1), (await credentials.GetCredentialsAsync()).AccessKey);
        await Eventually.True(() => sts.GrantedCount == 2, TimeSpan.FromSeconds(10), () => $"{sts.GrantedCount} AssumeRole calls");
        await Eventually.True(() => credentials.GetCredentials().AccessKey == StsStandIn.AccessKeyFor(2), TimeSpan.FromSeconds(10),
            () => "the refreshed credentials are not served");

        // Right at the second set's expiry (issued at 12:50 for an hour): never signed with expired keys.
        clock.Advance(TimeSpan.FromMinutes(60));
        Assert.Equal(StsStandIn.AccessKeyFor(3), (await credentials.GetCredentialsAsync()).AccessKey);
    }

    [Fact]
    public async Task Web_identity_presents_the_token_file_to_sts_unsigned()
    {
        using var dir = new TempDirectory();
        var tokenFile = dir.File("token");
        await File.WriteAllTextAsync(tokenFile, "oidc-token-1\n");
        using var sts = new StsStandIn("unused", "unused", webIdentityToken: "oidc-token-1");
        var credentials = AwsCredentialsBuilder.Build(new AwsCredentialSettings
        {
            WebIdentity = new WebIdentityCredentialsSection
            {
                RoleArn = "arn:aws:iam::123456789012:role/irsa", RoleSessionName = "pod", WebIdentityTokenFile = tokenFile,
                DurationSeconds = 3600, StsEndpointUrl = sts.Url,
            },
        }, "us-west-2");

        Assert.Equal(StsStandIn.AccessKeyFor(1), (await credentials.GetCredentialsAsync()).AccessKey);
        var granted = Assert.Single(sts.Granted);
        Assert.Equal(("arn:aws:iam::123456789012:role/irsa", "pod", "3600"), (granted["RoleArn"], granted["RoleSessionName"], granted["DurationSeconds"]));
        Assert.False(Assert.Single(sts.Requests).HasHeader("Authorization"));
    }

    [Fact]
    public void Nothing_configured_is_the_standard_chain_resolved_on_first_use()
    {
        Assert.IsType<StandardChainCredentials>(AwsCredentialsBuilder.Build(new AwsCredentialSettings(), "us-east-1"));
    }

    internal static string WriteScript(TempDirectory dir, string name, string text)
    {
        var path = dir.File(name);
        File.WriteAllText(path, text.Replace("\r\n", "\n"));
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }
}

/// <summary>AWSSDK.Core's clock for RefreshingAWSCredentials, moved by the test.</summary>
public sealed class ManualAwsClock(DateTime utcNow) : ITimeProvider
{
    private long _ticks = utcNow.Ticks;
    public DateTime CorrectedUtcNow => new(Interlocked.Read(ref _ticks), DateTimeKind.Utc);
    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
}

/// <summary>Tests that set AWS_* environment variables: alone, so no other test reads them meanwhile.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AwsEnvironmentCollection
{
    public const string Name = "AWS environment variables";
}

[Collection(AwsEnvironmentCollection.Name)]
public class EnvironmentCredentialTests
{
    [Fact]
    public async Task Standard_chain_takes_keys_from_the_environment()
    {
        using var environment = new EnvironmentVariables(new()
        {
            ["AWS_ACCESS_KEY_ID"] = "ASIAENVIRONMENT",
            ["AWS_SECRET_ACCESS_KEY"] = "environment-secret",
            ["AWS_SESSION_TOKEN"] = "environment-token",
        });
        var credentials = AwsCredentialsBuilder.Build(new AwsCredentialSettings(), "us-east-1");
        var resolved = await credentials.GetCredentialsAsync();
        Assert.Equal(("ASIAENVIRONMENT", "environment-secret", "environment-token"), (resolved.AccessKey, resolved.SecretKey, resolved.Token));
    }

    [Fact]
    public async Task Shared_credentials_without_profile_name_take_AWS_PROFILE()
    {
        using var dir = new TempDirectory();
        var file = dir.File("credentials");
        await File.WriteAllTextAsync(file, "[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = d\n\n[ops]\naws_access_key_id = AKIDOPS\naws_secret_access_key = o\n");
        using var environment = new EnvironmentVariables(new() { ["AWS_PROFILE"] = "ops" });
        var credentials = AwsCredentialsBuilder.Build(new AwsCredentialSettings { Shared = new SharedCredentialsSection { Path = file } }, "us-east-1");
        Assert.Equal("AKIDOPS", (await credentials.GetCredentialsAsync()).AccessKey);
    }

    [Fact]
    public void Region_comes_from_the_config_then_AWS_REGION_then_AWS_DEFAULT_REGION()
    {
        using (new EnvironmentVariables(new() { ["AWS_REGION"] = "eu-central-1", ["AWS_DEFAULT_REGION"] = "ap-south-1" }))
        {
            Assert.Equal("us-east-2", AwsClientOptions.RegionFromConfigOrEnvironment("us-east-2"));
            Assert.Equal("eu-central-1", AwsClientOptions.RegionFromConfigOrEnvironment(null));
        }
        using (new EnvironmentVariables(new() { ["AWS_REGION"] = null, ["AWS_DEFAULT_REGION"] = "ap-south-1" }))
            Assert.Equal("ap-south-1", AwsClientOptions.RegionFromConfigOrEnvironment(null));
    }
}

/// <summary>Sets environment variables for one test and restores the previous values after it.</summary>
public sealed class EnvironmentVariables : IDisposable
{
    private readonly Dictionary<string, string?> _previous = new();

    public EnvironmentVariables(Dictionary<string, string?> values)
    {
        foreach (var (name, value) in values)
        {
            _previous[name] = Environment.GetEnvironmentVariable(name);
            Environment.SetEnvironmentVariable(name, value);
        }
    }

    public void Dispose()
    {
        foreach (var (name, value) in _previous) Environment.SetEnvironmentVariable(name, value);
    }
}
