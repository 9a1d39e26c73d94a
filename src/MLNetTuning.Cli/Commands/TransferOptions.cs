using System.CommandLine;
using MLNetTuning.Cli.Lookup;
using MLNetTuning.Cli.Running;

namespace MLNetTuning.Cli.Commands;

/// <summary><c>tune</c>'s options for starting from known points and earlier studies: --enqueue, --enqueue-file,
/// --warm-start and --warm-start-storage (docs/retuning.md).</summary>
internal sealed class TransferOptions
{
    private readonly Option<string[]> _enqueue = new("--enqueue") { Description = "A point to run first, as JSON: {\"trainer\": \"FastTree\"}, {\"trainer\": {\"FastTree\": {\"NumberOfLeaves\": 31}}}. Parameters left out are drawn by the tuner. Repeatable; run in the order given." };
    private readonly Option<string?> _enqueueFile = new("--enqueue-file") { Description = "A file of points to run first: one JSON object per line (blank lines and lines starting with # are skipped), or one JSON array of objects. Run after the --enqueue points." };
    private readonly Option<string?> _warmStart = new("--warm-start") { Description = "Warm start from this earlier study: its best trials are re-evaluated first and TPE/CMA-ES take it as a prior, switched off when the re-evaluations do not rank like the source." };
    private readonly Option<string?> _portfolio = new("--portfolio") { Description = "A portfolio file (written by 'portfolio build') for this task, or 'default' for the one shipped with the pack: its configurations of the trainers tuned here run first, after the --enqueue points." };
    private readonly Option<string?> _warmStartStorage = new("--warm-start-storage") { Description = "The store holding the --warm-start study (same forms as --storage). Default: the study's own store." };

    /// <summary>The --portfolio value that names the portfolio shipped in the core package.</summary>
    public const string DefaultPortfolio = "default";

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(_enqueue);
        command.Options.Add(_enqueueFile);
        command.Options.Add(_warmStart);
        command.Options.Add(_portfolio);
        command.Options.Add(_warmStartStorage);
    }

    /// <summary>The request, or null when none of the options was given.</summary>
    /// <exception cref="CliException">The enqueue file is missing or not JSON lines / a JSON array; --warm-start-storage without --warm-start.</exception>
    public TransferRequest? Read(ParseResult result, string task, string? storage, string? connection, string defaultSqlite, bool createOnly)
    {
        var points = (result.GetValue(_enqueue) ?? []).Select((json, i) => ($"--enqueue #{i + 1}", json)).ToList();
        if (result.GetValue(_enqueueFile) is { } file)
        {
            points.AddRange(ReadFile(file));
        }

        var warmStart = result.GetValue(_warmStart);
        var warmStorage = result.GetValue(_warmStartStorage);
        if (warmStorage is not null && warmStart is null)
        {
            throw new CliException("--warm-start-storage names the store of the --warm-start study; give --warm-start STUDY too.");
        }

        var portfolio = new List<Portfolios.PortfolioEntry>();
        if (result.GetValue(_portfolio) is { } portfolioFile)
        {
            try
            {
                // "default" names the shipped portfolio; a file of that name is given as ./default.
                portfolio.AddRange(portfolioFile == DefaultPortfolio
                    ? Portfolios.PortfolioFile.LoadDefault(TaskNames.Parse(task))
                    : Portfolios.PortfolioFile.Load(portfolioFile, task));
            }
            catch (ArgumentException e)
            {
                throw new CliException($"--portfolio: {CliException.MessageOf(e)}");
            }
        }

        var request = new TransferRequest { Points = points, Portfolio = portfolio, WarmStartStudy = warmStart, WarmStartStorage = warmStorage, OwnStore = (storage, connection, defaultSqlite) };
        if (!request.IsEmpty && createOnly)
        {
            throw new CliException("--enqueue, --enqueue-file, --portfolio and --warm-start act on the run that tunes, not on --create-only: the queue is not stored. Give them to 'tune' without --create-only.");
        }

        return request.IsEmpty ? null : request;
    }

    private static IEnumerable<(string Origin, string Json)> ReadFile(string file)
    {
        if (!File.Exists(file))
        {
            throw new CliException($"--enqueue-file: '{Path.GetFullPath(file)}' does not exist.");
        }

        var text = File.ReadAllText(file);
        if (text.TrimStart().StartsWith('['))
        {
            System.Text.Json.Nodes.JsonArray array;
            try
            {
                array = System.Text.Json.Nodes.JsonNode.Parse(text)?.AsArray() ?? [];
            }
            catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException)
            {
                throw new CliException($"--enqueue-file '{file}': not a JSON array of points ({e.Message}).");
            }

            return array.Select((node, i) => ($"{file} point {i + 1}", node?.ToJsonString() ?? "null")).ToList();
        }

        return text.Split('\n')
            .Select((line, i) => (Origin: $"{file} line {i + 1}", Json: line.Trim()))
            .Where(l => l.Json.Length > 0 && !l.Json.StartsWith('#'))
            .ToList();
    }
}
