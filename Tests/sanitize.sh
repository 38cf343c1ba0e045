#!/usr/bin/env bash
# Sanitizer runs (issue 5). Not part of Tests/run-all.sh: it builds everything a second (and third) time.
#
#   1. the Swift core as a static library with Swift's -sanitize=address (release, so the suite stays fast);
#   2. the CPython bridge (CPythonBridge/*.c) with clang -fsanitize=address,undefined, linked with (1) into
#      an ASan build of polyhead._core, placed beside a copy of python/polyhead in .build-asan/site;
#   3. the Python test suite (Tests/python) against that copy, in an interpreter with the ASan runtime
#      preloaded (LD_PRELOAD) and PYTHONMALLOC=malloc, so every Python object allocation is checked too;
#   4. the Swift unit tests under `swift test --sanitize address` (SKIP_SWIFT_TESTS=1 skips them);
#   5. the C ABI fuzzer (Tests/fuzz/c/run.sh: libFuzzer + ASan + UBSan) for FUZZ_SECONDS (default 60; 0 skips).
#
# Any sanitizer report aborts the process it happens in, which fails the step. Usage:
#   Tests/sanitize.sh [extra pytest arguments, e.g. -k reliability]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
unset CC CXX
toolchain="$(dirname "$(readlink -f "$(command -v swiftc)")")"
clang="$toolchain/clang"
out="$root/.build-asan"
python="${PYTHON:-python3}"
asan_runtime="$("$clang" -print-file-name=libclang_rt.asan-x86_64.so)"
[ -f "$asan_runtime" ] || { echo "no ASan runtime next to $clang" >&2; exit 2; }
mkdir -p "$out/obj" "$out/site"

echo "== 1. swift build -c release --product PolyheadC -sanitize=address"
swift build -c release --product PolyheadC --scratch-path "$out/swift" -Xswiftc -sanitize=address 2>&1 | tail -1
library="$(swift build -c release --scratch-path "$out/swift" -Xswiftc -sanitize=address --show-bin-path)/libPolyheadC.a"

echo "== 2. polyhead._core with the bridge under ASan + UBSan"
includes="$("$python" -c 'import sysconfig; print(sysconfig.get_paths()["include"])')"
suffix="$("$python" -c 'import sysconfig; print(sysconfig.get_config_var("EXT_SUFFIX"))')"
objects=()
for source in CPythonBridge/*.c; do
    object="$out/obj/$(basename "${source%.c}").o"
    "$clang" -g -O1 -fPIC -fvisibility=hidden -fno-omit-frame-pointer -fsanitize=address,undefined \
        -fno-sanitize-recover=undefined -I"$includes" -ISources/PolyheadC/include -c "$source" -o "$object"
    objects+=("$object")
done
rm -rf "$out/site/polyhead"
cp -r python/polyhead "$out/site/polyhead"
rm -f "$out/site/polyhead/"_core*.so
"$toolchain/swiftc" -emit-library -static-stdlib -sanitize=address -o "$out/site/polyhead/_core$suffix" \
    "${objects[@]}" "$library" -lopenblas 2>&1 | { grep -v "Cannot export local symbol" || true; }

echo "== 3. Python test suite under ASan/UBSan"
if [ ! -x "$out/venv/bin/python" ]; then
    "$python" -m venv "$out/venv"
    "$out/venv/bin/pip" install --quiet numpy pytest hypothesis safetensors
fi
export ASAN_OPTIONS="detect_leaks=0:allocator_may_return_null=1:abort_on_error=1:handle_segv=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export SWIFT_BACKTRACE="enable=no"       # let ASan print the report, not Swift's backtracer
export POLYHEAD_FUZZ_AS_LIMIT=0          # ASan needs terabytes of address space for its shadow memory
(cd Tests && env LD_PRELOAD="$asan_runtime" PYTHONMALLOC=malloc PYTHONPATH="$out/site" \
    "$out/venv/bin/python" -m pytest -q --import-mode=importlib -p no:cacheprovider python "$@")

if [ "${SKIP_SWIFT_TESTS:-0}" != 1 ]; then
    echo "== 4. swift test --sanitize address (ASAN_OPTIONS as above: NoTrapTests' probes leak on purpose)"
    swift test --sanitize address --scratch-path "$out/swift-tests" 2>&1 | grep -E "Executed [0-9]+ tests|error|failed" | tail -3
fi

if [ "${FUZZ_SECONDS:-60}" != 0 ]; then
    echo "== 5. C ABI fuzzer (libFuzzer + ASan + UBSan) for ${FUZZ_SECONDS:-60} s"
    unset ASAN_OPTIONS UBSAN_OPTIONS
    status=0
    Tests/fuzz/c/run.sh "${FUZZ_SECONDS:-60}" > "$out/abi-fuzz.log" 2>&1 || status=$?
    grep -E "^==|^Done|^stat::|ERROR|SUMMARY|crash-|Program crashed" "$out/abi-fuzz.log" || true
    [ "$status" = 0 ] || { echo "the C ABI fuzzer failed ($status): see $out/abi-fuzz.log" >&2; exit 1; }
fi
echo "sanitizer runs passed"
