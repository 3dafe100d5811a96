#!/usr/bin/env bash
# Installs the Debian packages the tests need, when missing and when we are root.
# Tests that need them skip with a reason otherwise (and fail under CI=true).
#
#   iproute2, util-linux, mount  netns scenarios, ss/nstat peers, running code as nobody
#   ruby-raindrops, ruby-aggregate  raindrops' own output and the aggregate gem's text, compared in tests
#   prometheus                   a real Prometheus server scraping `raingauge serve`, and promtool
#   prometheus-node-exporter     node_exporter side by side with the exporter
#   chromium                     headless browser checks of the dashboard and the watcher pages
set -euo pipefail
need=()
command -v ip >/dev/null 2>&1 || need+=(iproute2)
command -v ss >/dev/null 2>&1 || need+=(iproute2)
command -v nstat >/dev/null 2>&1 || need+=(iproute2)
command -v unshare >/dev/null 2>&1 || need+=(util-linux)
command -v setpriv >/dev/null 2>&1 || need+=(util-linux)
command -v umount >/dev/null 2>&1 || need+=(mount)
command -v lsblk >/dev/null 2>&1 || need+=(util-linux)
command -v ruby >/dev/null 2>&1 && ruby -e 'require "raindrops"' >/dev/null 2>&1 || need+=(ruby-raindrops)
command -v ruby >/dev/null 2>&1 && ruby -e 'require "aggregate"' >/dev/null 2>&1 || need+=(ruby-aggregate)
command -v promtool >/dev/null 2>&1 || need+=(prometheus)
command -v prometheus-node-exporter >/dev/null 2>&1 || need+=(prometheus-node-exporter)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing test dependencies: ${need[*]}"
    apt-get update -qq
    # policy-rc.d: installing prometheus and node_exporter must not start their system services
    # (tests start their own, on loopback, inside their own network namespaces)
    prc=/usr/sbin/policy-rc.d
    if [ ! -e "$prc" ]; then
      printf '#!/bin/sh\nexit 101\n' >"$prc" && chmod +x "$prc"
      trap 'rm -f "$prc"' EXIT
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "missing test dependencies (${need[*]}); live tests that need them will skip" >&2
  fi
fi
