using Conformance.Catalogue.Cases;

namespace Conformance.Catalogue.Judge;

/// <summary>What the model says a step must observe, and why (quoted in reports).</summary>
public sealed record Prediction(Matcher? Matcher, string Why, bool Kills = false, bool KillsThreadOnly = false)
{
    /// <summary>The model cannot say: the case must state the result (reported as a case error).</summary>
    public static Prediction Unknown(string why) => new(null, why);
}
