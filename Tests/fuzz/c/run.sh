#!/usr/bin/env bash
# Builds the C ABI fuzzer and runs it for N seconds (default 60):
#   - the Swift core (static library product PolyheadC) with Swift's -sanitize=address and -sanitize=fuzzer
#     (coverage instrumentation, so libFuzzer is guided by the core's branches too);
#   - the harness abi_fuzz.c with clang -fsanitize=fuzzer,address,undefined (the toolchain's own clang);
#   - linked by swiftc, which adds the Swift runtime, libFuzzer and the ASan runtime (which carries UBSan's).
# Findings (crash-*, leak-*, timeout-* inputs) land in .build-fuzz/abi-fuzz/, the corpus in its corpus/ folder.
#
#   Tests/fuzz/c/run.sh [seconds] [more libFuzzer flags, e.g. -jobs=2 -workers=2]
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
seconds="${1:-60}"
shift || true
unset CC CXX  # SwiftPM's C targets break with CC=gcc
toolchain="$(dirname "$(readlink -f "$(command -v swiftc)")")"
out="$root/.build-fuzz/abi-fuzz"
mkdir -p "$out/corpus"
# (SwiftPM's --sanitize fuzzer instruments nothing in a library product: pass the flag to swiftc directly)
flags=(--package-path "$root" --scratch-path "$root/.build-fuzz" -Xswiftc -sanitize=address,fuzzer)

echo "== swift build --product PolyheadC (ASan + fuzzer coverage)"
swift build "${flags[@]}" --product PolyheadC 2>&1 | tail -1
library="$(swift build "${flags[@]}" --show-bin-path)/libPolyheadC.a"

echo "== abi_fuzz (clang -fsanitize=fuzzer,address,undefined)"
"$toolchain/clang" -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -I"$root/Sources/PolyheadC/include" -c "$root/Tests/fuzz/c/abi_fuzz.c" -o "$out/abi_fuzz.o"
"$toolchain/swiftc" -sanitize=address -sanitize=fuzzer "$out/abi_fuzz.o" "$library" -lopenblas \
    -o "$out/abi_fuzz" 2>&1 | { grep -v "Cannot export local symbol" || true; }

echo "== run for ${seconds} s"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:allocator_may_return_null=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
# -rss_limit_mb: Polyhead itself refuses what does not fit; this only keeps a runaway input off the machine.
"$out/abi_fuzz" -max_total_time="$seconds" -print_final_stats=1 -rss_limit_mb=8192 -malloc_limit_mb=8192 \
    -artifact_prefix="$out/" "$@" "$out/corpus"
