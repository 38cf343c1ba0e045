extension GraphModel {
    /// The value slot of the shared representation for the representation mode of gradient methods: the
    /// output of layer `name` (its first call), or by default the last node every output depends on that
    /// passes the checks below.
    ///
    /// It must be a cut between the weighted trunk and the heads: no output may read a node above it
    /// except through it (otherwise trunk weights would get head gradients that bypass the combination),
    /// and some weight must lie above it.
    /// - Throws: `.invalidArgument` naming the layer when there is no such node or it is not a cut.
    public func representationSlot(named name: String? = nil) throws -> Int {
        if let name {
            guard let layer = layers.firstIndex(where: { $0.name == name }) else {
                throw PolyheadError.invalidArgument(op: "compile", message: "representation '\(name)' is not a layer of the model")
            }
            // invariant: every layer has a call 0.
            return try checkedRepresentation(nodes.firstIndex { $0.layer == layer && $0.call == 0 }!)
        }
        let reach = reachingOutputs()
        var lastError: Error = PolyheadError.invalidArgument(
            op: "compile", message: "no layer feeds every output \(outputNames); name the shared representation layer")
        for node in nodes.indices.reversed() where reach[node].count == outputSlots.count {
            do { return try checkedRepresentation(node) } catch { lastError = error }
        }
        throw lastError
    }

    /// The slot of `node` after checking that it is a usable representation (see `representationSlot`).
    private func checkedRepresentation(_ node: Int) throws -> Int {
        let op = "compile"
        let slot = inputs.count + node, label = "representation '\(layers[nodes[node].layer].name)'"
        let trunk = upstreamNodes(of: [slot], stoppingAt: nil)
        guard trunk.contains(where: { !layers[nodes[$0].layer].operation.weights.isEmpty }) else {
            throw PolyheadError.invalidArgument(op: op, message: "\(label) does not depend on any weight; name a layer after the shared trunk")
        }
        let bypass = upstreamNodes(of: outputSlots, stoppingAt: slot).intersection(trunk)
        if let first = bypass.min() {
            throw PolyheadError.invalidArgument(
                op: op, message: "\(label) is not a cut: an output reads layer '\(layers[nodes[first].layer].name)' without going through it; name another representation layer")
        }
        return slot
    }

    /// The nodes that `slots` read, directly or indirectly, not walking past `stop`.
    private func upstreamNodes(of slots: [Int], stoppingAt stop: Int?) -> Set<Int> {
        var seen = Set<Int>(), stack = slots.filter { $0 != stop }.map { $0 - inputs.count }.filter { $0 >= 0 }
        while let node = stack.popLast() {
            guard seen.insert(node).inserted else { continue }
            stack += nodes[node].inbound.filter { $0 != stop && $0 >= inputs.count }.map { $0 - inputs.count }
        }
        return seen
    }
}
