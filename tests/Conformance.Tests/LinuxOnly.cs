// The harness drives Linux kernels, QEMU and a Linux agent; nothing here runs elsewhere.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
