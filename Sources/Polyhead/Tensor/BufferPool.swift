#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Freed tensor buffers of medium size kept for reuse by the next allocation of the same size.
///
/// A training step allocates and frees the same buffers every step (a batch, activations, gradients:
/// 64 KiB – a few MiB each). Freed to the C allocator, those above its trim threshold go back to the
/// kernel, and the next step faults them in again page by page, zero-filled (≈ 5 % of an mlp-hard step
/// on one thread). The pool keeps up to `capacity` bytes of them, most recently freed last; when full,
/// the oldest are freed. Taken buffers are uninitialised, like fresh ones.
struct BufferPool: ~Copyable {
    /// Buffers smaller than this go straight back to `free` (the allocator's own bins serve them well).
    static let smallest = 1 << 16
    /// Buffers larger than this are never kept.
    static let largest = 1 << 25
    /// The most bytes kept at once.
    static let capacity = 1 << 26

    private var entries: [(bytes: Int, pointer: UnsafeMutableRawPointer)] = []
    private var total = 0

    /// A kept buffer of exactly `bytes` bytes (the most recently freed one), or `nil`.
    mutating func take(bytes: Int) -> UnsafeMutableRawPointer? {
        guard bytes >= Self.smallest, bytes <= Self.largest,
              let index = entries.lastIndex(where: { $0.bytes == bytes }) else { return nil }
        total -= bytes
        return entries.remove(at: index).pointer
    }

    /// Keeps `pointer` (allocated with `posix_memalign`, `bytes` long) or frees it; frees the oldest kept
    /// buffers while the pool holds more than `capacity` bytes.
    mutating func give(_ pointer: UnsafeMutableRawPointer, bytes: Int) {
        guard bytes >= Self.smallest, bytes <= Self.largest else { return free(pointer) }
        entries.append((bytes, pointer))
        total += bytes
        var evicted = 0
        while total > Self.capacity {
            total -= entries[evicted].bytes
            free(entries[evicted].pointer)
            evicted += 1
        }
        entries.removeFirst(evicted)
    }
}

/// The process-wide pool behind `Storage`, guarded for use from several threads.
let bufferPool = Mutex(BufferPool())
