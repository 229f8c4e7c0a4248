using System.Text;

namespace Conformance.Machines.Vm;

/// <summary>
/// Copies a guest's serial output into a <see cref="ConsoleMonitor"/> when no agent session reads
/// it (bare-init boots). Decoding keeps state across reads, so a UTF-8 sequence split between two
/// reads is not mangled.
/// </summary>
public static class ConsolePump
{
    public static async Task RunAsync(Stream output, ConsoleMonitor monitor, CancellationToken cancellationToken)
    {
        var decoder = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false).GetDecoder();
        var bytes = new byte[8192];
        var chars = new char[8192 + 4];
        try
        {
            int n;
            while ((n = await output.ReadAsync(bytes, cancellationToken)) > 0)
            {
                var count = decoder.GetChars(bytes, 0, n, chars, 0, flush: false);
                if (count > 0)
                    monitor.Append(new string(chars, 0, count));
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (IOException)
        {
            // The pipe broke because QEMU was killed; whatever arrived is in the monitor.
        }
        monitor.Complete();
    }
}
