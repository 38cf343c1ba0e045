#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writing a file so that readers (and a crash at any instant) see either the old file or the complete new
/// one, never a mix: the bytes go to a temporary file in the same directory, which is flushed (`fsync`),
/// renamed over the target in one step, and the directory is flushed so the rename survives a power loss.
///
/// On any error the temporary file is removed and the previous file is left byte for byte as it was. Only a
/// process killed in the middle (SIGKILL, power loss) can leave a temporary file behind: it is named
/// `.<name>.tmp-<pid>-<random>` beside the target and is never read by Polyhead.
enum AtomicFile {
    /// Writes the bytes produced by `body` to `path` atomically. The new file keeps the permission bits of
    /// the file it replaces (or gets `0666` less the umask, like `open`).
    /// - Throws: `PolyheadError.io` naming `path` for any failed system call; whatever `body` throws.
    static func write(to path: String, _ body: (FileWriter) throws -> Void) throws {
        guard !path.isEmpty else { throw PolyheadError.io(path: path, message: "empty path", errno: ENOENT) }
        let (directory, name) = splitPath(path)
        let temporary = directory + "/." + name + ".tmp-\(getpid())-\(randomSuffix())"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
        guard descriptor >= 0 else {
            throw osError(path, "cannot create a temporary file in '\(directory)'")
        }
        var renamed = false
        var isOpen = true
        defer {
            if isOpen { close(descriptor) }
            if !renamed { unlink(temporary) }
        }
        var existing = stat()
        if stat(path, &existing) == 0, existing.st_mode & S_IFMT == S_IFREG {
            _ = fchmod(descriptor, existing.st_mode & 0o7777)
        }
        try body(FileWriter(descriptor: descriptor, path: path))
        guard fsync(descriptor) == 0 else { throw osError(path, "cannot flush the temporary file to disk") }
        isOpen = false
        guard close(descriptor) == 0 else { throw osError(path, "cannot close the temporary file") }
        guard rename(temporary, path) == 0 else { throw osError(path, "cannot rename the temporary file over it") }
        renamed = true
        try syncDirectory(directory, path)
    }

    /// Flushes the directory entry of a rename; file systems that cannot sync directories are accepted.
    private static func syncDirectory(_ directory: String, _ path: String) throws {
        let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        if fsync(descriptor) != 0, errno != EINVAL, errno != ENOTSUP {
            throw osError(path, "written, but its directory could not be flushed to disk")
        }
    }

    /// `("dir", "name")` for `"dir/name"`, `(".", "name")` for `"name"`, `("/", "name")` for `"/name"`.
    static func splitPath(_ path: String) -> (directory: String, name: String) {
        var bytes = Array(path.utf8)
        while bytes.count > 1, bytes.last == UInt8(ascii: "/") { bytes.removeLast() }
        guard let slash = bytes.lastIndex(of: UInt8(ascii: "/")) else { return (".", path) }
        let name = String(decoding: bytes[(slash + 1)...], as: UTF8.self)
        let directory = slash == 0 ? "/" : String(decoding: bytes[..<slash], as: UTF8.self)
        return (directory, name)
    }

    private static func randomSuffix() -> String {
        var generator = SystemRandomNumberGenerator()
        return String(generator.next() as UInt64, radix: 36)
    }
}

/// The sink `AtomicFile.write` hands to its body: appends bytes to the temporary file.
struct FileWriter {
    let descriptor: Int32
    /// The target path, for error messages.
    let path: String

    /// Appends all of `bytes`, retrying partial writes and interrupted calls.
    /// - Throws: `PolyheadError.io` (e.g. `ENOSPC` when the disk is full).
    func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard var cursor = bytes.baseAddress else { return }
        var remaining = bytes.count
        while remaining > 0 {
            let written = systemWrite(descriptor, cursor, min(remaining, 1 << 30))
            if written < 0 {
                if errno == EINTR { continue }
                throw osError(path, "cannot write the temporary file")
            }
            cursor += written
            remaining -= written
        }
    }

    /// Appends the UTF-8 bytes of `text`.
    func write(_ text: String) throws {
        var text = text
        try text.withUTF8 { try write(UnsafeRawBufferPointer($0)) }
    }
}

/// A file opened for reading, closed when the value dies.
final class ReadableFile {
    let descriptor: Int32
    let path: String
    /// Size in bytes at open time.
    let size: Int

    /// Opens a regular file for reading.
    /// - Throws: `PolyheadError.io` if it cannot be opened or is not a regular file (a directory: `EISDIR`).
    init(path: String) throws {
        guard !path.isEmpty else { throw PolyheadError.io(path: path, message: "empty path", errno: ENOENT) }
        descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw osError(path, "cannot open for reading") }
        self.path = path
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            let error = osError(path, "cannot read its size")
            close(descriptor)
            throw error
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            close(descriptor)
            let isDirectory = info.st_mode & S_IFMT == S_IFDIR
            throw PolyheadError.io(path: path, message: isDirectory ? "is a directory" : "is not a regular file",
                                   errno: isDirectory ? EISDIR : EINVAL)
        }
        size = Int(info.st_size)
    }

    deinit { close(descriptor) }

    /// Reads exactly `buffer.count` bytes starting at byte `offset`.
    /// - Throws: `PolyheadError.io` on a read error; `PolyheadError.invalidArgument` (op `what`) if the file
    ///   ends first (it shrank since it was opened).
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int, op: String) throws {
        guard let base = buffer.baseAddress else { return }
        var done = 0
        while done < buffer.count {
            let got = pread(descriptor, base + done, min(buffer.count - done, 1 << 30), off_t(offset + done))
            if got < 0 {
                if errno == EINTR { continue }
                throw osError(path, "cannot read")
            }
            guard got > 0 else {
                throw PolyheadError.invalidArgument(
                    op: op, message: "'\(path)' ended at byte \(offset + done) while reading "
                        + "\(buffer.count) bytes at offset \(offset) (the file changed while being read)")
            }
            done += got
        }
    }
}

/// `write(2)`, under a name that `FileWriter.write` does not shadow.
private func systemWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, bytes, count)
}

/// `PolyheadError.io` for the current `errno`: "what: reason".
func osError(_ path: String, _ what: String) -> PolyheadError {
    let code = errno
    return .io(path: path, message: "\(what): \(String(cString: strerror(code)))", errno: code)
}

/// Replaces the file at `path` with `bytes` atomically (see `AtomicFile`): afterwards the file holds either
/// its old contents or exactly `bytes`, whatever happens in between. For small companion files such as a
/// model's JSON configuration.
/// - Throws: `PolyheadError.io` naming `path` if it cannot be written; the old file is then untouched.
public func writeFileAtomically(_ bytes: UnsafeRawBufferPointer, to path: String) throws {
    try AtomicFile.write(to: path) { try $0.write(bytes) }
}
