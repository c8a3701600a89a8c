#!/usr/bin/env bash
# Compiles the Kafka mock broker against Debian's librdkafka-dev.
#   tools/kafka-mock-broker/build.sh [output-path]   (default: tools/kafka-mock-broker/bin/mock-broker)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:-$here/bin/mock-broker}"

if ! command -v gcc >/dev/null; then
  echo "kafka mock broker: gcc not found; install it with: apt-get install -y build-essential" >&2
  exit 1
fi
if [ ! -f /usr/include/librdkafka/rdkafka_mock.h ]; then
  echo "kafka mock broker: librdkafka/rdkafka_mock.h not found; install it with: apt-get install -y librdkafka-dev" >&2
  exit 1
fi

mkdir -p "$(dirname "$out")"
# Build to a temporary name and rename, so a concurrent reader never runs a half-written binary.
tmp="$out.$$.tmp"
gcc -O2 -Wall -Wextra -Werror -std=c11 -o "$tmp" "$here/mock-broker.c" -lrdkafka -lpthread
mv -f "$tmp" "$out"
