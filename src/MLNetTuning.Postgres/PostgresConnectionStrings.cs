using System.ComponentModel;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using Npgsql;

namespace MLNetTuning.Storage;

/// <summary>Where PostgreSQL connection strings come from, and how they are shown: never with their password.</summary>
public static partial class PostgresConnectionStrings
{
    /// <summary>The environment variable read when no connection string is given: MLNETTUNING_POSTGRES.</summary>
    public const string EnvironmentVariable = "MLNETTUNING_POSTGRES";

    /// <summary>Every key Npgsql reads a secret from (Password, PSW, PWD, SSL Password, ...), lower case without spaces:
    /// the properties Npgsql marks as password text, under their names, display names and synonyms.</summary>
    private static readonly HashSet<string> SecretKeys = FindSecretKeys();

    /// <summary>The given connection string, or else the environment variable's.</summary>
    /// <exception cref="ArgumentException">Neither is set.</exception>
    public static string Resolve(string? connectionString)
    {
        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            return connectionString;
        }

        return Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } fromEnvironment
            ? fromEnvironment
            : throw new ArgumentException($"No PostgreSQL connection string: pass one (e.g. \"Host=db;Database=tuning;Username=me;Password=...\") or set {EnvironmentVariable}.", nameof(connectionString));
    }

    /// <summary>The connection string with every secret (under any of Npgsql's names for it) replaced by ***, safe to
    /// print and log. A string that cannot be parsed is shown only by the host and database read before the fault.</summary>
    public static string Mask(string? connectionString)
    {
        if (string.IsNullOrEmpty(connectionString))
        {
            return "";
        }

        var parsed = Parse(connectionString);
        if (parsed.Complete)
        {
            return string.Join(";", parsed.Pairs.Select(p => $"{p.Key}={(IsSecret(p.Key) ? "***" : Quote(p.Value))}"));
        }

        var shown = parsed.Pairs.Where(p => Normalize(p.Key) is "host" or "server" or "database" or "db").Select(p => $"{p.Key}={Quote(p.Value)}").ToList();
        return shown.Count == 0 ? "(unparsable connection string)" : string.Join(";", shown) + " (rest unparsable)";
    }

    /// <summary>Replaces every secret of the connection string found in <paramref name="text"/> (an error message), and
    /// anything shaped like <c>password=...</c>, by ***.</summary>
    public static string Scrub(string text, string? connectionString)
    {
        ArgumentNullException.ThrowIfNull(text);
        text = PasswordPattern().Replace(text, "$1=***");
        if (string.IsNullOrEmpty(connectionString))
        {
            return text;
        }

        var parsed = Parse(connectionString);
        foreach (var secret in parsed.Pairs.Where(p => IsSecret(p.Key)).Select(p => p.Value).Concat(parsed.UnparsedSecretTails).Where(s => s.Length > 0).OrderByDescending(s => s.Length))
        {
            text = text.Replace(secret, "***", StringComparison.Ordinal);
        }

        return text;
    }

    private static bool IsSecret(string key) => SecretKeys.Contains(Normalize(key));

    private static string Normalize(string key) => string.Concat(key.Where(c => !char.IsWhiteSpace(c))).ToLowerInvariant();

    private static string Quote(string value) =>
        value.IndexOfAny([';', '=', '\'', '"']) < 0 && value.Trim() == value ? value : "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static HashSet<string> FindSecretKeys()
    {
        var keys = new HashSet<string>(StringComparer.Ordinal) { "password", "psw", "pwd", "sslpassword" };
        foreach (var property in typeof(NpgsqlConnectionStringBuilder).GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetCustomAttribute<PasswordPropertyTextAttribute>()?.Password != true)
            {
                continue;
            }

            keys.Add(Normalize(property.Name));
            if (property.GetCustomAttribute<DisplayNameAttribute>()?.DisplayName is { Length: > 0 } display)
            {
                keys.Add(Normalize(display));
            }

            // Npgsql keeps its synonym attribute internal; its Synonyms member is read by name.
            foreach (var attribute in property.GetCustomAttributes().Where(a => a.GetType().Name == "NpgsqlConnectionStringPropertyAttribute"))
            {
                var member = (MemberInfo?)attribute.GetType().GetProperty("Synonyms", BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance)
                    ?? attribute.GetType().GetField("Synonyms", BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance);
                var synonyms = member switch
                {
                    PropertyInfo p => p.GetValue(attribute),
                    FieldInfo f => f.GetValue(attribute),
                    _ => null,
                };
                if (synonyms is IEnumerable<string> names)
                {
                    keys.UnionWith(names.Select(Normalize));
                }
            }
        }

        return keys;
    }

    /// <summary>Reads <c>key=value</c> pairs by the rules of ADO.NET connection strings: values in single or double
    /// quotes (a doubled quote inside stands for one), <c>==</c> in a key for '='. Stops at the first fault.</summary>
    private static ParsedConnectionString Parse(string text)
    {
        var pairs = new List<KeyValuePair<string, string>>();
        var tails = new List<string>();
        var i = 0;
        while (true)
        {
            while (i < text.Length && (char.IsWhiteSpace(text[i]) || text[i] == ';'))
            {
                i++;
            }

            if (i >= text.Length)
            {
                return new ParsedConnectionString(pairs, true, tails);
            }

            var key = new StringBuilder();
            while (i < text.Length && !(text[i] == '=' && (i + 1 >= text.Length || text[i + 1] != '=')))
            {
                if (text[i] == ';')
                {
                    return new ParsedConnectionString(pairs, false, tails);
                }

                key.Append(text[i]);
                i += text[i] == '=' ? 2 : 1;
            }

            if (i >= text.Length || key.ToString().Trim().Length == 0)
            {
                return new ParsedConnectionString(pairs, false, tails);
            }

            var name = key.ToString().Trim();
            i++;
            while (i < text.Length && char.IsWhiteSpace(text[i]) && text[i] != ';')
            {
                i++;
            }

            var valueStart = i;
            var value = new StringBuilder();
            if (i < text.Length && text[i] is '"' or '\'')
            {
                var quote = text[i++];
                var closed = false;
                while (i < text.Length)
                {
                    if (text[i] == quote)
                    {
                        if (i + 1 < text.Length && text[i + 1] == quote)
                        {
                            value.Append(quote);
                            i += 2;
                            continue;
                        }

                        closed = true;
                        i++;
                        break;
                    }

                    value.Append(text[i++]);
                }

                while (i < text.Length && char.IsWhiteSpace(text[i]))
                {
                    i++;
                }

                if (!closed || (i < text.Length && text[i] != ';'))
                {
                    if (IsSecret(name))
                    {
                        // The secret's end is unknown: hide all that follows its key, and each piece of it.
                        var tail = text[valueStart..];
                        tails.Add(tail);
                        tails.AddRange(tail.Split(';', '"', '\'').Select(p => p.Trim()));
                    }

                    return new ParsedConnectionString(pairs, false, tails);
                }
            }
            else
            {
                while (i < text.Length && text[i] != ';')
                {
                    value.Append(text[i++]);
                }
            }

            pairs.Add(KeyValuePair.Create(name, value.ToString().Trim()));
        }
    }

    [GeneratedRegex("(?i)(password|pwd|psw)\\s*=\\s*(\"[^\"]*\"?|'[^']*'?|[^;]*)")]
    private static partial Regex PasswordPattern();

    private sealed record ParsedConnectionString(List<KeyValuePair<string, string>> Pairs, bool Complete, List<string> UnparsedSecretTails);
}
