#!/usr/bin/env bash
# make demo: the seed's router-to-router example on one machine. Builds five network namespaces
#   pptp-demo-inet       the "internet": 198.18.80.254/24 and 198.18.81.254/24, forwarding
#   pptp-demo-home       HomeOffice router: ether1 (WAN) and ether2 (LAN 10.150.2.0/24)
#   pptp-demo-remote     RemoteOffice router: ether1 (WAN) and ether2 (LAN 10.150.1.0/24)
#   pptp-demo-homelan    a PC on HomeOffice's LAN, 10.150.2.10
#   pptp-demo-remotelan  a PC on RemoteOffice's LAN, 10.150.1.10
# starts routerd in each router namespace, unconfigured, and opens a tmux session with both
# consoles and a shell on the RemoteOffice PC. Detach with Ctrl-b d; `make demo-clean` (or leaving
# the session) removes everything. DEMO_ATTACH=no leaves the session running without attaching.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# DEMO_NAME names the namespaces and the tmux session (tests run their own copy).
N=${DEMO_NAME:-pptp-demo}
session=$N
state=/tmp/$N

clean() {
  # Everything running inside the demo's namespaces was started by this script.
  for ns in home remote homelan remotelan; do
    ip netns pids "$N-$ns" 2>/dev/null | xargs -r kill 2>/dev/null || true
  done
  sleep 1
  tmux kill-session -t "$session" 2>/dev/null || true
  for ns in inet home remote homelan remotelan; do ip netns del "$N-$ns" 2>/dev/null || true; done
  rm -rf "$state"
}

if [ "${1:-}" = clean ]; then clean; echo "demo removed"; exit 0; fi
[ "$(id -u)" -eq 0 ] || { echo "make demo needs root (network namespaces)"; exit 1; }
[ -f "$root/dist/src/daemon.js" ] || { echo "run make build first"; exit 1; }
clean
mkdir -p "$state/home" "$state/remote"

nsx() { local ns=$1; shift; ip netns exec "$N-$ns" "$@"; }
for ns in inet home remote homelan remotelan; do ip netns add "$N-$ns"; nsx "$ns" ip link set lo up; done
veth() { # veth NS_A NAME_A NS_B NAME_B
  nsx "$1" ip link add "$2" type veth peer name "$4" netns "$N-$3"
  nsx "$1" ip link set "$2" up; nsx "$3" ip link set "$4" up
}
veth inet isp-home home ether1
veth inet isp-remote remote ether1
veth homelan eth0 home ether2
veth remotelan eth0 remote ether2
nsx inet ip addr add 198.18.80.254/24 dev isp-home
nsx inet ip addr add 198.18.81.254/24 dev isp-remote
nsx inet sysctl -qw net.ipv4.ip_forward=1
nsx homelan ip addr add 10.150.2.10/24 dev eth0
nsx homelan ip route add default via 10.150.2.254
nsx remotelan ip addr add 10.150.1.10/24 dev eth0
nsx remotelan ip route add default via 10.150.1.254

routerd() { # routerd NS IDENTITY
  echo "ip netns exec $N-$1 node $root/dist/src/daemon.js --data $state/$1 --console stdio --identity $2 --ethernet ether1,ether2; echo routerd $2 stopped; read -r _"
}
tmux new-session -d -s "$session" -x 200 -y 50 "$(routerd home HomeOffice)"
tmux split-window -h -t "$session" "$(routerd remote RemoteOffice)"
tmux split-window -v -t "$session" "ip netns exec $N-remotelan env PS1='remote-pc# ' bash --norc -i"
tmux select-pane -t "$session:0.0"
echo "demo: HomeOffice (left), RemoteOffice (top right), a PC on RemoteOffice's LAN (bottom right)"
echo "demo: log in as admin with an empty password; README section 'Tunnels' has the lines to type"
if [ "${DEMO_ATTACH:-yes}" = no ]; then
  echo "demo: attach with: tmux attach -t $session; remove with: make demo-clean"
  exit 0
fi
tmux attach -t "$session" || true
clean
echo "demo removed"
