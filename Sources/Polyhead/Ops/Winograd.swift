// Winograd F(2×2, 3×3) (Lavin & Gray 2016, "Fast Algorithms for Convolutional Neural Networks") for 3×3,
// stride-1 convolutions of channels-last samples: each 2×2 output tile is Y = Aᵀ [U ⊙ V] A with the input
// tile V = Bᵀ d B (4×4) and the kernel U = G g Gᵀ (4×4), per channel; summed over channels, the 16
// element-wise products of a block of tiles become 16 GEMMs, M[ξ] (tiles, O) = V[ξ] (tiles, C) · U[ξ]
// (C, O), with 16 multiply-adds per (tile, channel, filter) instead of direct convolution's 36. The
// transforms run 8 channels (or filters) at a time over a block of tiles small enough that V and M stay in
// cache. The input gradient of such a convolution is one as well: the output gradient convolved with the
// kernel rotated by 180° with channels and filters swapped (`flipped`). Float32 results differ from direct
// summation by a few ulps of the largest input-tile sums (the transforms add and subtract up to 4 × 4
// terms of each sign).

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
    var scratchCount: Int { 16 * tilesPerBlock * (channels + filters) + channels }

    /// Convolves one sample `x` (height, width, C) into `y` (outputHeight, outputWidth, O), zero outside `x`:
    /// `y[oy, ox] = Σ x[oy + origin.top + i, ox + origin.left + j] · g[i, j]` (plus `bias`, then
    /// `max(·, 0)` when `relu`).
    func convolve(
        _ x: UnsafePointer<Float>, height: Int, width: Int, origin: (top: Int, left: Int),
        into y: UnsafeMutablePointer<Float>, outputHeight: Int, outputWidth: Int,
        bias: UnsafePointer<Float>?, relu: Bool, scratch: UnsafeMutablePointer<Float>
    ) {
        let tileColumns = (outputWidth + 1) / 2, tiles = (outputHeight + 1) / 2 * tileColumns
        let (c, o) = (channels, filters)
        let zero = UnsafePointer(scratch + 16 * tilesPerBlock * (c + o))
        (scratch + 16 * tilesPerBlock * (c + o)).update(repeating: 0, count: c)
        withUnsafeTemporaryAllocation(of: SIMD8<Float>.self, capacity: 16) { work in
        withUnsafeTemporaryAllocation(of: UnsafePointer<Float>.self, capacity: 16) { pixels in
            let work = work.baseAddress!, pixels = pixels.baseAddress!
            var first = 0
            while first < tiles {
                let count = Swift.min(tilesPerBlock, tiles - first)
                let v = scratch, m = scratch + 16 * count * c
                for t in 0..<count {
                    let top = 2 * ((first + t) / tileColumns) + origin.top, left = 2 * ((first + t) % tileColumns) + origin.left
                    for k in 0..<16 {
                        let iy = top + k / 4, ix = left + k % 4
                        let inside = iy >= 0 && iy < height && ix >= 0 && ix < width
                        (pixels + k).initialize(to: inside ? x + (iy * width + ix) * c : zero)
                    }
                    transformInputTile(pixels, channels: c, into: v + t * c, step: count * c, work: work)
                }
                for xi in 0..<16 {
                    sgemm(v + xi * count * c, u.pointer + xi * c * o, m + xi * count * o, m: count, n: o, k: c)
                }
                for t in 0..<count {
                    let ty = (first + t) / tileColumns, tx = (first + t) % tileColumns
                    let origin = y + (2 * ty * outputWidth + 2 * tx) * o
                    transformOutputTile(m + t * o, step: count * o, filters: o, bias: bias, relu: relu, into: origin,
                                        rowStep: outputWidth * o, rows: Swift.min(2, outputHeight - 2 * ty),
                                        columns: Swift.min(2, outputWidth - 2 * tx), work: work)
                }
                first += count
            }
        }
        }
    }
}

/// `G · (a, b, c)` for G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1].
@inline(__always)
private func kernelTransform(_ a: Float, _ b: Float, _ c: Float) -> [Float] {
    [a, (a + b + c) / 2, (a - b + c) / 2, c]
}

/// `Bᵀ · (a, b, c, d)` in place on `w[0]`, `w[step]`, `w[2·step]`, `w[3·step]`, for
/// Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1].
@inline(__always)
private func inputTransform(_ w: UnsafeMutablePointer<SIMD8<Float>>, step: Int) {
    let (a, b, c, d) = (w[0], w[step], w[2 * step], w[3 * step])
    (w[0], w[step], w[2 * step], w[3 * step]) = (a - c, b + c, c - b, b - d)
}

/// `Aᵀ · (a, b, c, d)` of `w[0]`, `w[step]`, `w[2·step]`, `w[3·step]` into `w[0]` and `w[step]`, for
/// Aᵀ = [1 1 1 0; 0 1 −1 −1].
@inline(__always)
private func outputTransform(_ w: UnsafeMutablePointer<SIMD8<Float>>, step: Int) {
    let (a, b, c, d) = (w[0], w[step], w[2 * step], w[3 * step])
    (w[0], w[step]) = (a + b + c, b - c - d)
}

/// Up to 8 consecutive values from `pointer` (the other lanes zero).
@inline(__always)
private func loadLanes(_ pointer: UnsafePointer<Float>, _ count: Int) -> SIMD8<Float> {
    if count == 8 { return loadVector(pointer) }
    var vector = SIMD8<Float>()
    for i in 0..<count { vector[i] = pointer[i] }
    return vector
}

/// Writes the first `count` (up to 8) lanes of `vector` to consecutive values from `pointer`.
@inline(__always)
private func storeLanes(_ vector: SIMD8<Float>, _ pointer: UnsafeMutablePointer<Float>, _ count: Int) {
    if count == 8 { return storeVector(vector, pointer) }
    for i in 0..<count { pointer[i] = vector[i] }
}

/// Writes `V = Bᵀ d B` of one input tile: `pixels` are its 16 pixel vectors (row-major, C channels each);
/// position ξ goes to `v + ξ·step`. `work` holds 16 vectors.
@inline(__always)
private func transformInputTile(
    _ pixels: UnsafePointer<UnsafePointer<Float>>, channels: Int, into v: UnsafeMutablePointer<Float>, step: Int,
    work: UnsafeMutablePointer<SIMD8<Float>>
) {
    for start in stride(from: 0, to: channels, by: 8) {
        let lanes = Swift.min(8, channels - start)
        for k in 0..<16 { work[k] = loadLanes(pixels[k] + start, lanes) }
        for s in 0..<4 { inputTransform(work + s, step: 4) }      // Bᵀ d, column by column
        for r in 0..<4 { inputTransform(work + 4 * r, step: 1) }  // (Bᵀ d) B, row by row
        for k in 0..<16 { storeLanes(work[k], v + k * step + start, lanes) }
    }
}

/// Writes `Y = Aᵀ M A` (+ bias, then `max(·, 0)` when `relu`) of one output tile: position ξ of `M` is at
/// `m + ξ·step`; the tile's top-left output pixel is at `y`, the next row `rowStep` further, and its first
/// `rows` × `columns` pixels exist. `work` holds 16 vectors.
@inline(__always)
private func transformOutputTile(
    _ m: UnsafePointer<Float>, step: Int, filters: Int, bias: UnsafePointer<Float>?, relu: Bool,
    into y: UnsafeMutablePointer<Float>, rowStep: Int, rows: Int, columns: Int, work: UnsafeMutablePointer<SIMD8<Float>>
) {
    for start in stride(from: 0, to: filters, by: 8) {
        let lanes = Swift.min(8, filters - start)
        for k in 0..<16 { work[k] = loadLanes(m + k * step + start, lanes) }
        let b = bias.map { loadLanes($0 + start, lanes) } ?? SIMD8<Float>()
        for s in 0..<4 { outputTransform(work + s, step: 4) }      // Aᵀ M into rows 0 and 1
        for i in 0..<2 { outputTransform(work + 4 * i, step: 1) }  // (Aᵀ M) A into columns 0 and 1
        for i in 0..<rows {
            for j in 0..<columns {
                let result = work[4 * i + j] + b
                storeLanes(relu ? result.replacing(with: 0, where: result .< 0) : result, y + i * rowStep + j * filters + start, lanes)
            }
        }
    }
}
