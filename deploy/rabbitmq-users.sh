#!/bin/sh
# One RabbitMQ user per role: `rabbitmq-users.sh ROLE...` creates (or updates) user ROLE with the password in
# /run/secrets/rabbitmq-ROLE, allowed on the default vhost, through the management API at $RABBITMQ_API as the
# administrator of /run/secrets/rabbitmq-admin. Passwords never appear on a command line or in the environment:
# curl reads the credentials and the request body from files.
set -eu
api=${RABBITMQ_API:-http://rabbitmq:15672}
secrets=${SECRETS_DIR:-/run/secrets}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
umask 077

check() {
  # Passwords go into JSON as they are: letters, digits, '-' and '_' only (scripts/make-secrets.sh makes hex).
  case "$1" in
    '' | *[!A-Za-z0-9_-]*) echo "rabbitmq-users: $2 must be non-empty [A-Za-z0-9_-]" >&2; exit 1 ;;
  esac
}

admin=$(cat "$secrets/rabbitmq-admin")
check "$admin" rabbitmq-admin
printf 'user = "admin:%s"\n' "$admin" > "$work/auth"

for role in "$@"; do
  check "$role" "role name $role"
  password=$(cat "$secrets/rabbitmq-$role")
  check "$password" "rabbitmq-$role"
  printf '{"password":"%s","tags":""}' "$password" > "$work/user.json"
  curl -fsS -K "$work/auth" -X PUT -H 'content-type: application/json' --data-binary "@$work/user.json" "$api/api/users/$role"
  printf '{"configure":".*","write":".*","read":".*"}' > "$work/perm.json"
  curl -fsS -K "$work/auth" -X PUT -H 'content-type: application/json' --data-binary "@$work/perm.json" "$api/api/permissions/%2F/$role"
  echo "rabbitmq-users: $role" >&2
done

# The administrator is for this script and for people; the roles never use it.
