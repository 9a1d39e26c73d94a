using System.Text;

namespace SupportTickets.Training;

/// <summary>
/// Makes a synthetic help-desk data set: short support messages and their team (billing, technical, shipping,
/// account). Each message is a phrase of its team with random products, devices and numbers, often a greeting or
/// a closing, sometimes a clause of another team ("... and I was charged twice"), a typo, or a wrong team, so
/// words alone do not decide every message. Written once with a fixed seed, so every run tunes the same data.
/// </summary>
internal static class TicketData
{
    private static readonly string[] Products = ["premium plan", "family plan", "headphones", "smart watch", "gift card", "annual subscription", "charger", "camera"];
    private static readonly string[] Devices = ["iPhone", "Android phone", "tablet", "laptop", "smart TV", "Windows PC"];
    private static readonly string[] Features = ["settings", "the checkout page", "search", "notifications", "the order history", "dark mode", "the photo upload"];

    private static readonly Dictionary<string, string[]> Phrases = new()
    {
        ["billing"] =
        [
            "I was charged twice for my {product} this month",
            "please refund the {number} dollars you took for the {product}",
            "why is my invoice higher than last month",
            "the payment for the {product} failed but the money left my account",
            "cancel my {product} and stop charging my card",
            "my credit card was billed after I cancelled",
            "I need a receipt for the {product} for my taxes",
            "the discount code was not applied to my bill",
        ],
        ["technical"] =
        [
            "the app crashes when I open {feature}",
            "{feature} does not load on my {device}",
            "I get error {number} every time I try to sync",
            "the {device} app freezes after the last update",
            "{feature} shows a blank screen on my {device}",
            "videos keep buffering and the app is very slow",
            "the app will not install on my {device}",
            "bluetooth pairing with the {product} keeps failing",
        ],
        ["shipping"] =
        [
            "my {product} has not arrived yet",
            "the tracking number has not updated for {number} days",
            "the parcel was delivered to the wrong address",
            "the box with my {product} arrived damaged",
            "can you send the {product} by express delivery",
            "the courier left my package at a neighbour",
            "I ordered {number} days ago and nothing has shipped",
            "the delivery is missing one {product}",
        ],
        ["account"] =
        [
            "I cannot log in to my account",
            "please reset my password, the reset email never comes",
            "how do I change the email address on my account",
            "my account was locked after {number} failed attempts",
            "someone else logged in to my account from a {device}",
            "I want to delete my account and my data",
            "two factor codes do not reach my {device}",
            "please merge my two accounts into one",
        ],
    };

    private static readonly string[] Greetings = ["hi, ", "hello, ", "hey ", "good morning, ", "dear support, "];
    private static readonly string[] Closings = [". thanks", ". please help", ", this is urgent", ". regards", "!!", ". thank you in advance"];

    /// <summary>The teams, in the order the generator draws them.</summary>
    public static IReadOnlyList<string> Teams => [.. Phrases.Keys];

    public static void Write(string path, int rows, int seed)
    {
        var random = new Random(seed);
        var text = new StringBuilder("Text,Team\n");
        var teams = Teams;
        for (var i = 0; i < rows; i++)
        {
            var team = teams[random.Next(teams.Count)];
            var message = Fill(Pick(random, Phrases[team]), random);
            if (random.NextDouble() < 0.2)
            {
                var other = teams[random.Next(teams.Count)];
                message += " and " + Fill(Pick(random, Phrases[other]), random);
            }

            if (random.NextDouble() < 0.5)
            {
                message = Pick(random, Greetings) + message;
            }

            if (random.NextDouble() < 0.5)
            {
                message += Pick(random, Closings);
            }

            if (random.NextDouble() < 0.15)
            {
                var at = random.Next(message.Length);
                message = message.Remove(at, 1); // A typo.
            }

            if (random.NextDouble() < 0.03)
            {
                team = teams[random.Next(teams.Count)]; // Sent to the wrong team.
            }

            text.Append('"').Append(message.Replace("\"", "", StringComparison.Ordinal)).Append("\",").Append(team).Append('\n');
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, text.ToString());
    }

    private static string Pick(Random random, string[] items) => items[random.Next(items.Length)];

    private static string Fill(string phrase, Random random) => phrase
        .Replace("{product}", Pick(random, Products), StringComparison.Ordinal)
        .Replace("{device}", Pick(random, Devices), StringComparison.Ordinal)
        .Replace("{feature}", Pick(random, Features), StringComparison.Ordinal)
        .Replace("{number}", random.Next(2, 60).ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
}
