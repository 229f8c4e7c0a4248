using System.CommandLine;
using Conformance.Catalogue.Reports;

namespace Conformance.Harness.Verbs;

/// <summary>
/// `conformance diff A B`: two runs side by side, case by case, e.g. upstream against a backport.
/// Exit 0 when no case's status differs, 1 when one does, 2 when an input cannot be read.
/// </summary>
public static class DiffVerb
{
    public static Command Create()
    {
        var a = new Argument<string>("A") { Description = "A result folder, a results.json, or a folder of kernel folders (paired with B's by arch)" };
        var b = new Argument<string>("B") { Description = "The same for the other run" };
        var cmd = new Command("diff", "Compare two runs case by case: cases whose status differs, cases only one run has, and the counts") { a, b };
        cmd.SetAction(parse =>
        {
            ResultsDiffReport report;
            try
            {
                report = ResultsDiff.Compare(ResultsFile.Locate(parse.GetValue(a)!), ResultsFile.Locate(parse.GetValue(b)!));
            }
            catch (ResultsFormatException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 2;
            }
            if (report.Pairs.Count == 0)
            {
                Console.Error.WriteLine("error: nothing to compare: A and B have no arch in common");
                Console.Error.Write(DiffText.Render(report));
                return 2;
            }
            Console.Write(DiffText.Render(report));
            return report.StatusDiffers ? 1 : 0;
        });
        return cmd;
    }
}
