import PolyheadC
import XCTest

/// Counts calls of the release callback; the context points at one of these counters.
private let countRelease: @convention(c) (UnsafeMutableRawPointer?) -> Void = { context in
    context!.assumingMemoryBound(to: Int.self).pointee += 1
}

/// Tensor creation, properties, lifetime and autodiff entry points through the C ABI.
final class TensorABITests: ABITestCase {
    // MARK: creation

    func testNewCopiesData() {
        var data: [Float] = [1, 2, 3, 4, 5, 6]
        let t = makeTensor(data, [2, 3])
        data[0] = 100
        XCTAssertEqual(values(t), [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(shape(t), [2, 3])
        var rank: Int32 = 0, count: Int64 = 0
        assertOK(ph_tensor_ndim(&rank, t))
        assertOK(ph_tensor_numel(&count, t))
        XCTAssertEqual(rank, 2)
        XCTAssertEqual(count, 6)
        free(t)
    }

    func testNewErrors() {
        var out: OpaquePointer?
        assertStatus(Status.value, mentions: ["5 values", "(2, 3)"]) { ph_tensor_new(&out, [1, 2, 3, 4, 5], 5, [2, 3], 2) }
        assertStatus(Status.value, mentions: ["-2"]) { ph_tensor_new(&out, [1], 1, [-2], 1) }
        assertStatus(Status.value, mentions: ["rank -1"]) { ph_tensor_new(&out, [1], 1, [1], -1) }
        assertStatus(Status.value, mentions: ["rank 65"]) { ph_tensor_full(&out, [Int64](repeating: 1, count: 65), 65, 0) }
        assertStatus(Status.value) { ph_tensor_new(&out, [1], -1, [1], 1) }
        assertStatus(Status.value, mentions: ["[uniform]"]) { ph_tensor_uniform(&out, [2], 1, 1, 1) }
        assertStatus(Status.value, mentions: ["[arange]"]) { ph_tensor_arange(&out, 0, 1, 0) }
        assertStatus(Status.value, mentions: ["[arange]"]) { ph_tensor_arange(&out, .nan, 1, 1) }
        XCTAssertNil(out)
    }

    func testFullRandnUniformArange() {
        var full: OpaquePointer?, normal: OpaquePointer?, uniform: OpaquePointer?, range: OpaquePointer?
        assertOK(ph_tensor_full(&full, [2, 2], 2, 1.5))
        XCTAssertEqual(values(full), [1.5, 1.5, 1.5, 1.5])
        assertOK(ph_tensor_randn(&normal, [3, 0], 2))
        XCTAssertEqual(shape(normal), [3, 0])
        assertOK(ph_tensor_uniform(&uniform, [1000], 1, -1, 2))
        XCTAssertTrue(values(uniform).allSatisfy { $0 >= -1 && $0 < 2 })
        assertOK(ph_tensor_arange(&range, 5, 0, -2))
        XCTAssertEqual(values(range), [5, 3, 1])
        free(full, normal, uniform, range)
    }

    // MARK: external memory

    func testExternalMemoryIsReleasedOnceAfterTheLastFree() {
        var releases = 0
        let memory = UnsafeMutablePointer<Float>.allocate(capacity: 6)
        defer { memory.deallocate() }
        memory.initialize(from: [1, 2, 3, 4, 5, 6], count: 6)
        var t: OpaquePointer?
        assertOK(ph_tensor_new_external(&t, memory, 6, [2, 3], 2, countRelease, &releases))
        memory[0] = 9
        XCTAssertEqual(values(t).first, 9, "no copy")
        var view: OpaquePointer?
        assertOK(ph_reshape(&view, t, [6], 1))
        assertOK(ph_tensor_retain(t))
        free(t)
        XCTAssertEqual(releases, 0)
        free(t)
        XCTAssertEqual(releases, 0, "a reshaped view still uses the memory")
        free(view)
        XCTAssertEqual(releases, 1)
    }

    func testExternalReleaseRunsOnceWhenTheCallFails() {
        let memory = UnsafeMutablePointer<Float>.allocate(capacity: 4)
        defer { memory.deallocate() }
        var out: OpaquePointer?
        let failures: [(String, (UnsafeMutableRawPointer) -> Int32)] = [
            ("count does not fill the shape", { ph_tensor_new_external(&out, memory, 4, [3], 1, countRelease, $0) }),
            ("negative dimension", { ph_tensor_new_external(&out, memory, 4, [-4], 1, countRelease, $0) }),
            ("NULL shape", { ph_tensor_new_external(&out, memory, 4, nil, 1, countRelease, $0) }),
            ("negative rank", { ph_tensor_new_external(&out, memory, 4, [4], -1, countRelease, $0) }),
            ("NULL out", { ph_tensor_new_external(nil, memory, 4, [4], 1, countRelease, $0) }),
            ("NULL data", { ph_tensor_new_external(&out, nil, 4, [4], 1, countRelease, $0) }),
            ("negative count", { ph_tensor_new_external(&out, memory, -4, [4], 1, countRelease, $0) }),
        ]
        for (label, call) in failures {
            var releases = 0
            assertStatus(Status.value, label) { call(&releases) }
            XCTAssertEqual(releases, 1, "\(label): release ran \(releases) times")
        }
        XCTAssertNil(out)
    }

    func testExternalWithoutReleaseCallback() {
        let memory = UnsafeMutablePointer<Float>.allocate(capacity: 2)
        defer { memory.deallocate() }
        memory.initialize(repeating: 3, count: 2)
        var t: OpaquePointer?
        assertOK(ph_tensor_new_external(&t, memory, 2, [2], 1, nil, nil))
        XCTAssertEqual(values(t), [3, 3])
        free(t)
        var out: OpaquePointer?
        assertStatus(Status.value) { ph_tensor_new_external(&out, memory, 2, [3], 1, nil, nil) }
    }

    // MARK: properties

    func testShapeCapacityIsChecked() {
        let t = makeTensor([1, 2, 3, 4, 5, 6], [1, 2, 3])
        var dims = [Int64](repeating: 0, count: 3)
        assertStatus(Status.value, mentions: ["capacity 2", "rank 3"]) { ph_tensor_shape(&dims, 2, t) }
        XCTAssertEqual(dims, [0, 0, 0], "nothing written on failure")
        assertOK(ph_tensor_shape(&dims, 3, t))
        XCTAssertEqual(dims, [1, 2, 3])
        assertStatus(Status.value) { ph_tensor_shape(&dims, -1, t) }
        free(t)
    }

    func testDataPointerIsLiveStorage() {
        let t = makeTensor([1, 2], [2])
        var data: UnsafeMutablePointer<Float>?
        assertOK(ph_tensor_data(&data, t))
        data![1] = 7
        XCTAssertEqual(values(t), [1, 7])
        var empty: OpaquePointer?
        assertOK(ph_tensor_new(&empty, nil, 0, [0], 1))
        var emptyData: UnsafeMutablePointer<Float>?
        assertOK(ph_tensor_data(&emptyData, empty))
        XCTAssertNotNil(emptyData, "a valid pointer even for zero elements")
        free(t, empty)
    }

    func testItem() {
        let scalar = makeTensor([2.5], []), many = makeTensor([1, 2], [2])
        var value: Float = 0
        assertOK(ph_tensor_item(&value, scalar))
        XCTAssertEqual(value, 2.5)
        assertStatus(Status.value, mentions: ["[item]", "2 elements"]) { ph_tensor_item(&value, many) }
        free(scalar, many)
    }

    // MARK: autodiff

    func testRequiresGradLeafAndGrad() {
        let x = makeTensor([1, 2, 3], [3])
        var flag: Int32 = -1
        assertOK(ph_tensor_requires_grad(&flag, x))
        XCTAssertEqual(flag, 0)
        assertOK(ph_tensor_set_requires_grad(x, 1))
        assertOK(ph_tensor_requires_grad(&flag, x))
        XCTAssertEqual(flag, 1)
        assertOK(ph_tensor_is_leaf(&flag, x))
        XCTAssertEqual(flag, 1)
        XCTAssertNil(gradValues(x), "no gradient before backward")
        var y: OpaquePointer?, loss: OpaquePointer?
        assertOK(ph_mul(&y, x, x))
        assertOK(ph_tensor_is_leaf(&flag, y))
        XCTAssertEqual(flag, 0)
        assertOK(ph_sum_all(&loss, y))
        assertOK(ph_tensor_backward(loss, nil, 0))
        XCTAssertEqual(gradValues(x), [2, 4, 6])
        assertStatus(Status.runtime, mentions: ["second time"]) { ph_tensor_backward(loss, nil, 0) }
        free(x, y, loss)
    }

    func testBackwardWithSeedAndRetainGraph() {
        let x = makeParameter([1, 2], [2])
        var y: OpaquePointer?
        assertOK(ph_mul(&y, x, x))
        let seed = makeTensor([1, -1], [2]), wrongSeed = makeTensor([1, 1, 1], [3])
        assertStatus(Status.runtime, mentions: ["(2,)"]) { ph_tensor_backward(y, nil, 1) }
        assertStatus(Status.value, mentions: ["(3,)", "(2,)"]) { ph_tensor_backward(y, wrongSeed, 1) }
        assertOK(ph_tensor_backward(y, seed, 1))
        XCTAssertEqual(gradValues(x), [2, -4])
        assertOK(ph_tensor_backward(y, seed, 0), "a retained graph allows a second pass")
        XCTAssertEqual(gradValues(x), [4, -8], "gradients accumulate")
        free(x, y, seed, wrongSeed)
    }

    func testSetGrad() {
        let x = makeParameter([1, 2], [2]), g = makeTensor([0.5, 0.25], [2]), wrong = makeTensor([1], [1])
        assertOK(ph_tensor_set_grad(x, g))
        XCTAssertEqual(gradValues(x), [0.5, 0.25])
        assertStatus(Status.value, mentions: ["(1,)", "(2,)"]) { ph_tensor_set_grad(x, wrong) }
        assertOK(ph_tensor_set_grad(x, nil))
        XCTAssertNil(gradValues(x))
        free(x, g, wrong)
    }

    func testDetachCloneCopy() {
        let x = makeParameter([1, 2], [2])
        var detached: OpaquePointer?, cloned: OpaquePointer?, flag: Int32 = -1
        assertOK(ph_tensor_detach(&detached, x))
        assertOK(ph_tensor_requires_grad(&flag, detached))
        XCTAssertEqual(flag, 0)
        assertOK(ph_tensor_clone(&cloned, x))
        assertOK(ph_tensor_requires_grad(&flag, cloned))
        XCTAssertEqual(flag, 1)
        // copy_ into the detached view writes x's storage; into x itself only without grad recording.
        let source = makeTensor([5], [1])
        assertOK(ph_tensor_copy_(detached, source))
        XCTAssertEqual(values(x), [5, 5])
        XCTAssertEqual(values(cloned), [1, 2], "clone owns its storage")
        assertStatus(Status.runtime, mentions: ["no_grad"]) { ph_tensor_copy_(x, source) }
        var previous: Int32 = 0
        assertOK(ph_set_grad_enabled(&previous, 0))
        let wide = makeTensor([1, 2, 3], [3])
        assertStatus(Status.value, mentions: ["(2,)", "(3,)"]) { ph_tensor_copy_(x, wide) }
        assertOK(ph_tensor_copy_(x, source))
        assertOK(ph_set_grad_enabled(nil, previous))
        assertStatus(Status.runtime, mentions: ["[copy_]"]) { ph_tensor_copy_(cloned, source) }
        free(x, detached, cloned, source, wide)
    }

    func testRetainAndFree() {
        let t = makeTensor([1], [1])
        let baseline = liveObjects()
        assertOK(ph_tensor_retain(t))
        free(t)
        XCTAssertEqual(values(t), [1], "still alive after one of two frees")
        XCTAssertEqual(liveObjects(), baseline)
        free(t)
        XCTAssertLessThan(liveObjects(), baseline)
    }

    func testGradHandleIsANewReference() {
        let x = makeParameter([1], [1])
        let g = makeTensor([3], [1])
        assertOK(ph_tensor_set_grad(x, g))
        free(g)
        var grad: OpaquePointer?
        assertOK(ph_tensor_grad(&grad, x))
        free(x)
        XCTAssertEqual(values(grad), [3], "the gradient outlives its tensor through its own reference")
        free(grad)
    }
}
