// Winograd F(2×2, 3×3) (Lavin & Gray 2016, "Fast Algorithms for Convolutional Neural Networks") for 3×3,
// stride-1 convolutions of channels-last samples: each 2×2 output tile is Y = Aᵀ [U ⊙ V] A with the input
// tile V = Bᵀ d B (4×4) and the kernel U = G g Gᵀ (4×4), per channel; summed over channels, the 16
// element-wise products of a block of tiles become 16 GEMMs, M[ξ] (tiles, O) = V[ξ] (tiles, C) · U[ξ]
// (C, O), with 16 multiply-adds per (tile, channel, filter) instead of direct convolution's 36. The
// transforms run 4 channels (or filters) at a time over a block of tiles small enough that V and M stay in
// cache. The input gradient of such a convolution is one as well: the output gradient convolved with the
// kernel rotated by 180° with channels and filters swapped (`flipped`). The kernel gradient is F(3×3, 2×2)
// over the same input tiles, with the output-gradient tile (2×2) in the kernel's place
// (`WinogradKernelGradient`). Float32 results differ from direct summation by a few ulps of the largest
// input-tile sums (the transforms add and subtract up to 4 × 4 terms of each sign).

/// A (3, 3, C, O) kernel transformed for Winograd F(2×2, 3×3): `U[ξ] = G g Gᵀ` at each of the 16 tile
/// positions ξ, stored as 16 row-major (C, O) matrices.
struct WinogradKernel {
    /// Input channels `C` and output channels `O` of the convolution it computes.
    let channels: Int, filters: Int
    /// The 16 transformed (C, O) matrices.
    let u: Storage
    /// Tiles transformed at once: their V and M matrices (16 × tiles × (C + O) floats) take about 1 MB.
    let tilesPerBlock: Int

    /// Transforms the Keras-layout `kernel` (3, 3, C, O); when `flipped`, the kernel is read as (3, 3, O, C)
    /// and rotated by 180° with its channel axes swapped: the transform of the input-gradient convolution.
    init(_ kernel: UnsafePointer<Float>, channels: Int, filters: Int, flipped: Bool, op: String) throws {
        (self.channels, self.filters) = (channels, filters)
        u = try Storage(count: 16 * channels * filters, op: op)
        tilesPerBlock = Swift.max(1, (1 << 18) / (16 * (channels + filters)))
        let target = u.pointer, pairs = channels * filters
        for c in 0..<channels {
            for o in 0..<filters {
                // g[i][j] = the (i, j) tap of this (channel, filter) pair.
                func tap(_ i: Int, _ j: Int) -> Float {
                    flipped ? kernel[((2 - i) * 3 + 2 - j) * pairs + o * channels + c] : kernel[(i * 3 + j) * pairs + c * filters + o]
                }
                let rows = (0..<3).map { j in kernelTransform(tap(0, j), tap(1, j), tap(2, j)) }  // G g, by column
                for a in 0..<4 {
                    let row = kernelTransform(rows[0][a], rows[1][a], rows[2][a])  // (G g Gᵀ)[a][·]
                    for b in 0..<4 { target[(a * 4 + b) * pairs + c * filters + o] = row[b] }
                }
            }
        }
    }

    /// Floats of scratch memory `convolve` needs.
    var scratchCount: Int { 16 * tilesPerBlock * (channels + filters) + Swift.max(channels, filters) }

    /// Convolves one sample `x` (height, width, C) into `y` (outputHeight, outputWidth, O), zero outside `x`:
    /// `y[oy, ox] = Σ x[oy + origin.top + i, ox + origin.left + j] · g[i, j]` (plus `bias`, then
    /// `max(·, 0)` when `relu`).
    func convolve(
        _ x: UnsafePointer<Float>, height: Int, width: Int, origin: (top: Int, left: Int),
        into y: UnsafeMutablePointer<Float>, outputHeight: Int, outputWidth: Int,
        bias: UnsafePointer<Float>?, relu: Bool, scratch: UnsafeMutablePointer<Float>
    ) {
        let (c, o) = (channels, filters)
        let tiles = WinogradTiles(height: height, width: width, origin: origin, outputHeight: outputHeight,
                                  outputWidth: outputWidth, perBlock: tilesPerBlock)
        tiles.forEachBlock(x, channels: c, filters: o, scratch: scratch) { first, count, v, m in
            for xi in 0..<16 {
                sgemm(v + xi * count * c, u.pointer + xi * c * o, m + xi * count * o, m: count, n: o, k: c)
            }
            for t in 0..<count {
                let ty = (first + t) / tiles.columns, tx = (first + t) % tiles.columns
                let origin = y + (2 * ty * outputWidth + 2 * tx) * o
                transformOutputTile(m + t * o, step: count * o, filters: o, bias: bias, relu: relu, into: origin,
                                    rowStep: outputWidth * o, rows: Swift.min(2, outputHeight - 2 * ty),
                                    columns: Swift.min(2, outputWidth - 2 * tx))
            }
        }
    }
}

/// The kernel gradient of a 3×3, stride-1 convolution as Winograd F(3×3, 2×2): over each tile of the
/// convolution's output, the 3×3 kernel-gradient contribution is the input tile (4×4, as in the forward)
/// correlated with the output-gradient tile (2×2), Aᵀ [(Bᵀ d B) ⊙ (G dy Gᵀ)] A with F(3×3, 2×2)'s matrices;
/// summed over tiles, samples and channels in the transformed domain as 16 GEMMs per block, M[ξ] (C, O) +=
/// V[ξ]ᵀ (C, tiles) · W[ξ] (tiles, O), and transformed back once.
struct WinogradKernelGradient {
    /// Input channels `C` and output channels `O` of the convolution.
    let channels: Int, filters: Int
    /// Tiles transformed at once (about 1 MB of V and W).
    var tilesPerBlock: Int { Swift.max(1, (1 << 18) / (16 * (channels + filters))) }
    /// Floats of scratch memory `accumulate` needs.
    var scratchCount: Int { 16 * tilesPerBlock * (channels + filters) + Swift.max(channels, filters) }
    /// Floats of the transformed sums M: 16 (C, O) matrices.
    var sumCount: Int { 16 * channels * filters }

    /// Adds to the transformed sums `m` (or sets them, unless `accumulate`) the contribution of one sample:
    /// `x` (height, width, C) and the output gradient `dy` (outputHeight, outputWidth, O) of the convolution
    /// `y[oy, ox] = Σ x[oy + origin.top + i, ox + origin.left + j] · g[i, j]`.
    func accumulate(
        _ x: UnsafePointer<Float>, height: Int, width: Int, origin: (top: Int, left: Int),
        gradient dy: UnsafePointer<Float>, outputHeight: Int, outputWidth: Int,
        into m: UnsafeMutablePointer<Float>, accumulate: Bool, scratch: UnsafeMutablePointer<Float>
    ) {
        let (c, o) = (channels, filters)
        let tiles = WinogradTiles(height: height, width: width, origin: origin, outputHeight: outputHeight,
                                  outputWidth: outputWidth, perBlock: tilesPerBlock)
        let zero = UnsafePointer(scratch + 16 * tilesPerBlock * (c + o))  // zeroed by forEachBlock
        tiles.forEachBlock(x, channels: c, filters: o, scratch: scratch) { first, count, v, w in
            for t in 0..<count {
                let ty = (first + t) / tiles.columns, tx = (first + t) % tiles.columns
                func pixel(_ i: Int, _ j: Int) -> UnsafePointer<Float> {
                    let oy = 2 * ty + i, ox = 2 * tx + j
                    return oy < outputHeight && ox < outputWidth ? dy + (oy * outputWidth + ox) * o : zero
                }
                transformGradientTile(pixel(0, 0), pixel(0, 1), pixel(1, 0), pixel(1, 1), filters: o,
                                      into: w + t * o, step: count * o)
            }
            for xi in 0..<16 {
                sgemm(v + xi * count * c, w + xi * count * o, m + xi * c * o, m: c, n: o, k: count,
                      transposeA: true, accumulate: accumulate || first > 0)
            }
        }
    }

    /// Transforms the sums `m` back into the kernel gradient `dKernel` (3, 3, C, O).
    func kernelGradient(from m: UnsafePointer<Float>, into dKernel: UnsafeMutablePointer<Float>) {
        let pairs = channels * filters
        for pair in 0..<pairs {
            // Aᵀ M column by column, then (Aᵀ M) A row by row, with Aᵀ = [1 1 1 0; 0 1 −1 0; 0 1 1 1].
            func back(_ a: Float, _ b: Float, _ c: Float, _ d: Float) -> [Float] { [a + b + c, b - c, b + c + d] }
            let columns = (0..<4).map { b in back(m[b * pairs + pair], m[(4 + b) * pairs + pair],
                                                  m[(8 + b) * pairs + pair], m[(12 + b) * pairs + pair]) }
            for i in 0..<3 {
                let row = back(columns[0][i], columns[1][i], columns[2][i], columns[3][i])
                for j in 0..<3 { dKernel[(i * 3 + j) * pairs + pair] = row[j] }
            }
        }
    }
}

/// The 2×2 output tiles of a Winograd F(2×2, 3×3) convolution of one sample and their 4×4 input tiles.
private struct WinogradTiles {
    let height: Int, width: Int, origin: (top: Int, left: Int)
    /// Tiles per output row, and in all.
    let columns: Int, count: Int
    /// Tiles per block.
    let perBlock: Int

    init(height: Int, width: Int, origin: (top: Int, left: Int), outputHeight: Int, outputWidth: Int, perBlock: Int) {
        (self.height, self.width, self.origin, self.perBlock) = (height, width, origin, perBlock)
        columns = (outputWidth + 1) / 2
        count = (outputHeight + 1) / 2 * columns
    }

    /// For each block of tiles in order, writes the transformed input tiles V of `x` (height, width, C) to
    /// the start of `scratch` (position ξ of tile t at `v + (ξ·block + t)·C`), then calls `body(first tile,
    /// block, v, rest)` with `rest` the next 16 × block × O floats. The scratch holds 16 × perBlock × (C + O)
    /// floats and then `max(C, O)` that are set to zero and read as the pixels outside `x`.
    func forEachBlock(
        _ x: UnsafePointer<Float>, channels c: Int, filters o: Int, scratch: UnsafeMutablePointer<Float>,
        _ body: (_ first: Int, _ count: Int, _ v: UnsafeMutablePointer<Float>, _ rest: UnsafeMutablePointer<Float>) -> Void
    ) {
        let zero = scratch + 16 * perBlock * (c + o)
        zero.update(repeating: 0, count: Swift.max(c, o))
        withUnsafeTemporaryAllocation(of: UnsafePointer<Float>.self, capacity: 16) { pixels in
            let pixels = pixels.baseAddress!
            var first = 0
            while first < count {
                let block = Swift.min(perBlock, count - first)
                for t in 0..<block {
                    let top = 2 * ((first + t) / columns) + origin.top, left = 2 * ((first + t) % columns) + origin.left
                    for k in 0..<16 {
                        let iy = top + k / 4, ix = left + k % 4
                        let inside = iy >= 0 && iy < height && ix >= 0 && ix < width
                        (pixels + k).initialize(to: inside ? x + (iy * width + ix) * c : UnsafePointer(zero))
                    }
                    transformInputTile(pixels, channels: c, into: scratch + t * c, step: block * c)
                }
                body(first, block, scratch, scratch + 16 * block * c)
                first += block
            }
        }
    }
}

/// `G · (a, b, c)` for G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1].
@inline(__always)
private func kernelTransform(_ a: Float, _ b: Float, _ c: Float) -> [Float] {
    [a, (a + b + c) / 2, (a - b + c) / 2, c]
}

/// The vectors the transforms run on: 4 lanes, one SSE register each, so that a tile's 16 stay in registers.
private typealias Lanes = SIMD4<Float>

/// `Bᵀ · (a, b, c, d)` for Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1].
@inline(__always)
private func inputTransform(_ a: Lanes, _ b: Lanes, _ c: Lanes, _ d: Lanes) -> (Lanes, Lanes, Lanes, Lanes) {
    (a - c, b + c, c - b, b - d)
}

/// `Aᵀ · (a, b, c, d)` for Aᵀ = [1 1 1 0; 0 1 −1 −1].
@inline(__always)
private func outputTransform(_ a: Lanes, _ b: Lanes, _ c: Lanes, _ d: Lanes) -> (Lanes, Lanes) {
    (a + b + c, b - c - d)
}

/// Up to 4 consecutive values from `pointer` (the other lanes zero).
@inline(__always)
private func loadLanes(_ pointer: UnsafePointer<Float>, _ count: Int) -> Lanes {
    if count == 4 { return loadVector(pointer) }
    var vector = Lanes()
    for i in 0..<count { vector[i] = pointer[i] }
    return vector
}

/// Writes the first `count` (up to 4) lanes of `vector` to consecutive values from `pointer`.
@inline(__always)
private func storeLanes(_ vector: Lanes, _ pointer: UnsafeMutablePointer<Float>, _ count: Int) {
    if count == 4 { return storeVector(vector, pointer) }
    for i in 0..<count { pointer[i] = vector[i] }
}

/// Calls `body(start, lanes)` for the runs of 4 values of `0..<count` and a shorter last run; inlined, the
/// full runs see `lanes` as the constant 4 (no per-value branches).
@inline(__always)
private func forEachRun(_ count: Int, _ body: (_ start: Int, _ lanes: Int) -> Void) {
    let full = count / 4 * 4
    for start in stride(from: 0, to: full, by: 4) { body(start, 4) }
    if full < count { body(full, count - full) }
}

/// Writes `V = Bᵀ d B` of one input tile: `pixels` are its 16 pixel vectors (row-major, C channels each);
/// position ξ goes to `v + ξ·step`.
@inline(__always)
private func transformInputTile(
    _ pixels: UnsafePointer<UnsafePointer<Float>>, channels: Int, into v: UnsafeMutablePointer<Float>, step: Int
) {
    forEachRun(channels) { start, lanes in
        func d(_ k: Int) -> Lanes { loadLanes(pixels[k] + start, lanes) }
        // Bᵀ d column by column (t[r][s] is trs), then (Bᵀ d) B row by row.
        let (t00, t10, t20, t30) = inputTransform(d(0), d(4), d(8), d(12))
        let (t01, t11, t21, t31) = inputTransform(d(1), d(5), d(9), d(13))
        let (t02, t12, t22, t32) = inputTransform(d(2), d(6), d(10), d(14))
        let (t03, t13, t23, t33) = inputTransform(d(3), d(7), d(11), d(15))
        func storeRow(_ r: Int, _ a: Lanes, _ b: Lanes, _ c: Lanes, _ d: Lanes) {
            let (v0, v1, v2, v3) = inputTransform(a, b, c, d), target = v + 4 * r * step + start
            storeLanes(v0, target, lanes)
            storeLanes(v1, target + step, lanes)
            storeLanes(v2, target + 2 * step, lanes)
            storeLanes(v3, target + 3 * step, lanes)
        }
        storeRow(0, t00, t01, t02, t03)
        storeRow(1, t10, t11, t12, t13)
        storeRow(2, t20, t21, t22, t23)
        storeRow(3, t30, t31, t32, t33)
    }
}

/// `G · (a, b)` for F(3×3, 2×2)'s G = [1 0; ½ ½; ½ −½; 0 −1] (its last row negated to match the F(2×2, 3×3)
/// input transform, whose Bᵀ has the last row negated too).
@inline(__always)
private func gradientTransform(_ a: Lanes, _ b: Lanes) -> (Lanes, Lanes, Lanes, Lanes) {
    (a, (a + b) * 0.5, (a - b) * 0.5, -b)
}

/// Writes `W = G dy Gᵀ` of one output-gradient tile with pixel vectors `p00 … p11` (O values each);
/// position ξ goes to `w + ξ·step`.
@inline(__always)
private func transformGradientTile(
    _ p00: UnsafePointer<Float>, _ p01: UnsafePointer<Float>, _ p10: UnsafePointer<Float>, _ p11: UnsafePointer<Float>,
    filters: Int, into w: UnsafeMutablePointer<Float>, step: Int
) {
    forEachRun(filters) { start, lanes in
        let (t00, t10, t20, t30) = gradientTransform(loadLanes(p00 + start, lanes), loadLanes(p10 + start, lanes))
        let (t01, t11, t21, t31) = gradientTransform(loadLanes(p01 + start, lanes), loadLanes(p11 + start, lanes))
        func storeRow(_ r: Int, _ a: Lanes, _ b: Lanes) {
            let (w0, w1, w2, w3) = gradientTransform(a, b), target = w + 4 * r * step + start
            storeLanes(w0, target, lanes)
            storeLanes(w1, target + step, lanes)
            storeLanes(w2, target + 2 * step, lanes)
            storeLanes(w3, target + 3 * step, lanes)
        }
        storeRow(0, t00, t01)
        storeRow(1, t10, t11)
        storeRow(2, t20, t21)
        storeRow(3, t30, t31)
    }
}

/// Writes `Y = Aᵀ M A` (+ bias, then `max(·, 0)` when `relu`) of one output tile: position ξ of `M` is at
/// `m + ξ·step`; the tile's top-left output pixel is at `y`, the next row `rowStep` further, and its first
/// `rows` × `columns` pixels exist.
@inline(__always)
private func transformOutputTile(
    _ m: UnsafePointer<Float>, step: Int, filters: Int, bias: UnsafePointer<Float>?, relu: Bool,
    into y: UnsafeMutablePointer<Float>, rowStep: Int, rows: Int, columns: Int
) {
    forEachRun(filters) { start, lanes in
        func value(_ k: Int) -> Lanes { loadLanes(m + k * step + start, lanes) }
        let b = bias.map { loadLanes($0 + start, lanes) } ?? Lanes()
        // Aᵀ M column by column (rows 0 and 1: t0s, t1s), then (Aᵀ M) A row by row.
        let (t00, t10) = outputTransform(value(0), value(4), value(8), value(12))
        let (t01, t11) = outputTransform(value(1), value(5), value(9), value(13))
        let (t02, t12) = outputTransform(value(2), value(6), value(10), value(14))
        let (t03, t13) = outputTransform(value(3), value(7), value(11), value(15))
        func storeRow(_ i: Int, _ a: Lanes, _ c: Lanes, _ d: Lanes, _ e: Lanes) {
            let (left, right) = outputTransform(a, c, d, e)
            let pixel = y + i * rowStep + start
            func store(_ j: Int, _ value: Lanes) {
                storeLanes(relu ? value.replacing(with: 0, where: value .< 0) : value, pixel + j * filters, lanes)
            }
            store(0, left + b)
            if columns > 1 { store(1, right + b) }
        }
        storeRow(0, t00, t01, t02, t03)
        if rows > 1 { storeRow(1, t10, t11, t12, t13) }
    }
}
