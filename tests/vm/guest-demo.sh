#!/bin/sh
# Inside the VM: a narrated tour of mempool.ko for `make demo`.
say() { printf '\n### %s\n' "$*"; }
run() { echo "\$ $*"; "$@"; }

say "Kernel $(uname -r), $(nproc) vCPUs. Loading mempool.ko."
run insmod /lib/mpool/mempool.ko || exit 1
run ls -l /dev/mempool

say "The module answers the info ioctl."
run mempoolctl info

say "Operators find statistics under debugfs."
run ls -la /sys/kernel/debug/mempool/

say "Unloading."
run rmmod mempool
run ls /dev/mempool 2>&1
