using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MLNetTuning.Visualization;

namespace MLNetTuning.Tests.Visualization;

/// <summary>
/// Opens generated reports in headless Chromium (Debian's <c>chromium</c>; CHROMIUM_PATH overrides) with the network
/// cut off, and checks that no script failed and that every chart drew its marks: SVG points, lines, bars and contour
/// paths, or lit pixels on the WebGL canvases (parallel coordinates, big scatters; software GL via SwiftShader).
/// A screenshot of each report is saved with the test results.
/// </summary>
[NonParallelizable]
public partial class BrowserReportTests
{
    [GeneratedRegex("<pre id=\"browser-check\">(.*?)</pre>", RegexOptions.Singleline)]
    private static partial Regex CheckResult();

    private static string? Chromium()
    {
        var candidates = new[] { Environment.GetEnvironmentVariable("CHROMIUM_PATH"), "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome" };
        return candidates.FirstOrDefault(c => !string.IsNullOrEmpty(c) && File.Exists(c));
    }

    private static string RunChromium(string chromium, string profile, params string[] args)
    {
        var start = new ProcessStartInfo(chromium) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[]
        {
            "--headless", "--no-sandbox", "--disable-dev-shm-usage", "--no-first-run", "--disable-extensions", $"--user-data-dir={profile}",
            // No network: every host name fails to resolve and any proxy use hits a closed port.
            "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=http://127.0.0.1:9", "--disable-background-networking",
            // WebGL on the CPU.
            "--use-angle=swiftshader", "--enable-unsafe-swiftshader", "--ignore-gpu-blocklist",
            "--allow-file-access-from-files", "--virtual-time-budget=30000",
        }.Concat(args))
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("Chromium did not finish within 3 minutes.");
        }

        Assert.That(process.ExitCode, Is.EqualTo(0), error.Result);
        return output.Result;
    }

    [Test]
    public void EveryChartOfEveryReportDrawsItsMarksOfflineWithoutScriptErrors()
    {
        var chromium = Chromium();
        if (chromium is null)
        {
            Assert.Ignore("Chromium is not installed (apt-get install chromium); CI installs it.");
            return;
        }

        var folder = Path.Combine(TestContext.CurrentContext.WorkDirectory, "browser-reports");
        Directory.CreateDirectory(folder);
        var check = File.ReadAllText(Path.Combine(TestContext.CurrentContext.TestDirectory, "Visualization", "BrowserCheck.js"));
        var seen = new List<string>();
        foreach (var (name, study) in new[] { ("hyperband", SampleStudies.Hyperband()), ("pbt", SampleStudies.Pbt()), ("conditional", SampleStudies.Conditional(200)) })
        {
            var html = StudyReport.Build(study);
            var (charts, _) = StudyReport.Charts(study);
            var report = Path.Combine(folder, $"{name}.html");
            File.WriteAllText(report, html);
            var checkedCopy = Path.Combine(folder, $"{name}.check.html");
            var head = html.IndexOf("<head>", StringComparison.Ordinal) + "<head>".Length;
            File.WriteAllText(checkedCopy, html[..head] + "<script>" + check + "</script>" + html[head..]);

            var profile = Path.Combine(folder, "profile-" + name);
            var dom = RunChromium(chromium, profile, "--dump-dom", new Uri(checkedCopy).AbsoluteUri);
            var match = CheckResult().Match(dom);
            Assert.That(match.Success, Is.True, $"{name}: the check script did not report; DOM starts: {dom[..Math.Min(500, dom.Length)]}");
            var result = JsonNode.Parse(WebUtility.HtmlDecode(match.Groups[1].Value))!;
            TestContext.Out.WriteLine($"{name}: {result.ToJsonString()}");
            Assert.That(result["errors"]!.AsArray(), Is.Empty, $"{name}: JavaScript errors");
            Assert.That(result["external"]!.AsArray(), Is.Empty, $"{name}: resources fetched from the network");
            var drawn = result["charts"]!.AsArray();
            Assert.That(drawn.Select(c => (string)c!["id"]!), Is.EqualTo(charts.Select(c => c.Id)), $"{name}: every chart rendered");
            foreach (var chart in drawn)
            {
                var id = (string)chart!["id"]!;
                var traces = chart["traces"]!.AsArray();
                Assert.That(traces, Is.Not.Empty, $"{name}/{id}: no trace");
                Assert.That(traces.Sum(t => (int)t!["points"]!), Is.GreaterThan(0), $"{name}/{id}: traces hold no data");
                if (traces.Any(t => (string?)t!["type"] == "parcoords"))
                {
                    Assert.That((int)chart["parcoordsAxes"]!, Is.GreaterThan(0), $"{name}/{id}: no parcoords axes");
                    Assert.That((int)chart["glPixels"]!, Is.GreaterThan(1000), $"{name}/{id}: parcoords drew no lines");
                }
                else
                {
                    Assert.That((int)chart["svgMarks"]! + (int)chart["glPixels"]!, Is.GreaterThan(0), $"{name}/{id}: an empty frame");
                }

                seen.Add($"{name}/{id}");
            }

            var screenshot = Path.Combine(folder, $"{name}.png");
            RunChromium(chromium, profile, $"--screenshot={screenshot}", "--window-size=1280,8000", "--hide-scrollbars", new Uri(report).AbsoluteUri);
            Assert.That(new FileInfo(screenshot).Length, Is.GreaterThan(20_000), $"{name}: screenshot");
            TestContext.AddTestAttachment(screenshot, $"Report of the {name} study");
        }

        TestContext.Out.WriteLine("Charts drawn: " + string.Join(", ", seen));
    }
}
