#!/usr/bin/env bash
# Builds a C fuzzer and runs it for N seconds (default 60):
#   - the Swift core (static library product PolyheadC) with Swift's -sanitize=address and -sanitize=fuzzer
#     (coverage instrumentation, so libFuzzer is guided by the core's branches too);
#   - the harness with clang -fsanitize=fuzzer,address,undefined (the toolchain's own clang);
#   - linked by swiftc, which adds the Swift runtime, libFuzzer and the ASan runtime (which carries UBSan's).
# TARGET picks the harness: abi (default: abi_fuzz.c, every function of polyhead.h over random handles),
# safetensors (safetensors_fuzz.c: inputs become files for ph_safetensors_load; seeds in safetensors-seeds/,
# dictionary safetensors.dict) or model (model_fuzz.c: Keras-style models and trainers, ph_model_*/ph_trainer_*).
# Findings (crash-*, leak-*, timeout-* inputs) land in .build-fuzz/<target>-fuzz/, the corpus in its corpus/ folder.
#
#   [TARGET=abi|safetensors|model] Tests/fuzz/c/run.sh [seconds] [more libFuzzer flags, e.g. -jobs=2 -workers=2]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
seconds="${1:-60}"
shift || true
target="${TARGET:-abi}"
case "$target" in
    abi) extra=() ;;
    safetensors) extra=(-dict="$here/safetensors.dict" -max_len=4096) ;;
    model) extra=(-max_len=2048) ;;
    *) echo "unknown TARGET $target (abi, safetensors, model)" >&2; exit 2 ;;
esac
unset CC CXX  # SwiftPM's C targets break with CC=gcc
toolchain="$(dirname "$(readlink -f "$(command -v swiftc)")")"
out="$root/.build-fuzz/$target-fuzz"
mkdir -p "$out/corpus"
[ "$target" = safetensors ] && cp -n "$here/safetensors-seeds/"* "$out/corpus/"
# (SwiftPM's --sanitize fuzzer instruments nothing in a library product: pass the flag to swiftc directly)
flags=(--package-path "$root" --scratch-path "$root/.build-fuzz" -Xswiftc -sanitize=address,fuzzer)

echo "== swift build --product PolyheadC (ASan + fuzzer coverage)"
swift build "${flags[@]}" --product PolyheadC 2>&1 | tail -1
library="$(swift build "${flags[@]}" --show-bin-path)/libPolyheadC.a"

echo "== ${target}_fuzz (clang -fsanitize=fuzzer,address,undefined)"
"$toolchain/clang" -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -I"$root/Sources/PolyheadC/include" -c "$here/${target}_fuzz.c" -o "$out/${target}_fuzz.o"
"$toolchain/swiftc" -sanitize=address -sanitize=fuzzer "$out/${target}_fuzz.o" "$library" -lopenblas \
    -o "$out/${target}_fuzz" 2>&1 | { grep -v "Cannot export local symbol" || true; }

echo "== run for ${seconds} s"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:allocator_may_return_null=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
# -rss_limit_mb: Polyhead itself refuses what does not fit; this only keeps a runaway input off the machine.
"$out/${target}_fuzz" -max_total_time="$seconds" -print_final_stats=1 -rss_limit_mb=8192 -malloc_limit_mb=8192 \
    -artifact_prefix="$out/" "${extra[@]}" "$@" "$out/corpus"
