/* Exposes OpenBLAS's CBLAS interface (libopenblas-dev) and its thread-count controls to Swift. */
#include <cblas.h>
