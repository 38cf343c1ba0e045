/// What a `fit` callback is told about; the raw values are the C ABI's `PH_EVENT_*` codes.
public enum TrainingEventKind: Int32, Sendable {
    case trainBegin = 0, epochBegin = 1, batchEnd = 2, epochEnd = 3, trainEnd = 4
}

/// One progress report from `fit`: at a batch end the logs are the epoch's running means so far; at an
/// epoch end they are the epoch's full logs (validation included), as in `History`.
public struct TrainingEvent {
    public let kind: TrainingEventKind
    public let epoch: Int
    public let batch: Int
    public let logs: [(name: String, value: Double)]
}

/// Options of `fit`, as Keras's arguments.
public struct FitOptions: Equatable {
    public var epochs = 1
    public var batchSize = 32
    public var shuffle = true
    /// The fraction of the samples, taken from the end before shuffling (as Keras), held out for validation.
    public var validationSplit = 0.0

    public init(epochs: Int = 1, batchSize: Int = 32, shuffle: Bool = true, validationSplit: Double = 0) {
        (self.epochs, self.batchSize, self.shuffle, self.validationSplit) = (epochs, batchSize, shuffle, validationSplit)
    }

    /// Reads `{"epochs": 10, "batch_size": 128, "shuffle": true, "validation_split": 0.1}` (every key optional).
    public init(json: String) throws {
        let op = "fit", config = try JSON.parse(text: json, op: op)
        _ = try config.members("fit options", op: op)
        epochs = try config["epochs"]?.int("epochs", op: op) ?? 1
        batchSize = try config["batch_size"]?.int("batch_size", op: op) ?? 32
        shuffle = try config["shuffle"]?.bool("shuffle", op: op) ?? true
        validationSplit = try config["validation_split"]?.double("validation_split", op: op) ?? 0
    }

    func check() throws {
        guard epochs >= 0 else { throw PolyheadError.invalidArgument(op: "fit", message: "epochs must be ≥ 0, got \(epochs)") }
        guard batchSize > 0 else { throw PolyheadError.invalidArgument(op: "fit", message: "batch_size must be positive, got \(batchSize)") }
        guard validationSplit >= 0, validationSplit < 1 else {
            throw PolyheadError.invalidArgument(op: "fit", message: "validation_split must be in [0, 1), got \(validationSplit)")
        }
    }
}

/// Per-epoch logs with Keras's key names, in first-seen key order.
public struct History {
    public private(set) var keys: [String] = []
    public private(set) var values: [String: [Double]] = [:]
    /// Whether a callback stopped training early.
    public internal(set) var stopped = false
    /// The number of completed epochs.
    public var epochs: Int { values[keys.first ?? ""]?.count ?? 0 }

    mutating func append(_ logs: [(name: String, value: Double)]) {
        for (name, value) in logs {
            if values[name] == nil { keys.append(name); values[name] = [] }
            values[name]!.append(value)
        }
    }
}

/// How one output is trained and measured.
public struct OutputTraining {
    public let loss: KerasLoss
    public let lossWeight: Double
    public let metrics: [String]

    public init(loss: KerasLoss, lossWeight: Double = 1, metrics: [String] = []) {
        (self.loss, self.lossWeight, self.metrics) = (loss, lossWeight, metrics)
    }
}

/// The Keras-style training loop of a `GraphModel`, entirely in Swift: mini-batches (rows gathered with
/// `indexSelect`), shuffling from the global generator, forward, per-output losses with masks and
/// `loss_weights`, the weight and activity penalties, an optional multi-task method, the optimizer step and the metrics.
///
/// With a multi-task method, the task losses it receives are `loss_weight · loss`; its shared part is the
/// parameters of the layers that feed more than one output (`GraphModel.sharedWeights`) and, in the
/// representation mode (`repGrad`), also the shared representation (`GraphModel.representationSlot`), whose
/// task gradients gradient methods then combine instead; the weight and activity penalties are back-propagated
/// on their own, their gradient added to the method's. The logged `loss` is always
/// `Σ loss_weight · loss + penalty`; `<output>_weight` is the mean over the epoch's steps of the method's
/// task weights (the loss weights without a method).
public final class Trainer {
    public let model: GraphModel
    public let optimizer: Optimizer
    public let method: (any MultiTaskMethod)?
    public let outputs: [OutputTraining]
    let metrics: [[Metric]]
    private let shared: [Tensor]
    /// The value slot of the shared representation in the representation mode.
    private let representation: Int?
    /// The layers (by index) whose `trainable` is false: the optimizer need not hold their weights, they
    /// carry no weight penalty and are not shared, and a BatchNormalization among them runs in inference mode.
    private let frozen: Set<Int>

    /// - Parameters:
    ///   - repGrad: give the method the shared representation (the representation mode of gradient methods).
    ///   - representation: the layer whose output is the shared representation; by default the last one
    ///     every output depends on.
    ///   - frozen: the names of the layers not to train (Keras's `layer.trainable = False`).
    /// - Throws: `.invalidArgument` for a wrong number of output specs, an unknown metric, a method made
    ///   for another number of tasks, an optimizer missing a weight of a trained layer or a method parameter,
    ///   an unknown frozen layer, or (with `repGrad`) no method or no usable representation.
    public init(model: GraphModel, optimizer: Optimizer, outputs: [OutputTraining], method: (any MultiTaskMethod)? = nil,
                repGrad: Bool = false, representation: String? = nil, frozen: [String] = []) throws {
        let op = "compile"
        guard outputs.count == model.outputNames.count else {
            throw PolyheadError.invalidArgument(op: op, message: "\(outputs.count) losses for \(model.outputNames.count) outputs \(model.outputNames)")
        }
        if let method, method.taskCount != outputs.count {
            throw PolyheadError.invalidArgument(op: op, message: "the multi-task method was made for \(method.taskCount) tasks, the model has \(outputs.count) outputs")
        }
        self.frozen = try model.layerIndices(named: frozen, op: op)
        let frozenWeights = Set(self.frozen.flatMap { model.layers[$0].operation.weights.map { ObjectIdentifier($0.tensor) } })
        let owned = Set(optimizer.parameters.map(ObjectIdentifier.init))
        for (name, weight) in model.namedWeights
        where !owned.contains(ObjectIdentifier(weight)) && !frozenWeights.contains(ObjectIdentifier(weight)) {
            throw PolyheadError.invalidArgument(op: op, message: "the optimizer does not update weight '\(name)'; build it over the model's weights")
        }
        if let method, method.parameters.contains(where: { !owned.contains(ObjectIdentifier($0)) }) {
            throw PolyheadError.invalidArgument(op: op, message: "the optimizer does not update the multi-task method's parameters; include them")
        }
        for spec in outputs where !(spec.lossWeight.isFinite && spec.lossWeight >= 0) {
            throw PolyheadError.invalidArgument(op: op, message: "loss weights must be finite and ≥ 0, got \(spec.lossWeight)")
        }
        metrics = try zip(outputs, model.outputShapes).map { spec, shape in
            try spec.metrics.map { try Metric(name: $0, loss: spec.loss, outputWidth: shape.reduce(1, *)) }
        }
        self.model = model
        self.optimizer = optimizer
        self.outputs = outputs
        self.method = method
        shared = model.sharedWeights.filter { !frozenWeights.contains(ObjectIdentifier($0)) }
        if method is any GradientAggregator, !repGrad, shared.isEmpty {
            throw PolyheadError.invalidArgument(
                op: op, message: "the gradient method has no shared weights to combine the task gradients of: no trained layer feeds more than one output (frozen layers are not trained); use rep_grad=True, a loss weighting, or unfreeze the shared layers")
        }
        guard repGrad || representation == nil else {
            throw PolyheadError.invalidArgument(op: op, message: "a representation layer was named without rep_grad")
        }
        guard !repGrad || method != nil else {
            throw PolyheadError.invalidArgument(op: op, message: "rep_grad needs a multi-task (gradient) method")
        }
        self.representation = repGrad ? try model.representationSlot(named: representation) : nil
    }

    /// Reads the compile JSON: `{"outputs": [{"loss": "mse", "from_logits": false, "delta": 1.0,
    /// "loss_weight": 1.0, "metrics": ["mae"]}, ...], "rep_grad": false, "representation": null,
    /// "frozen": ["layer", …]}`, one output entry per model output in order.
    public convenience init(model: GraphModel, optimizer: Optimizer, compileJSON: String, method: (any MultiTaskMethod)? = nil) throws {
        let op = "compile", config = try JSON.parse(text: compileJSON, op: op)
        let specs = try (config["outputs"] ?? .null).elements("outputs", op: op).enumerated().map { index, item in
            let path = "outputs[\(index)]"
            let loss = try KerasLoss(spec: item, path: path, op: op)
            return OutputTraining(loss: loss, lossWeight: try item["loss_weight"]?.double("\(path).loss_weight", op: op) ?? 1,
                                  metrics: try (item["metrics"] ?? .array([])).elements("\(path).metrics", op: op).map {
                                      try $0.string("\(path).metrics", op: op)
                                  })
        }
        try self.init(model: model, optimizer: optimizer, outputs: specs, method: method,
                      repGrad: try config["rep_grad"]?.bool("rep_grad", op: op) ?? false,
                      representation: try config["representation"]?.string("representation", op: op),
                      frozen: try (config["frozen"] ?? .array([])).elements("frozen", op: op).map { try $0.string("frozen", op: op) })
    }

    /// Trains for `options.epochs` epochs and returns the per-epoch logs. `callback` gets every event and
    /// returns `true` to stop (after the current batch); an error it throws stops training and is rethrown.
    /// - Throws: `PolyheadError` for data that does not fit the model or the losses, or a failing step.
    public func fit(
        _ data: TrainingData, validation: TrainingData? = nil, options: FitOptions = FitOptions(),
        callback: ((TrainingEvent) throws -> Bool)? = nil
    ) throws -> History {
        try options.check()
        try check(data, name: "x/y")
        var training = data, held = validation
        if let validation { try check(validation, name: "validation data") }
        if options.validationSplit > 0, validation == nil {
            let split = Int((Double(data.count) * (1 - options.validationSplit)).rounded(.up))
            training = try withoutGrad { try data.slice(0..<split) }
            held = try withoutGrad { try data.slice(split..<data.count) }
        }
        var history = History()
        func emit(_ kind: TrainingEventKind, _ epoch: Int, _ batch: Int, _ logs: [(name: String, value: Double)]) throws -> Bool {
            guard let callback else { return false }
            return try callback(TrainingEvent(kind: kind, epoch: epoch, batch: batch, logs: logs))
        }
        var stop = try emit(.trainBegin, 0, 0, [])
        var epoch = 0
        while epoch < options.epochs, !stop {
            stop = try emit(.epochBegin, epoch, 0, [])
            let order = options.shuffle ? randomPermutation(training.count) : Array(0..<training.count)
            var epochLogs = EpochLogs(outputs: outputs.count, metrics: metrics)
            var start = 0, batch = 0
            while start < training.count, !stop {
                let end = start + Swift.min(options.batchSize, training.count - start)
                let indices = Array(order[start..<end])
                try step(try withoutGrad { try training.rows(indices) }, into: &epochLogs)
                stop = try emit(.batchEnd, epoch, batch, logs(epochLogs, withWeights: true))
                start = end
                batch += 1
            }
            method?.endEpoch()
            var logs = logs(epochLogs, withWeights: true)
            if let held, held.count > 0 {
                logs += try evaluate(held, batchSize: options.batchSize).map { ("val_" + $0.name, $0.value) }
            }
            history.append(logs)
            if try emit(.epochEnd, epoch, batch, logs) { stop = true }
            epoch += 1
        }
        history.stopped = stop
        _ = try emit(.trainEnd, epoch, 0, [])
        return history
    }

    /// The losses and metrics over `data` (batched, no dropout, no gradients), as `[("loss", …), ("<output>_loss", …), …]`.
    public func evaluate(_ data: TrainingData, batchSize: Int = 32) throws -> [(name: String, value: Double)] {
        try check(data, name: "x/y")
        guard batchSize > 0 else { throw PolyheadError.invalidArgument(op: "evaluate", message: "batch_size must be positive, got \(batchSize)") }
        var epochLogs = EpochLogs(outputs: outputs.count, metrics: metrics)
        try withoutGrad {
            var start = 0
            while start < data.count {
                let end = start + Swift.min(batchSize, data.count - start)
                let batch = try data.slice(start..<end)
                let pass = try model.forward(batch.inputs, training: false), predictions = pass.outputs
                var losses: [Double] = []
                for (k, spec) in outputs.enumerated() {
                    losses.append(Double(try spec.loss(predictions[k], batch.targets[k], mask: batch.masks[k]).item()))
                }
                let penalty = try self.penalty(pass).map { Double(try $0.item()) } ?? 0
                epochLogs.add(batch, predictions, losses: losses, penalty: penalty, weights: nil, trainer: self)
                start = end
            }
        }
        return logs(epochLogs, withWeights: false)
    }

    /// The model's outputs over `inputs`, computed in batches without dropout or gradients.
    public func predict(_ inputs: [Tensor], batchSize: Int = 32) throws -> [Tensor] { try model.predict(inputs, batchSize: batchSize) }

    /// One optimisation step on one batch.
    private func step(_ batch: TrainingData, into epochLogs: inout EpochLogs) throws {
        let pass = try model.forward(batch.inputs, training: true, capturing: representation, frozen: frozen)
        let (predictions, representationValue) = (pass.outputs, pass.captured)
        var taskLosses: [Tensor] = []
        for (k, spec) in outputs.enumerated() {
            let loss = try spec.loss(predictions[k], batch.targets[k], mask: batch.masks[k])
            taskLosses.append(spec.lossWeight == 1 ? loss : try loss * Float(spec.lossWeight))
        }
        let penalty = try self.penalty(pass)
        optimizer.zeroGrad()
        for parameter in method?.parameters ?? [] { try parameter.setGrad(nil) }
        let weights: [Double]
        if let method {
            // The penalties' gradient is added as is, first: the activity penalty reads the forward graph the
            // method then walks (and frees).
            try penalty?.backward(retainGraph: true)
            weights = try method.backward(losses: taskLosses,
                                          shared: SharedPart(parameters: shared, representation: representationValue)).weights
        } else {
            var total = try totalLoss(taskLosses)
            if let penalty { total = try total + penalty }
            try total.backward()
            weights = outputs.map(\.lossWeight)
        }
        optimizer.step()
        let values = try taskLosses.map { Double(try $0.item()) }
        let unweighted = zip(values, outputs).map { $1.lossWeight == 0 ? 0 : $0 / $1.lossWeight }
        try withoutGrad {
            epochLogs.add(batch, predictions.map { $0.detached() }, losses: unweighted,
                          penalty: Double(try penalty?.item() ?? 0), weights: weights, trainer: self)
        }
    }

    /// The weight penalties of the trained layers plus the activity penalty of `pass` (recorded), or `nil`.
    private func penalty(_ pass: GraphModel.ForwardPass) throws -> Tensor? {
        try sumOfPenalties([try model.regularizationLoss(frozen: frozen), pass.activityPenalty])
    }

    /// Throws unless `data` has one array per model input and output with shapes the losses accept.
    private func check(_ data: TrainingData, name: String) throws {
        try model.checkInputs(data.inputs)
        guard data.targets.count == outputs.count else {
            throw PolyheadError.invalidArgument(op: "fit", message: "\(name): \(data.targets.count) targets for \(outputs.count) outputs \(model.outputNames)")
        }
        for (k, target) in data.targets.enumerated() {
            let expected = model.outputShapes[k], got = Array(target.shape.dropFirst())
            let sparse = outputs[k].loss == .sparseCategoricalCrossentropy(fromLogits: true)
                || outputs[k].loss == .sparseCategoricalCrossentropy(fromLogits: false)
            let fits = sparse ? target.count == data.count && metrics[k].allSatisfy(\.acceptsSparseTargets) : got == expected
            guard fits else {
                throw PolyheadError.shapeMismatch(
                    op: "fit", message: "target '\(model.outputNames[k])' has shape \(describe(target.shape)); output '\(model.outputNames[k])' gives (batch, \(expected.map(String.init).joined(separator: ", ")))\(sparse ? " and sparse labels need (batch,) with accuracy or f1 as the only metrics" : "")")
            }
        }
    }

    fileprivate func logs(_ epoch: EpochLogs, withWeights: Bool) -> [(name: String, value: Double)] {
        let n = Double(Swift.max(epoch.samples, 1))
        var result: [(name: String, value: Double)] = [("loss", epoch.loss / n)]
        for (k, name) in model.outputNames.enumerated() { result.append((name + "_loss", epoch.outputLoss[k] / n)) }
        for (k, name) in model.outputNames.enumerated() {
            for (m, metric) in metrics[k].enumerated() {
                result.append((name + "_" + metric.name, metric.value(epoch.metric[k][m])))
            }
        }
        if withWeights {
            for (k, name) in model.outputNames.enumerated() {
                result.append((name + "_weight", epoch.steps > 0 ? epoch.weight[k] / Double(epoch.steps) : outputs[k].lossWeight))
            }
        }
        return result
    }
}

/// Running sums over one epoch: losses weighted by batch size (as Keras's loss tracker), metrics weighted by mask.
struct EpochLogs {
    var samples = 0, steps = 0
    var loss = 0.0
    var outputLoss: [Double]
    var metric: [[[Double]]]
    var weight: [Double]

    init(outputs: Int, metrics: [[Metric]]) {
        outputLoss = Array(repeating: 0, count: outputs)
        weight = Array(repeating: 0, count: outputs)
        metric = metrics.map { $0.map { $0.makeState() } }
    }

    mutating func add(_ batch: TrainingData, _ predictions: [Tensor], losses: [Double], penalty: Double,
                      weights: [Double]?, trainer: Trainer) {
        let n = Double(batch.count)
        samples += batch.count
        var total = penalty
        for k in losses.indices {
            outputLoss[k] += losses[k] * n
            total += losses[k] * trainer.outputs[k].lossWeight
            let maskWeights = batch.masks[k].map { $0.scalars }
            for (m, metric) in trainer.metrics[k].enumerated() {
                metric.accumulate(predictions[k], batch.targets[k], weights: maskWeights, into: &self.metric[k][m])
            }
        }
        loss += total * n
        if let weights {
            steps += 1
            for k in weights.indices where k < weight.count { weight[k] += weights[k] }
        }
    }
}

extension GraphModel {
    /// The outputs over `inputs`, in batches of `batchSize`, without dropout or gradients.
    public func predict(_ inputs: [Tensor], batchSize: Int = 32) throws -> [Tensor] {
        guard batchSize > 0 else { throw PolyheadError.invalidArgument(op: "predict", message: "batch_size must be positive, got \(batchSize)") }
        try checkInputs(inputs)
        let count = inputs[0].shape[0]
        return try withoutGrad {
            var parts: [[Tensor]] = Array(repeating: [], count: outputNames.count)
            var start = 0
            while start < count {
                let end = start + Swift.min(batchSize, count - start)
                let outputs = try self(try inputs.map { try $0.indexSelect(Array(start..<end)) }, training: false)
                for (k, output) in outputs.enumerated() { parts[k].append(output) }
                start = end
            }
            return try parts.enumerated().map { k, pieces in
                pieces.isEmpty ? try Tensor.zeros([0] + outputShapes[k]) : try Tensor.concatenate(pieces, axis: 0)
            }
        }
    }
}
