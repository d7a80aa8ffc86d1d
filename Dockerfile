# One image for every role: `docker run IMAGE serve --role audio-features`.
# The .NET 10 images are Debian 13 (libstdc++ new enough for TorchSharp without the Debian 12 patch).
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish host/VmNet.Cli/VmNet.Cli.csproj -c Release -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0
# yt-dlp: YouTube ingest (run with --ignore-config and a duration filter, services/ingest/README.md).
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg curl yt-dlp \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app .
COPY --from=build /src/deploy/rabbitmq-users.sh /app/deploy/rabbitmq-users.sh
# The data volume belongs to the image's non-root user ('app', uid 1654, from the aspnet base image); a named volume
# mounted on /data starts with this ownership.
RUN mkdir -p /data/inbox && chown -R app:app /data
ENV Storage__DataDir=/data \
    ASPNETCORE_URLS=http://0.0.0.0:8080
VOLUME /data
EXPOSE 8080 5081
USER app
HEALTHCHECK --interval=15s --timeout=5s --retries=5 CMD curl -fsS http://127.0.0.1:8080/health/live || exit 1
ENTRYPOINT ["dotnet", "vmnet.dll"]
CMD ["serve"]
