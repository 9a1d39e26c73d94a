using MLNetTuning.Benchmarks;

var commands = typeof(IBenchmarkCommand).Assembly.GetTypes()
    .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IBenchmarkCommand).IsAssignableFrom(t))
    .Select(t => (IBenchmarkCommand)Activator.CreateInstance(t)!)
    .OrderBy(c => c.Name, StringComparer.Ordinal)
    .ToList();

if (args.Length == 0 || args[0] is "-h" or "--help")
{
    Console.WriteLine("usage: dotnet run -c Release --project tests/MLNetTuning.Benchmarks -- COMMAND [--option value ...]");
    foreach (var c in commands)
    {
        Console.WriteLine($"  {c.Name,-16} {c.Summary}");
    }

    return args.Length == 0 ? 2 : 0;
}

var command = commands.FirstOrDefault(c => c.Name == args[0]);
if (command is null)
{
    Console.Error.WriteLine($"Unknown command '{args[0]}'. Known: {string.Join(", ", commands.Select(c => c.Name))}.");
    return 2;
}

try
{
    var arguments = new BenchmarkArguments(args.Skip(1));
    arguments.CreateOutputFolder();
    return command.Run(arguments);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}
