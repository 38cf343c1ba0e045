#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A contiguous float32 buffer shared by one or more tensors (a tensor and its reshaped views).
final class Storage {
    /// First element; valid for `count` elements (and never NULL, even when `count` is 0).
    let pointer: UnsafeMutablePointer<Float>
    /// Number of elements.
    let count: Int
    /// Called instead of `free` when the memory belongs to someone else (e.g. a numpy array).
    private let releaseExternal: (() -> Void)?

    /// Allocates `count` uninitialised elements, 64-byte aligned.
    /// - Throws: `PolyheadError.outOfMemory` if the size overflows or the allocation fails.
    init(count: Int, op: String) throws {
        let (bytes, overflow) = max(count, 1).multipliedReportingOverflow(by: MemoryLayout<Float>.stride)
        guard !overflow, count >= 0 else {
            throw PolyheadError.outOfMemory(op: op, message: "cannot allocate \(count) elements")
        }
        if bytes >= largeAllocationBytes, let available = availableMemoryBytes(), bytes > available {
            throw PolyheadError.outOfMemory(
                op: op, message: "\(count) elements need \(bytes >> 20) MiB but only \(available >> 20) MiB "
                    + "of memory are available")
        }
        var raw = bufferPool.withLock { $0.take(bytes: bytes) }
        guard raw != nil || posix_memalign(&raw, 64, bytes) == 0, let raw else {
            throw PolyheadError.outOfMemory(
                op: op, message: "failed to allocate \(bytes) bytes for \(count) elements")
        }
        pointer = raw.bindMemory(to: Float.self, capacity: max(count, 1))
        self.count = count
        releaseExternal = nil
        countLiveObject(1)
    }

    /// Wraps memory owned elsewhere; `release` runs exactly once when the storage dies.
    init(external pointer: UnsafeMutablePointer<Float>, count: Int, release: @escaping () -> Void) {
        self.pointer = pointer
        self.count = count
        releaseExternal = release
        countLiveObject(1)
    }

    deinit {
        if let releaseExternal {
            releaseExternal()
        } else {
            bufferPool.withLock { $0.give(UnsafeMutableRawPointer(pointer), bytes: max(count, 1) * MemoryLayout<Float>.stride) }
        }
        countLiveObject(-1)
    }
}
