using System.Globalization;
using Spectre.Console;

namespace MLNetTuning.Cli.Data;

/// <summary>The columns' kinds as a table, shown before tuning so that a wrong guess is seen before it costs a run.</summary>
internal static class ColumnKindTable
{
    public static void Write(IAnsiConsole console, TabularFile file, LabelCheck label)
    {
        var table = new Table().Title("Columns").AddColumns("column", "kind", "from", "missing", "distinct", "note");
        foreach (var c in file.Columns)
        {
            var isLabel = c.Name == label.Column.Name;
            var kind = isLabel ? "label" : c.Kind.ToString().ToLowerInvariant();
            var from = isLabel ? "--label" : c.Overridden ? "--column-kind" : c.Scan.Present == 0 ? "no values" : "inferred";
            var note = isLabel ? LabelNote(label)
                : c.Kind == ColumnKind.Numeric && c.Scan.NonNumbers > 0 ? $"{c.Scan.NonNumbers} non-numbers count as missing"
                : "";
            table.AddRow(
                Markup.Escape(c.Name),
                kind,
                from,
                c.Scan.Missing.ToString(CultureInfo.InvariantCulture),
                c.Scan.MoreDistinct ? $">{ColumnScan.DistinctLimit}" : c.DistinctValues.ToString(CultureInfo.InvariantCulture),
                Markup.Escape(note));
        }

        console.Write(table);
        console.MarkupLine("Override a kind with --column-kind NAME=numeric|text|categorical|ignore.");
        if (label.Warning is { } labelWarning)
        {
            console.MarkupLineInterpolated($"[yellow]warning:[/] {labelWarning}");
        }

        foreach (var warning in file.Warnings(label.Column.Name))
        {
            console.MarkupLineInterpolated($"[yellow]warning:[/] {warning}");
        }
    }

    private static string LabelNote(LabelCheck label)
    {
        var parts = new List<string>();
        if (label.PositiveClass is { } positive)
        {
            parts.Add($"positive class '{positive}'");
        }

        if (label.DroppedRows > 0)
        {
            parts.Add($"{label.DroppedRows} rows without a label dropped");
        }

        return string.Join("; ", parts);
    }
}
