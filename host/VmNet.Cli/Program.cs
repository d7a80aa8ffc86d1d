using VmNet.Cli;

return await VmNetCommands.Build().Parse(args).InvokeAsync();
