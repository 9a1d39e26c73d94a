using System.Text.Json;
using System.Text.Json.Nodes;

namespace MLNetTuning.SearchSpaces;

/// <summary>Reads the JSON form of a search space.</summary>
internal static class SpaceJson
{
    public static HyperparameterSpace ReadSpace(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json);
        }
        catch (JsonException e)
        {
            throw new FormatException($"The search space is not valid JSON: {e.Message}", e);
        }

        if (root is not JsonObject obj)
        {
            throw new FormatException("A search space must be a JSON object.");
        }

        // Both {"type":"space","parameters":{...}} and a bare {"name": {...}} object are accepted.
        return obj["parameters"] is JsonObject parameters && obj["type"]?.GetValue<string>() == "space"
            ? ReadMembers(parameters, "")
            : ReadMembers(obj, "");
    }

    private static HyperparameterSpace ReadMembers(JsonObject parameters, string prefix)
    {
        var members = new List<KeyValuePair<string, HyperparameterDomain>>();
        foreach (var (name, node) in parameters)
        {
            var path = prefix.Length == 0 ? name : $"{prefix}.{name}";
            try
            {
                members.Add(new(name, ReadDomain(node as JsonObject ?? throw new FormatException("expected an object with a \"type\"."), path)));
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or JsonException)
            {
                throw new FormatException($"Parameter '{path}': {e.Message}", e);
            }
            catch (FormatException e) when (!e.Message.StartsWith("Parameter '", StringComparison.Ordinal))
            {
                throw new FormatException($"Parameter '{path}': {e.Message}", e);
            }
        }

        return new HyperparameterSpace(members);
    }

    private static HyperparameterDomain ReadDomain(JsonObject node, string path)
    {
        var type = node["type"]?.GetValue<string>() ?? throw new FormatException("missing \"type\".");
        switch (type)
        {
            case "double":
            case "float":
            case "int":
                var numericType = type switch { "double" => NumericType.Double, "float" => NumericType.Single, _ => NumericType.Int32 };
                return new NumericRange(
                    numericType,
                    Required(node, "min").GetValue<double>(),
                    Required(node, "max").GetValue<double>(),
                    node["log"]?.GetValue<bool>() ?? false,
                    node["default"]?.GetValue<double>(),
                    path);
            case "bool":
                return new ChoiceDomain([false, true], node["default"]?.GetValue<bool>(), path);
            case "choice":
                var enumType = ReadEnumType(node);
                var values = (Required(node, "values") as JsonArray ?? throw new FormatException("\"values\" must be an array."))
                    .Select(v => ReadScalar(v, enumType)).ToList();
                if (values.Count > 0 && values.All(x => x is int or double) && values.Any(x => x is double))
                {
                    values = values.Select(x => (object)Convert.ToDouble(x, System.Globalization.CultureInfo.InvariantCulture)).ToList();
                }

                return new ChoiceDomain(values, node["default"] is { } d ? ReadScalar(d, enumType) : null, path);
            case "constant":
                return new ConstantDomain(ReadScalar(Required(node, "value"), ReadEnumType(node)), path);
            case "space":
                return ReadMembers(Required(node, "parameters") as JsonObject ?? throw new FormatException("\"parameters\" must be an object."), path);
            case "conditional":
                var branches = Required(node, "branches") as JsonObject ?? throw new FormatException("\"branches\" must be an object.");
                return new ConditionalChoice(
                    branches.Select(kv => new KeyValuePair<string, HyperparameterSpace>(
                        kv.Key,
                        ReadMembers(kv.Value as JsonObject ?? throw new FormatException($"branch '{kv.Key}' must be an object."), $"{path}.{kv.Key}"))),
                    node["default"]?.GetValue<string>(),
                    path);
            default:
                throw new FormatException($"unknown type \"{type}\" (expected double, float, int, bool, choice, constant, space or conditional).");
        }
    }

    private static JsonNode Required(JsonObject node, string property) =>
        node[property] ?? throw new FormatException($"missing \"{property}\".");

    private static Type? ReadEnumType(JsonObject node)
    {
        var name = node["enum"]?.GetValue<string>();
        if (name is null)
        {
            return null;
        }

        // An enum type that cannot be loaded here keeps its values as names, which decode into options all the same.
        var type = Type.GetType(name, throwOnError: false);
        return type is { IsEnum: true } ? type : null;
    }

    private static object ReadScalar(JsonNode? node, Type? enumType)
    {
        if (node is not JsonValue v)
        {
            throw new FormatException($"expected a string, number or boolean, got {node?.ToJsonString() ?? "null"}.");
        }

        if (v.TryGetValue(out string? s))
        {
            return enumType is null ? s : Enum.Parse(enumType, s);
        }

        if (v.TryGetValue(out bool b))
        {
            return b;
        }

        if (v.TryGetValue(out int i))
        {
            return i;
        }

        return v.GetValue<double>();
    }
}
