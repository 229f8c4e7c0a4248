using System.Diagnostics;
using Conformance.Machines.Vm;

// Starts `sleep 600` through the launcher QEMU uses, from a thread-pool thread as the runner's
// async code would, prints the child's pid, and waits to be killed.
var child = await Task.Run(() => ParentDeathLauncher.Start(new ProcessStartInfo("sleep") { ArgumentList = { "600" }, UseShellExecute = false }));
Console.WriteLine(child.Id);
Console.Out.Flush();
Thread.Sleep(Timeout.Infinite);
