import Synchronization

/// Number of library objects alive right now (tensors, storages, optimizers), for leak tests.
let liveObjectCounter = Atomic<Int>(0)

/// The number of live Polyhead objects (tensors, storages, optimizers). Tests use it to prove that
/// every object created through an API is freed again.
public var liveObjectCount: Int { liveObjectCounter.load(ordering: .relaxed) }

/// Records the creation (`+1`) or destruction (`-1`) of a library object.
@inline(__always) func countLiveObject(_ delta: Int) {
    liveObjectCounter.add(delta, ordering: .relaxed)
}
