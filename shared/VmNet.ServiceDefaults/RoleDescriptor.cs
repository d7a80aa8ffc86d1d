using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;

namespace VmNet.ServiceDefaults;

/// <summary>
/// What a service adds to a host, in one place: its role name (also its queue prefix and concurrency key), its
/// services and consumers (which include its health checks), and the endpoints it maps, if any. Each service has
/// exactly one; the host lists them once.
/// </summary>
public sealed record RoleDescriptor(
    string Name,
    string Summary,
    Action<IHostApplicationBuilder> AddServices,
    Action<WebApplication>? MapEndpoints = null);
