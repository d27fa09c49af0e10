# Shared settings of the VM scripts: where the caches live and which kernels
# the project tests. Sourced, never run.

MPOOL_CACHE=${MPOOL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mempool-ko}
VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP_DIR=$(cd "$VM_DIR/../.." && pwd)

die() { echo "error: $*" >&2; exit 1; }
log() { echo "== $*" >&2; }

# Debian package version of a package, installed or not.
pkg_version() {
	dpkg-query -W -f='${Version}' "$1" 2>/dev/null ||
		apt-cache policy "$1" | awk '/Candidate:/ {print $2}'
}

# The kernel release ("6.1.0-56-amd64") whose headers a metapackage pulls in.
headers_release() {
	local dep
	dep=$(apt-cache depends --installed "$1" 2>/dev/null |
	      awk '/Depends: linux-headers-[0-9]/ {print $2; exit}')
	[ -n "$dep" ] || return 1
	echo "${dep#linux-headers-}"
}
