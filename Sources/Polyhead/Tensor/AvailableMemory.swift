#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Allocations at least this large are checked against the memory the machine has left, so that a shape
/// beyond it fails with `outOfMemory` instead of paging or waking the OOM killer halfway through filling.
let largeAllocationBytes = 1 << 26

/// Bytes of memory the process can still get: `MemAvailable + SwapFree` from /proc/meminfo, lowered by
/// a cgroup v2 limit when one is set; `nil` where neither can be read (then nothing is checked).
func availableMemoryBytes() -> Int? {
    var available: Int? = nil
    if let fields = readKilobyteFields("/proc/meminfo", ["MemAvailable:", "SwapFree:"]),
       let memory = fields["MemAvailable:"] {
        available = (memory + (fields["SwapFree:"] ?? 0)) * 1024
    }
    if let limit = readFirstInteger("/sys/fs/cgroup/memory.max"),
       let used = readFirstInteger("/sys/fs/cgroup/memory.current") {
        available = min(available ?? Int.max, max(limit - used, 0))
    }
    return available
}

/// The `kB` values of the named lines of a /proc file like meminfo.
private func readKilobyteFields(_ path: String, _ names: [String]) -> [String: Int]? {
    guard let file = fopen(path, "r") else { return nil }
    defer { fclose(file) }
    var fields: [String: Int] = [:]
    var line = [CChar](repeating: 0, count: 256)
    while fgets(&line, Int32(line.count), file) != nil {
        let text = String(cString: line)
        guard let name = names.first(where: { text.hasPrefix($0) }) else { continue }
        fields[name] = Int(text.dropFirst(name.count).split(separator: " ").first ?? "")
    }
    return fields
}

/// The integer at the start of a one-line file ("max" and unreadable files give nil).
private func readFirstInteger(_ path: String) -> Int? {
    guard let file = fopen(path, "r") else { return nil }
    defer { fclose(file) }
    var line = [CChar](repeating: 0, count: 64)
    guard fgets(&line, Int32(line.count), file) != nil else { return nil }
    return Int(String(cString: line).split(separator: "\n").first ?? "")
}
