#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Inside the small-memory VM (run.sh KERNEL pressure): mempool.ko's shrinker
# under real memory pressure.
#
# mempool_pressure.ko grows a kernel pool of each engine to many arenas,
# holds a few objects with a pattern and leaves the rest idle; mempoolctl
# leases half the buffers of a user pool, writes a pattern and holds them;
# then mpool-hog takes memory until every kernel pool is down to half its
# arenas (or the OOM killer takes the hog: never the test, at -1000).
# Afterwards: arenas went down, by the shrinker; no shrink (every
# mpool_shrink trace event) took a pool below its prefill; the held objects
# and leased buffers kept their patterns; the user pool kept every buffer.
# Prints "RESULT ok|not ok NAME" lines and PRESSURE figures; the host
# judges them (judge.sh), and the console.
. /lib/mpool/guest-lib.sh

DBG=/sys/kernel/debug/mempool
TR=/sys/kernel/tracing
KPOOLS="pressure-percpu pressure-ring pressure-lockfree"
UPOOL=pressure-user
UBUFS=512
ULEASED=256
# mempoolctl writes this over every leased buffer and checks it at the end:
# a page freed and reused (zeroed, or the hog's bytes) no longer matches. The
# text is the same in every buffer, so buffers swapped would go unseen.
UFILL=mempool-pressure-lease-

stat_of() { awk -v k="$2" '$1 == k { print $2 }' "$DBG/$1/stats"; }
config_of() { awk -v k="$2" '$1 == k { print $2 }' "$DBG/$1/config"; }

# The OOM killer must pick the hog (1000), never this script or the lease
# holder, which inherits this.
echo -1000 > /proc/self/oom_score_adj
kmemleak_clear
t0=$(date +%s)

insmod /lib/mpool/mempool.ko
result pressure-module-load $?
# Every shrink, whoever does it, with the capacity it left.
echo > $TR/trace
echo 1 > $TR/events/mempool/mpool_shrink/enable
# shellcheck disable=SC2320 # the write is what may fail
result pressure-shrink-trace-on $?

# shellcheck disable=SC2046 # a list of module parameters
insmod /lib/mpool/mempool_pressure.ko $(cat /etc/mpool-pressure-args)
result pressure-kpools-load $?
mempoolctl create $UPOOL -e ring -s 4K -n $UBUFS >/dev/null
result pressure-upool-create $?

mkfifo /tmp/holder
mempoolctl lease $UPOOL -n $ULEASED --fill $UFILL --hold >/tmp/holder 2>&1 &
holder=$!
exec 3</tmp/holder
holding=1
while IFS= read -r line <&3; do
	echo "holder: $line"
	case $line in *holding*) holding=0; break ;; esac
done
result pressure-upool-leased $holding

upools=u.$UPOOL
for p in $KPOOLS $upools; do
	stat_of "$p" arenas > "/tmp/before.$p"
done
arenas_before() { cat "/tmp/before.$1"; }

# Half of each kernel pool's arenas must go; bound: all of the guest's RAM.
mem_mib=$(awk '/^MemTotal:/ { print int($2 / 1024) }' /proc/meminfo)
targets=
grown=0
for p in $KPOOLS; do
	b=$(arenas_before "$p")
	echo "PRESSURE $p before: arenas $b capacity $(stat_of "$p" capacity)" \
		"in_use $(stat_of "$p" in_use) init_objs $(config_of "$p" init_objs)" \
		"arena_objs $(config_of "$p" arena_objs)"
	[ "${b:-0}" -ge 64 ] || grown=1
	targets="$targets $DBG/$p/stats:$((b / 2))"
done
result pressure-kpools-grown $grown
echo "PRESSURE $UPOOL before: arenas $(arenas_before $upools)" \
	"capacity $(stat_of $upools capacity) in_use $(stat_of $upools in_use)"
echo "PRESSURE guest MemTotal ${mem_mib} MiB, MemAvailable" \
	"$(awk '/^MemAvailable:/ { print int($2 / 1024) }' /proc/meminfo) MiB"

# MPOOL_PRESSURE_VMSCAN=1 (run.sh): also trace what reclaim asked of the
# shrinker, and who reclaimed, for whoever has to find out why it fell short.
vmscan="mm_shrink_slab_start mm_shrink_slab_end mm_vmscan_direct_reclaim_begin
	mm_vmscan_direct_reclaim_end"
if [ -s /etc/mpool-pressure-vmscan ]; then
	echo 4096 > $TR/buffer_size_kb
	for e in $vmscan; do echo 1 > "$TR/events/vmscan/$e/enable"; done
fi

th=$(date +%s)
# shellcheck disable=SC2086 # a list of arguments
mpool-hog "$mem_mib" $targets
hog=$?
echo "PRESSURE hog exit $hog in $(($(date +%s) - th))s"
# 137: SIGKILL, from the OOM killer, while the pools still had idle arenas
# to give (the figures below say how many).
[ "$hog" -ne 137 ]
result pressure-hog-not-oom-killed $?
result pressure-hog-met-targets $hog

if [ -s /etc/mpool-pressure-vmscan ]; then
	for e in $vmscan; do echo 0 > "$TR/events/vmscan/$e/enable"; done
	grep -E 'mpool_shrinker|direct_reclaim' $TR/trace | sed 's/^ */VMSCAN /'
fi

for p in $KPOOLS; do
	b=$(arenas_before "$p")
	a=$(stat_of "$p" arenas)
	cap=$(stat_of "$p" capacity)
	inuse=$(stat_of "$p" in_use)
	floor=$(config_of "$p" init_objs)
	echo "PRESSURE $p after: arenas $a capacity $cap in_use $inuse" \
		"reclaimed_objs $(stat_of "$p" reclaimed_objs)"
	[ "$a" -lt "$b" ]
	result "pressure-arenas-freed-$p" $?
	# The shrinker did it, not a drain or an mpool_shrink() call.
	[ "$(stat_of "$p" reclaimed_objs)" -gt 0 ]
	result "pressure-reclaimed-by-shrinker-$p" $?
	[ "$cap" -ge "$floor" ] && [ "$cap" -ge "$inuse" ]
	result "pressure-capacity-kept-$p" $?
done

# The user pool is prefilled and its floor is all of it: nothing may go.
a=$(stat_of $upools arenas)
cap=$(stat_of $upools capacity)
echo "PRESSURE $UPOOL after: arenas $a capacity $cap in_use $(stat_of $upools in_use)" \
	"reclaimed_objs $(stat_of $upools reclaimed_objs)"
[ "$a" -eq "$(arenas_before $upools)" ] && [ "$cap" -eq $UBUFS ] &&
	[ "$(stat_of $upools reclaimed_objs)" -eq 0 ]
result pressure-upool-kept-every-buffer $?

# "Never below": every shrink event, not just the end state. Complete only
# if the trace buffer lost nothing.
echo 0 > $TR/events/mempool/mpool_shrink/enable
# One line per event: pool, capacity left, reason, task that shrank.
awk '/ mpool_shrink: / {
	task = $1
	sub(/-[0-9]+$/, "", task)
	for (i = 1; i <= NF; i++) {
		split($i, kv, "=")
		f[kv[1]] = kv[2]
	}
	print f["name"], f["capacity"], f["reason"], task
}' $TR/trace > /tmp/shrinks
lost=$(cat $TR/per_cpu/cpu*/stats | awk '/^overrun:/ { n += $2 } END { print n + 0 }')
echo "PRESSURE trace: $(wc -l < /tmp/shrinks) shrink events, $lost lost; by" \
	"$(awk '{ n[$3 " in " $4]++ } END { for (k in n) { printf "%s%s: %d", s, k, n[k]; s = ", " } }' /tmp/shrinks)"
[ "$lost" -eq 0 ]
result pressure-trace-complete $?
for p in $KPOOLS $upools; do
	floor=$(config_of "$p" init_objs)
	awk -v p="$p" -v floor="$floor" '
		$1 == p { n++; if (min == "" || $2 + 0 < min) min = $2 + 0 }
		END {
			printf "PRESSURE %s: %d shrink events, lowest capacity %s, floor %d\n",
				p, n, n ? min : "-", floor
			exit (n && min < floor)
		}' /tmp/shrinks
	result "pressure-never-below-floor-$p" $?
done
# Any other pool shrinking would be news.
! awk '{ print $1 }' /tmp/shrinks | grep -qvxF -e pressure-percpu -e pressure-ring \
	-e pressure-lockfree -e $upools
result pressure-only-test-pools-shrank $?

check=$(cat /sys/kernel/debug/mempool_pressure/check)
echo "$check" | sed 's/^/PRESSURE check: /'
[ "$(echo "$check" | tail -n 1)" = pass ]
result pressure-held-objects-intact $?

kill -TERM $holder
wait $holder
rc=$?
out=
while IFS= read -r line <&3; do
	echo "holder: $line"
	out="$out$line"
done
exec 3<&-
[ "$rc" -eq 0 ] && case $out in *"all $ULEASED still hold"*) true ;; *) false ;; esac
result pressure-leased-buffers-intact $?
mempoolctl destroy $UPOOL
result pressure-upool-destroy $?

dmesg -c > /dev/null
rmmod mempool_pressure
result pressure-kpools-unload $?
dmesg | grep -q 'mempool_pressure: unload check: every held object intact'
result pressure-unload-check $?
rmmod mempool
result pressure-module-unload $?
echo "PRESSURE step took $(($(date +%s) - t0))s in the guest"

kmemleak_check pressure-kmemleak-clean
echo GUEST-DONE
