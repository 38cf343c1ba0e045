/*
 * safetensors_fuzz.c — libFuzzer harness for the safetensors reader behind ph_safetensors_load.
 *
 * Each input becomes a file that ph_safetensors_load reads:
 *   - an input starting with '{' is a JSON header: the harness prefixes the 8-byte length and appends the
 *     bytes after the first NUL (if any) as the data section, so mutations work on the JSON itself;
 *   - any other input is the whole file, length field included (truncations, flips, huge lengths).
 * Seeds: Tests/fuzz/c/safetensors-seeds (valid files of every dtype and header-form inputs); dictionary:
 * safetensors.dict.
 *
 * The contract checked (abort = a finding): a valid ph_status; a failure leaves the out-pointer NULL and
 * comes with a message in ph_last_error() that names the file; a success gives a handle whose every tensor,
 * name and metadata entry can be read (ASan checks each element of each tensor's data), whose counts are
 * consistent (numel = product of the shape), and whose out-of-range indices are PH_ERROR_INDEX; after the
 * handle and its tensors are freed the live-object count is back where it started.
 *
 * Build and run: TARGET=safetensors Tests/fuzz/c/run.sh [seconds].
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "polyhead.h"

static char path[256];

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc, (void)argv;
    const char *folder = getenv("TMPDIR");
    snprintf(path, sizeof path, "%s/polyhead-safetensors-fuzz-%d.safetensors", folder ? folder : "/tmp",
             (int)getpid());
    return 0;
}

static void fail(const char *what) {
    fprintf(stderr, "contract violated: %s (last error: %s)\n", what, ph_last_error());
    abort();
}

static void expect_ok(ph_status status, const char *what) {
    if (status != PH_OK) fail(what);
}

/* Writes the input as the file under test (see the header comment for the two forms). */
static void write_file(const uint8_t *data, size_t size) {
    FILE *file = fopen(path, "wb");
    if (file == NULL) abort();
    if (size > 0 && data[0] == '{') {
        const uint8_t *nul = memchr(data, 0, size);
        uint64_t length = nul ? (uint64_t)(nul - data) : size;
        uint8_t field[8];
        for (int i = 0; i < 8; i++) field[i] = (uint8_t)(length >> (8 * i));
        fwrite(field, 1, 8, file);
        fwrite(data, 1, length, file);
        if (nul) fwrite(nul + 1, 1, size - length - 1, file);
    } else if (size > 0) {
        fwrite(data, 1, size, file);
    }
    fclose(file);
}

/* Reads every element of every tensor and every string of a loaded file, checking the counts. */
static void walk(const ph_safetensors *file) {
    int32_t count = -1, metadata = -1;
    expect_ok(ph_safetensors_tensor_count(&count, file), "tensor_count");
    expect_ok(ph_safetensors_metadata_count(&metadata, file), "metadata_count");
    if (count < 0 || metadata < 0) fail("negative count");
    volatile float sink = 0;
    for (int32_t i = 0; i < count; i++) {
        const char *name = NULL;
        ph_tensor *tensor = NULL;
        expect_ok(ph_safetensors_tensor_name(&name, file, i), "tensor_name");
        expect_ok(ph_safetensors_tensor(&tensor, file, i), "tensor");
        if (name == NULL || tensor == NULL) fail("NULL name or tensor");
        sink += (float)strlen(name);
        int32_t ndim = -1;
        int64_t shape[64], numel = -1, product = 1;
        float *values = NULL;
        expect_ok(ph_tensor_ndim(&ndim, tensor), "ndim");
        if (ndim < 0 || ndim > 64) fail("rank outside 0...64");
        expect_ok(ph_tensor_shape(shape, 64, tensor), "shape");
        expect_ok(ph_tensor_numel(&numel, tensor), "numel");
        for (int32_t d = 0; d < ndim; d++) {
            if (shape[d] < 0) fail("negative dimension");
            product *= shape[d];
        }
        if (product != numel) fail("numel is not the product of the shape");
        expect_ok(ph_tensor_data(&values, tensor), "data");
        for (int64_t k = 0; k < numel; k++) sink += values[k];  /* ASan: every element is inside the buffer */
        ph_tensor_free(tensor);
    }
    for (int32_t i = 0; i < metadata; i++) {
        const char *key = NULL, *value = NULL;
        expect_ok(ph_safetensors_metadata(&key, &value, file, i), "metadata");
        if (key == NULL || value == NULL) fail("NULL metadata string");
        sink += (float)(strlen(key) + strlen(value));
    }
    const char *name = NULL;
    ph_tensor *tensor = NULL;
    if (ph_safetensors_tensor_name(&name, file, count) != PH_ERROR_INDEX || name != NULL)
        fail("tensor_name past the end is not PH_ERROR_INDEX");
    if (ph_safetensors_tensor(&tensor, file, -1) != PH_ERROR_INDEX || tensor != NULL)
        fail("tensor -1 is not PH_ERROR_INDEX");
    (void)sink;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    int64_t live_before = 0, live_after = 0;
    ph_debug_live_objects(&live_before);
    write_file(data, size);
    ph_safetensors *file = NULL;
    ph_status status = ph_safetensors_load(&file, path);
    if (status < PH_OK || status > PH_ERROR_RUNTIME) fail("invalid status");
    if (status == PH_OK) {
        if (file == NULL) fail("success without a handle");
        walk(file);
        ph_safetensors_free(file);
    } else {
        const char *message = ph_last_error();
        if (file != NULL) fail("failure wrote the out-pointer");
        if (message == NULL || strstr(message, path) == NULL) fail("the error does not name the file");
        if (status != PH_ERROR_VALUE && status != PH_ERROR_IO && status != PH_ERROR_MEMORY)
            fail("a malformed file is not PH_ERROR_VALUE (or IO/MEMORY)");
    }
    ph_debug_live_objects(&live_after);
    if (live_after != live_before) fail("live objects not back to the start");
    return 0;
}
