using System.Text;
using Conformance.Machines.Protocol;

namespace Conformance.Tests.Protocol;

public class FrameScannerTests
{
    sealed class Collected
    {
        public readonly List<Frame> Frames = [];
        public readonly StringBuilder Text = new();
        public readonly List<(string Reason, uint? Seq)> Corrupt = [];
        public readonly List<string> Events = [];
        public FrameScanner Scanner { get; }

        public Collected()
        {
            Scanner = new FrameScanner(
                f => { Frames.Add(f); Events.Add($"frame {f.Seq}"); },
                t => { Text.Append(t); Events.Add("text"); },
                (r, s) => { Corrupt.Add((r, s)); Events.Add($"corrupt {s}"); });
        }
    }

    static string Line(string type, uint seq, byte[] payload) => Encoding.ASCII.GetString(FrameCodec.Encode(type, seq, payload));

    static readonly byte[] Payload = Enumerable.Range(0, 200).Select(i => (byte)i).ToArray();

    [Test]
    public void Console_noise_before_between_and_after_frames_is_text_and_frames_come_through()
    {
        var stream = "[    0.000000] Linux version 6.1.0\r\n" +
                     "[    1.2] random: crng init done\r\n" + Line("HELO", 0, Payload) +
                     "noise on its own line\n" +
                     "[    2.5] audit: type=1326 " + Line("RSLT", 1, Payload) +   // text before the magic on the same line
                     Line("DONE", 2, [7, 0, 0, 0]) +
                     "[    9.9] reboot: Restarting system\r\n";
        var c = new Collected();
        c.Scanner.Feed(Encoding.ASCII.GetBytes(stream));

        Assert.That(c.Frames.Select(f => f.Type), Is.EqualTo(new[] { "HELO", "RSLT", "DONE" }));
        Assert.That(c.Frames[1].Payload, Is.EqualTo(Payload));
        Assert.That(c.Corrupt, Is.Empty);
        Assert.That(c.Text.ToString(), Is.EqualTo("[    0.000000] Linux version 6.1.0\r\n[    1.2] random: crng init done\r\n" +
            "noise on its own line\n[    2.5] audit: type=1326 [    9.9] reboot: Restarting system\r\n"));
    }

    [Test]
    public void Feeding_one_byte_at_a_time_gives_the_same_frames_and_text()
    {
        var stream = "boot\n" + Line("HELO", 0, Payload) + "x@@y\n" + Line("PONG", 1, [1, 2, 3, 4]) + "tail";
        var whole = new Collected();
        whole.Scanner.Feed(Encoding.ASCII.GetBytes(stream));
        var bytewise = new Collected();
        foreach (var b in Encoding.ASCII.GetBytes(stream)) bytewise.Scanner.Feed([b]);

        Assert.That(bytewise.Frames.Select(f => (f.Type, f.Seq)), Is.EqualTo(whole.Frames.Select(f => (f.Type, f.Seq))));
        Assert.That(bytewise.Text.ToString(), Is.EqualTo("boot\nx@@y\ntail"));
        Assert.That(whole.Text.ToString(), Is.EqualTo("boot\nx@@y\ntail"));
    }

    [Test]
    public void A_partial_line_that_may_start_a_frame_is_held_until_decided()
    {
        var c = new Collected();
        c.Scanner.Feed("login: abc@@C"u8);
        Assert.That(c.Text.ToString(), Is.EqualTo("login: abc"), "text before a possible magic goes out at once");

        c.Scanner.Feed("F1 PING 3 4 99f8b879 AQAA"u8);
        Assert.That(c.Frames, Is.Empty);
        Assert.That(c.Text.ToString(), Is.EqualTo("login: abc"));

        c.Scanner.Feed("AA==\n"u8);
        Assert.That(c.Frames.Single().Seq, Is.EqualTo(3u));

        c.Scanner.Feed("@@CX not a frame\n"u8);
        Assert.That(c.Text.ToString(), Is.EqualTo("login: abc@@CX not a frame\n"));
    }

    [Test]
    public void A_kernel_message_spliced_into_a_frame_makes_it_corrupt_and_names_its_sequence()
    {
        var line = Line("RSLT", 5, Payload);
        int cut = line.Length / 2;
        var spliced = line[..cut] + "\r\n[   12.345678] WARNING: CPU: 0 PID: 1 at kernel/foo.c:1\r\n" + line[cut..] + Line("DONE", 6, [0, 0, 0, 0]);
        var c = new Collected();
        c.Scanner.Feed(Encoding.ASCII.GetBytes(spliced));

        Assert.That(c.Corrupt.Single().Seq, Is.EqualTo(5u));
        Assert.That(c.Frames.Single().Type, Is.EqualTo("DONE"));
        Assert.That(c.Text.ToString(), Does.Contain("WARNING: CPU: 0 PID: 1"));
        Assert.That(c.Text.ToString(), Does.EndWith(line[cut..]), "the rest of the broken line is console text");
    }

    [Test]
    public void Flush_gives_out_held_text_at_end_of_stream()
    {
        var c = new Collected();
        c.Scanner.Feed("halted @@CF"u8);
        c.Scanner.Flush();
        Assert.That(c.Text.ToString(), Is.EqualTo("halted @@CF"));
    }

    [Test]
    public void Multibyte_text_split_across_reads_is_decoded_whole()
    {
        var c = new Collected();
        var bytes = Encoding.UTF8.GetBytes("µ-kernel ✓\n");
        foreach (var b in bytes) c.Scanner.Feed([b]);
        Assert.That(c.Text.ToString(), Is.EqualTo("µ-kernel ✓\n"));
    }
}
