#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Inside the VM: a narrated tour of mempool.ko for `make demo`.
#
# Load the module; create a pool of each engine; two processes lease and
# write buffers; one is killed holding its leases and the kernel takes them
# back, zeroed for the next user; the other finishes cleanly; libmempool's
# magazine against plain system calls; destroy and unload.
#
# Every wait below is for an event (a line a process prints, a process's
# exit), never a sleep. Ends with "DEMO OK", or "DEMO FAILED: why".
DBG=/sys/kernel/debug/mempool
POOLS="demo-percpu demo-ring demo-lockfree"

say() { printf '\n### %s\n' "$*"; }
note() { printf '    # %s\n' "$*"; }
run() { echo "\$ $*"; "$@"; }
die() { echo "DEMO FAILED: $*"; exit 1; }

# The pool's statistics as operators see them in debugfs, or, where this
# module has no per-pool debugfs entry, as the UAPI reports them.
stats() {
	if [ -d "$DBG/u.$1" ]; then
		echo "\$ grep -r . $DBG/u.$1/"
		(cd "$DBG" && grep -r . "u.$1/")
	else
		run mempoolctl list "$1"
	fi
}

# How many buffers of pool $1 are leased, as the kernel says.
leased() { mempoolctl list "$1" | awk 'NR == 2 { print $6 }'; }

# hold FD NAME POOL COUNT: start `mempoolctl lease --hold` in the background,
# its output on a fifo read through FD, and return once it says "holding".
hold() {
	mkfifo "/tmp/$2"
	echo "\$ mempoolctl lease $3 -n $4 --fill $2 --hold &    # $2"
	mempoolctl lease "$3" -n "$4" --fill "$2" --hold >"/tmp/$2" 2>&1 &
	eval "$2=\$!"
	eval "exec $1<\"/tmp/$2\""
	while IFS= read -r line <&"$1"; do
		echo "    [$2] $line"
		case $line in *holding*) return 0 ;; esac
	done
	die "$2 did not get its buffers"
}

# The rest of what holder $2 printed, up to its end.
drain() {
	while IFS= read -r line <&"$1"; do echo "    [$2] $line"; done
	eval "exec $1<&-"
	rm -f "/tmp/$2"
}

say "Kernel $(uname -r), $(nproc) vCPUs. Loading mempool.ko."
run insmod /lib/mpool/mempool.ko || die "insmod"
run ls -l /dev/mempool
note "root only (0600); udev/60-mempool.rules opens it to a group"
run mempoolctl info || die "info"

say "One pool of each engine: per-CPU magazines, a lock-free ring, a lock-free stack."
run mempoolctl create demo-percpu -e percpu -n 256 || die "create"
run mempoolctl create demo-ring -e ring -n 16 || die "create"
run mempoolctl create demo-lockfree -e lockfree -n 64 -s 8K || die "create"
run mempoolctl list
note "persistent pools outlive the session that made them: mempoolctl has exited"

say "Two processes lease buffers of demo-ring and write into them."
hold 3 alice demo-ring 5
hold 4 bob demo-ring 7
stats demo-ring
[ "$(leased demo-ring)" = 12 ] || die "12 buffers should be leased"
note "each buffer arrived zeroed, and is mapped only into its lessee"

say "bob is killed with SIGKILL while he holds 7 buffers."
echo "\$ kill -KILL $bob; wait $bob"
kill -KILL "$bob"
wait "$bob"
echo "    bob exited with status $? (128 + 9: killed)"
drain 4 bob
stats demo-ring
[ "$(leased demo-ring)" = 5 ] || die "bob's 7 buffers did not come back"
note "bob's session ended with his process: the kernel took his 7 back"

say "A newcomer leases every free buffer, bob's old ones included."
run mempoolctl lease demo-ring -n 11 --fill carol || die "carol"
note "bob wrote into 7 of these: the kernel zeroed them before carol got them"

say "alice is asked to stop (SIGTERM); her data is intact, and she gives her buffers back."
echo "\$ kill -TERM $alice; wait $alice"
kill -TERM "$alice"
wait "$alice" || die "alice failed"
drain 3 alice
stats demo-ring
[ "$(leased demo-ring)" = 0 ] || die "alice's buffers did not come back"

say "Every engine, leasing one buffer at a time: a system call per buffer, per batch, or per magazine refill (libmempool)."
for e in percpu ring lockfree; do
	run mempoolctl bench -e $e -n 8192 -b 32 || die "bench $e"
done
note "the magazine leases 32 at a time and keeps what comes back: almost no system calls"
note "(a buffer recycled through the magazine is not zeroed again: it never left the process)"

say "Destroying the pools and unloading the module."
run mempoolctl destroy $POOLS || die "destroy"
run rmmod mempool || die "rmmod"
run ls /dev/mempool 2>&1
run mempoolctl info
echo "    (exit status $?)"
echo
echo "DEMO OK"
