#!/usr/bin/env bash
# Starts or stops a private RabbitMQ on loopback without systemd (Debian's rabbitmq-server package).
#   scripts/rabbitmq.sh start DIR PORT   -> prints the path of an environment file to source: VMNET_TEST_RABBITMQ
#                                           (the amqp URI) and VMNET_TEST_RABBITMQCTL (DIR/rabbitmqctl, a wrapper
#                                           that reaches this node); node rabbit-PORT@localhost
#   scripts/rabbitmq.sh stop DIR
# The node's own settings (HOME for its Erlang cookie, RABBITMQ_*) stay in DIR/node.env: they must not leak into
# the caller, whose HOME decides where dotnet keeps its NuGet cache.
set -euo pipefail
cmd=${1:?start|stop}; dir=${2:?state directory}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
node_env="$dir/node.env"

if [ "$cmd" = start ]; then
  port=${3:?port}
  # Erlang distribution needs a second port: the first free one above the AMQP port.
  dist=$((port + 1))
  while (echo >"/dev/tcp/127.0.0.1/$dist") 2>/dev/null; do dist=$((dist + 1)); done
  printf '[].\n' > "$dir/enabled_plugins"
  printf 'loopback_users = none\nlisteners.tcp.default = 127.0.0.1:%s\n' "$port" > "$dir/rabbitmq.conf"
  cat > "$node_env" <<ENV
export PATH=/usr/lib/rabbitmq/bin:\$PATH
export HOME=$dir
export RABBITMQ_MNESIA_BASE=$dir/mnesia
export RABBITMQ_LOG_BASE=$dir/log
export RABBITMQ_PID_FILE=$dir/rabbit.pid
export RABBITMQ_ENABLED_PLUGINS_FILE=$dir/enabled_plugins
export RABBITMQ_CONFIG_FILE=$dir/rabbitmq
export RABBITMQ_NODENAME=rabbit-$port@localhost
export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
export RABBITMQ_NODE_PORT=$port
export RABBITMQ_DIST_PORT=$dist
export ERL_EPMD_ADDRESS=127.0.0.1
export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
export RABBITMQ_CTL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
ENV
  printf '#!/usr/bin/env bash\nsource %q\nexec rabbitmqctl "$@"\n' "$node_env" > "$dir/rabbitmqctl"
  chmod +x "$dir/rabbitmqctl"
  printf 'export VMNET_TEST_RABBITMQ=amqp://guest:guest@127.0.0.1:%s/\nexport VMNET_TEST_RABBITMQCTL=%q\n' \
    "$port" "$dir/rabbitmqctl" > "$dir/test.env"
  # shellcheck disable=SC1090
  source "$node_env"
  rabbitmq-server -detached >/dev/null 2>&1
  # The detached node needs a moment to register with epmd before await_startup can find it.
  for _ in $(seq 1 90); do
    rabbitmqctl -q await_startup --timeout 90 >/dev/null 2>&1 && { echo "$dir/test.env"; exit 0; }
    sleep 1
  done
  echo "rabbitmq: did not start; logs in $dir/log" >&2
  exit 1
elif [ "$cmd" = stop ]; then
  [ -f "$node_env" ] || exit 0
  # shellcheck disable=SC1090
  source "$node_env"
  rabbitmqctl -q stop "$RABBITMQ_PID_FILE" >/dev/null 2>&1 || true
  # epmd is shared by every node on the machine: stop it only when no node is left.
  if ! epmd -names 2>/dev/null | grep -q '^name '; then epmd -kill >/dev/null 2>&1 || true; fi
else
  echo "usage: $0 start DIR PORT | stop DIR" >&2
  exit 2
fi
