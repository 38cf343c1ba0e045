#!/usr/bin/env bash
# Sanitizer runs (issue 5). Not part of Tests/run-all.sh: it builds everything a second (and third) time.
#
# SANITIZER=address (the default):
#   1. the Swift core as a static library with Swift's -sanitize=address (release, so the suite stays fast);
#   2. the CPython bridge (CPythonBridge/*.c) with clang -fsanitize=address,undefined, linked with (1) into
#      an ASan build of polyhead._core, placed beside a copy of python/polyhead in .build-asan/site;
#   3. the Python test suite (Tests/python) against that copy, in an interpreter with the ASan runtime
#      preloaded (LD_PRELOAD) and PYTHONMALLOC=malloc, so every Python object allocation is checked too;
#   4. the Swift unit tests under `swift test --sanitize address` (SKIP_SWIFT_TESTS=1 skips them);
#   5. the C ABI fuzzer (Tests/fuzz/c/run.sh: libFuzzer + ASan + UBSan) for FUZZ_SECONDS (default 60; 0 skips).
#
# SANITIZER=thread (ThreadSanitizer):
#   1./2. the core with -sanitize=thread and the bridge with clang -fsanitize=thread, in .build-tsan/site;
#   3. the Python tests that use threads (THREAD_TESTS below: 4 threads training 4 models, grad mode per
#      thread, the GIL released during compute and fit, OpenBLAS thread counts, a fit whose optimizer other
#      threads try to drive, a method stepping while Python ticks) with the TSan runtime preloaded;
#   4. `swift test --sanitize thread` on the Swift tests that start threads (SWIFT_THREAD_TESTS).
#   Tests/tsan.supp suppresses the reports TSan cannot judge (accesses under a Synchronization.Mutex, whose
#   futex path in the uninstrumented Swift runtime it does not see); the file says why.
#   The test of one model trained from several threads at once is left out: it races on purpose (the
#   contract there is "no crash", not "no race").
#
# Any sanitizer report aborts the process it happens in (halt_on_error), which fails the step. Usage:
#   [SANITIZER=address|thread] Tests/sanitize.sh [extra pytest arguments, e.g. -k reliability]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
unset CC CXX
toolchain="$(dirname "$(readlink -f "$(command -v swiftc)")")"
clang="$toolchain/clang"
python="${PYTHON:-python3}"
sanitizer="${SANITIZER:-address}"
case "$sanitizer" in
    address) out="$root/.build-asan"; runtime_name=asan; stdlib=(-static-stdlib)
             clang_flags=(-fsanitize=address,undefined -fno-sanitize-recover=undefined) ;;
    # TSan links Swift's runtime and libdispatch dynamically: its interceptors see dispatch_apply (behind
    # DispatchQueue.concurrentPerform, i.e. parallelRanges) only through the shared library's symbols; with
    # a static libdispatch every split op is reported as a race between its chunks and the next op.
    thread) out="$root/.build-tsan"; runtime_name=tsan; stdlib=(); clang_flags=(-fsanitize=thread) ;;
    *) echo "SANITIZER must be address or thread, not $sanitizer" >&2; exit 2 ;;
esac
runtime="$("$clang" -print-file-name=libclang_rt.$runtime_name-x86_64.so)"
[ -f "$runtime" ] || { echo "no $runtime_name runtime next to $clang" >&2; exit 2; }
preload="$runtime"
# the TSan runtime intercepts libdispatch too and needs its symbols in the process: preload Swift's copy
[ "$sanitizer" = thread ] && preload="$runtime $toolchain/../lib/swift/linux/libdispatch.so"
mkdir -p "$out/obj" "$out/site"

echo "== 1. swift build -c release --product PolyheadC -sanitize=$sanitizer"
swift build -c release --product PolyheadC --scratch-path "$out/swift" -Xswiftc -sanitize=$sanitizer 2>&1 | tail -1
library="$(swift build -c release --scratch-path "$out/swift" -Xswiftc -sanitize=$sanitizer --show-bin-path)/libPolyheadC.a"

echo "== 2. polyhead._core with the bridge under ${clang_flags[*]}"
includes="$("$python" -c 'import sysconfig; print(sysconfig.get_paths()["include"])')"
suffix="$("$python" -c 'import sysconfig; print(sysconfig.get_config_var("EXT_SUFFIX"))')"
objects=()
for source in CPythonBridge/*.c; do
    object="$out/obj/$(basename "${source%.c}").o"
    "$clang" -g -O1 -fPIC -fvisibility=hidden -fno-omit-frame-pointer "${clang_flags[@]}" \
        -I"$includes" -ISources/PolyheadC/include -c "$source" -o "$object"
    objects+=("$object")
done
rm -rf "$out/site/polyhead"
cp -r python/polyhead "$out/site/polyhead"
rm -f "$out/site/polyhead/"_core*.so
"$toolchain/swiftc" -emit-library "${stdlib[@]}" -sanitize=$sanitizer -o "$out/site/polyhead/_core$suffix" \
    "${objects[@]}" "$library" -lopenblas 2>&1 | { grep -v "Cannot export local symbol" || true; }

if [ ! -x "$out/venv/bin/python" ]; then
    "$python" -m venv "$out/venv"
    "$out/venv/bin/pip" install --quiet numpy pytest hypothesis safetensors
fi
export SWIFT_BACKTRACE="enable=no"       # let the sanitizer print the report, not Swift's backtracer
# Reports go to $out/reports/<sanitizer>.<pid> (log_path): pytest captures file descriptor 2, so a report
# written there by a process that the sanitizer then ends would be lost.
reports="$out/reports"
rm -rf "$reports" && mkdir -p "$reports"
fail_on_reports() {
    if compgen -G "$reports/*" > /dev/null; then
        cat "$reports"/* >&2
        echo "sanitizer reports: $(ls "$reports")" >&2
        exit 1
    fi
}
pytest_under_sanitizer() {
    local status=0
    (cd Tests && env LD_PRELOAD="$preload" PYTHONMALLOC=malloc PYTHONPATH="$out/site" \
        "$out/venv/bin/python" -m pytest -q --import-mode=importlib -p no:cacheprovider "$@") || status=$?
    fail_on_reports
    return $status
}

if [ "$sanitizer" = thread ]; then
    THREAD_TESTS=(python/test_parallel.py python/keras/test_keras_threads.py
                  python/test_reliability.py::test_four_threads_training_four_models_match_sequential_runs
                  python/test_autograd.py::test_grad_mode_is_per_thread
                  python/keras/test_keras_fit.py::test_fit_releases_the_gil
                  python/mtl/test_core_mtl.py::test_backward_releases_the_gil)
    SWIFT_THREAD_TESTS="${SWIFT_THREAD_TESTS:-ThreadsTests|ConcurrentMethodBackwardTests|GradModeTests|AnomalyModeTests|LibraryABITests|ErrorsTests}"
    # halt_on_error: the first race fails the run; second_deadlock_stack: both stacks of a lock inversion
    export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:report_signal_unsafe=0:history_size=4:log_path=$reports/tsan:suppressions=$root/Tests/tsan.supp"
    export POLYHEAD_FUZZ_AS_LIMIT=0          # TSan maps terabytes of shadow memory
    echo "== 3. Python thread tests under TSan"
    pytest_under_sanitizer "${THREAD_TESTS[@]}" "$@"
    if [ "${SKIP_SWIFT_TESTS:-0}" != 1 ]; then
        echo "== 4. swift test --sanitize thread --filter '$SWIFT_THREAD_TESTS'"
        swift test --sanitize thread --scratch-path "$out/swift-tests" --filter "$SWIFT_THREAD_TESTS" 2>&1 \
            | grep -E "Executed [0-9]+ tests|WARNING: ThreadSanitizer|SUMMARY|error|failed" | tail -8
        [ "${PIPESTATUS[0]}" = 0 ] || { echo "swift test under TSan failed" >&2; exit 1; }
        fail_on_reports
    fi
    echo "ThreadSanitizer runs passed"
    exit 0
fi

echo "== 3. Python test suite under ASan/UBSan"
export ASAN_OPTIONS="detect_leaks=0:allocator_may_return_null=1:abort_on_error=1:handle_segv=1:log_path=$reports/asan"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$reports/ubsan"
export POLYHEAD_FUZZ_AS_LIMIT=0          # ASan needs terabytes of address space for its shadow memory
pytest_under_sanitizer python "$@"

if [ "${SKIP_SWIFT_TESTS:-0}" != 1 ]; then
    echo "== 4. swift test --sanitize address (ASAN_OPTIONS as above: NoTrapTests' probes leak on purpose)"
    swift test --sanitize address --scratch-path "$out/swift-tests" 2>&1 | grep -E "Executed [0-9]+ tests|error|failed" | tail -3
    fail_on_reports
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
