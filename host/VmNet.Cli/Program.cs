using VmNet.Cli;

return await CommandRunner.RunAsync(VmNetCommands.Build(), args);
