using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace VmNet.ServiceDefaults;

/// <summary>
/// A role's contribution to the one bus of the process: each <c>AddX()</c> adds its consumers here and
/// <see cref="BusExtensions.AddVmNetBus"/> applies them all in a single <c>AddMassTransit</c> call.
/// </summary>
public sealed record BusRegistration(string Role, Action<IBusRegistrationConfigurator> Register);

public static class BusRegistrationExtensions
{
    public static IServiceCollection AddRoleConsumers(
        this IServiceCollection services, string role, Action<IBusRegistrationConfigurator> register) =>
        services.AddSingleton(new BusRegistration(role, register));

    /// <summary>Applies every role's consumers registered so far (also used with the test harness).</summary>
    public static void AddRegisteredConsumers(this IBusRegistrationConfigurator bus, IServiceCollection services)
    {
        var registrations = services
            .Where(d => d.ServiceType == typeof(BusRegistration) && d.ImplementationInstance is BusRegistration)
            .Select(d => (BusRegistration)d.ImplementationInstance!)
            .ToList();
        foreach (var registration in registrations)
        {
            registration.Register(bus);
        }
    }
}
