using System.Text;

namespace LogAgent.LoadTest;

/// <summary>
/// A pre-generated nginx access log in the default <c>combined</c> format, about 200 bytes a line, the same bytes on
/// every run (fixed seed), written once per line count to the temp directory and reused: generating it costs more
/// than tailing it.
/// </summary>
public static class NginxAccessLog
{
    private const int Seed = 20261126;

    private static readonly string[] Methods = ["GET", "GET", "GET", "GET", "GET", "GET", "POST", "POST", "PUT", "DELETE", "HEAD"];
    private static readonly string[] Paths =
    [
        "/", "/index.html", "/favicon.ico", "/robots.txt", "/static/css/main.3f9a1c.css", "/static/js/app.8d21e7.js",
        "/api/v1/users", "/api/v1/orders", "/api/v2/search", "/login", "/logout", "/cart/checkout", "/products",
        "/images/banner-2026.webp", "/healthz", "/metrics", "/wp-login.php", "/blog/2026/11/tail-every-line",
    ];
    private static readonly string[] Queries = ["", "", "", "?page=2", "?q=log+agent&sort=desc", "?id=", "?utm_source=newsletter&utm_medium=email"];
    private static readonly int[] Codes = [200, 200, 200, 200, 200, 200, 200, 200, 304, 301, 302, 404, 404, 500, 502, 403];
    private static readonly string[] Referers =
    [
        "-", "-", "https://www.example.com/", "https://www.google.com/search?q=example", "https://shop.example.com/products",
        "https://news.ycombinator.com/", "https://www.example.com/blog/2026/11/tail-every-line",
    ];
    private static readonly string[] Agents =
    [
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
        "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
        "curl/8.11.0",
        "Googlebot/2.1 (+http://www.google.com/bot.html)",
        "python-requests/2.32.3",
        "Prometheus/2.55.1",
    ];
    private static readonly string[] Months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

    /// <summary>The log's path, generating it first if this line count has not been generated yet.</summary>
    public static string Get(int lines)
    {
        var path = Path.Combine(Path.GetTempPath(), $"logagent-loadtest-nginx-{lines}.log");
        if (File.Exists(path)) return path;
        var partial = path + $".{Environment.ProcessId}.tmp";
        using (var writer = new StreamWriter(partial, false, new UTF8Encoding(false), 1 << 20))
        {
            var random = new Random(Seed);
            var time = new DateTimeOffset(2026, 11, 26, 6, 25, 0, TimeSpan.Zero);
            var line = new StringBuilder(256);
            for (int i = 0; i < lines; i++)
            {
                if (random.Next(4) == 0) time = time.AddSeconds(1);
                line.Clear();
                // remote - user [time] "method path protocol" code size "referer" "agent"
                line.Append(random.Next(1, 224)).Append('.').Append(random.Next(256)).Append('.').Append(random.Next(256)).Append('.')
                    .Append(random.Next(1, 255));
                line.Append(" - ").Append(random.Next(20) == 0 ? "alice" : "-");
                line.Append(" [").Append(time.Day.ToString("D2")).Append('/').Append(Months[time.Month - 1]).Append('/').Append(time.Year)
                    .Append(':').Append(time.ToString("HH:mm:ss")).Append(" +0000] \"");
                line.Append(Methods[random.Next(Methods.Length)]).Append(' ').Append(Paths[random.Next(Paths.Length)]);
                var query = Queries[random.Next(Queries.Length)];
                line.Append(query);
                if (query.EndsWith('=')) line.Append(random.Next(1_000_000));
                line.Append(random.Next(10) == 0 ? " HTTP/2.0\" " : " HTTP/1.1\" ");
                var code = Codes[random.Next(Codes.Length)];
                line.Append(code).Append(' ').Append(code == 304 ? 0 : random.Next(100, 60_000));
                line.Append(" \"").Append(Referers[random.Next(Referers.Length)]).Append("\" \"").Append(Agents[random.Next(Agents.Length)]).Append('"');
                line.Append('\n');
                writer.Write(line);
            }
        }
        File.Move(partial, path, overwrite: true);
        return path;
    }
}
