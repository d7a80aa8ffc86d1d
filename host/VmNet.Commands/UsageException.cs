namespace VmNet.Commands;

/// <summary>A command's own "you asked for something that cannot be": exit code 2, its message on one line.</summary>
public sealed class UsageException(string message) : Exception(message);
