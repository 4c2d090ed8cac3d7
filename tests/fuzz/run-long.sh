#!/bin/sh
# Runs every fuzz target for SECONDS (default 1800), two at a time, at nice 19, from a
# configured and built `fuzz` preset tree, adding what widens coverage to its corpus:
#   cmake --preset fuzz && cmake --build --preset fuzz && tests/fuzz/run-long.sh 1800
# Each target's log is build/fuzz/tests/fuzz/fuzz_<target>.log (exec/s and coverage at its
# end); a crash is saved beside it as crash-<sha1>, reproduced by running the target on it.
# Exits non-zero when a target found something.
set -u
seconds=${1:-1800}
src=$(cd "$(dirname "$0")" && pwd)
cd "$src/../../build/fuzz/tests/fuzz"
run() {
    name=$1
    dict=$src/json.dict
    [ "$name" = eventfilter ] && dict=$src/filter.dict
    mkdir -p "corpus/$name"
    nice -n 19 "./fuzz_$name" -max_total_time="$seconds" -timeout=30 -rss_limit_mb=2048 \
        -print_final_stats=1 -dict="$dict" "corpus/$name" "seeds/$name" >"fuzz_$name.log" 2>&1
    rc=$?
    echo "fuzz_$name: exit $rc; $(grep -E '^#[0-9]+' "fuzz_$name.log" | tail -1);" \
        "$(grep average_exec_per_sec "fuzz_$name.log")"
    return $rc
}
(run decoder && run jsonlreader) &
a=$!
(run eventfilter && run frames) &
b=$!
rc=0
wait $a || rc=1
wait $b || rc=1
exit $rc
