using System.Globalization;
using System.Security;

using LogAgent.Tests.Kinesis.Support;

namespace LogAgent.Tests.Kinesis;

/// <summary>
/// A local STS answering the Query API over real HTTP (on <see cref="LoopbackHttpServer"/>, checking signatures with <see cref="SigV4Reference"/>): <c>AssumeRole</c> (only when SigV4-signed by the expected
/// source credentials, as STS checks) and <c>AssumeRoleWithWebIdentity</c> (unsigned; only with the expected
/// token). Responses have STS's XML shape (API reference, AssumeRole / AssumeRoleWithWebIdentity, "Examples"),
/// errors its ErrorResponse shape. Each call issues new credentials, ASIASTANDIN0001, 0002, ..., expiring
/// <see cref="Lifetime"/> after <see cref="Now"/>.
/// </summary>
public sealed class StsStandIn : IDisposable
{
    private const string Namespace = "https://sts.amazonaws.com/doc/2011-06-15/";
    private readonly LoopbackHttpServer _server;
    private readonly string _sourceAccessKey;
    private readonly string _sourceSecretKey;
    private int _issued;

    public StsStandIn(string sourceAccessKey, string sourceSecretKey, string webIdentityToken = "")
    {
        _sourceAccessKey = sourceAccessKey;
        _sourceSecretKey = sourceSecretKey;
        WebIdentityToken = webIdentityToken;
        _server = LoopbackHttpServer.Answering(Answer);
    }

    public string Url => _server.Endpoint.ToString();
    public string WebIdentityToken { get; set; }
    public Func<DateTime> Now { get; set; } = () => DateTime.UtcNow;
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Form parameters of every request that was answered with credentials, in order.</summary>
    public List<IReadOnlyDictionary<string, string>> Granted { get; } = new();
    public IEnumerable<StandInRequest> Requests => _server.Requests;
    public int GrantedCount { get { lock (Granted) return Granted.Count; } }

    public static string AccessKeyFor(int issued) => $"ASIASTANDIN{issued:D4}";
    public static string SecretKeyFor(int issued) => $"stand-in-secret-{issued}";
    public static string SessionTokenFor(int issued) => $"stand-in-session-token-{issued}";

    private StandInResponse Answer(StandInRequest request)
    {
        var form = ParseForm(request.BodyText);
        var action = form.GetValueOrDefault("Action");
        if (action == "AssumeRole")
        {
            if (!request.HasHeader("Authorization"))
                return Error(403, "MissingAuthenticationToken", "Request is missing Authentication Token");
            if (!SigV4Reference.IsSignedBy(request, new TestCredentials(_sourceAccessKey, _sourceSecretKey)))
                return Error(403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided.");
            return Grant(action, form, "AssumeRoleResponse", "AssumeRoleResult");
        }
        if (action == "AssumeRoleWithWebIdentity")
        {
            if (form.GetValueOrDefault("WebIdentityToken") != WebIdentityToken)
                return Error(400, "InvalidIdentityToken", "Couldn't retrieve verification key from your identity provider");
            return Grant(action, form, "AssumeRoleWithWebIdentityResponse", "AssumeRoleWithWebIdentityResult");
        }
        return Error(400, "InvalidAction", $"Could not find operation {action} for version 2011-06-15");
    }

    private StandInResponse Grant(string action, Dictionary<string, string> form, string response, string result)
    {
        int issued = Interlocked.Increment(ref _issued);
        lock (Granted) Granted.Add(form);
        var expiration = (Now() + Lifetime).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var role = form.GetValueOrDefault("RoleArn", "");
        var session = form.GetValueOrDefault("RoleSessionName", "");
        return StandInResponse.Text(200, $"""
            <{response} xmlns="{Namespace}">
              <{result}>
                <AssumedRoleUser>
                  <Arn>{SecurityElement.Escape(role.Replace(":role/", ":assumed-role/").Replace("arn:aws:iam:", "arn:aws:sts:"))}/{SecurityElement.Escape(session)}</Arn>
                  <AssumedRoleId>AROASTANDIN:{SecurityElement.Escape(session)}</AssumedRoleId>
                </AssumedRoleUser>
                <Credentials>
                  <AccessKeyId>{AccessKeyFor(issued)}</AccessKeyId>
                  <SecretAccessKey>{SecretKeyFor(issued)}</SecretAccessKey>
                  <SessionToken>{SessionTokenFor(issued)}</SessionToken>
                  <Expiration>{expiration}</Expiration>
                </Credentials>
                <PackedPolicySize>6</PackedPolicySize>
              </{result}>
              <ResponseMetadata>
                <RequestId>{Guid.NewGuid()}</RequestId>
              </ResponseMetadata>
            </{response}>
            """, "text/xml");
    }

    private static StandInResponse Error(int status, string code, string message) => StandInResponse.Text(status, $"""
        <ErrorResponse xmlns="{Namespace}">
          <Error>
            <Type>Sender</Type>
            <Code>{code}</Code>
            <Message>{SecurityElement.Escape(message)}</Message>
          </Error>
          <RequestId>{Guid.NewGuid()}</RequestId>
        </ErrorResponse>
        """, "text/xml");

    private static Dictionary<string, string> ParseForm(string body) =>
        body.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .ToDictionary(p => Uri.UnescapeDataString(p[0].Replace('+', ' ')), p => p.Length > 1 ? Uri.UnescapeDataString(p[1].Replace('+', ' ')) : "");

    public void Dispose() => _server.Stop();
}
