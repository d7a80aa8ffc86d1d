using System.Net;
using System.Net.Sockets;

namespace VmNet.Testing;

public static class Ports
{
    /// <summary>A loopback port that was free a moment ago.</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Polls an HTTP health endpoint until it answers 200 (the vmnet host maps /health/ready).</summary>
    public static async Task WaitHealthyAsync(string url, TimeSpan timeout, VmnetProcess? process = null)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (process is { HasExited: true })
            {
                throw new InvalidOperationException($"vmnet exited before {url} was healthy: {process.Output}");
            }

            try
            {
                using var response = await http.GetAsync(url);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{url} not healthy within {timeout}: {process?.Output}");
            }

            await Task.Delay(250);
        }
    }
}
