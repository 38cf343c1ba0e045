#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Polyhead

/// The object behind a `ph_model` handle: the model, its trainable weights followed by its non-trainable
/// state, and their names as C strings.
final class ModelHandle {
    let model: GraphModel
    let weights: [(name: String, tensor: Tensor)]
    let names: [UnsafeMutablePointer<CChar>]
    init(_ model: GraphModel) {
        self.model = model
        weights = model.namedWeights + model.namedBuffers
        names = weights.map { strdup($0.name)! }
    }
    deinit { names.forEach { free($0) } }
}

/// The object behind a `ph_trainer` handle: the trainer, the handles of its optimizer and method (kept
/// alive, and claimed for the whole of each `fit`) and the last JSON text it returned.
final class TrainerHandle {
    let trainer: Trainer
    let optimizer: OptimizerHandle
    let method: MethodHandle?
    var text: UnsafeMutablePointer<CChar>?
    init(_ trainer: Trainer, optimizer: OptimizerHandle, method: MethodHandle?) {
        (self.trainer, self.optimizer, self.method) = (trainer, optimizer, method)
    }
    deinit { free(text) }

    /// Runs `body` while the optimizer and the method are claimed by the calling thread, so that no other
    /// thread steps, changes or drives them meanwhile (their calls throw instead).
    /// - Throws: a runtime `ABIError` when another fit already uses the optimizer or the method.
    func claimingState<T>(_ body: () throws -> T) throws -> T {
        try optimizer.lock.claim("optimizer")
        defer { optimizer.lock.release() }
        try method?.lock.claim("multi-task method")
        defer { method?.lock.release() }
        return try body()
    }

    /// Keeps `json` as the handle's current result text and returns it.
    func hold(_ json: String) -> UnsafePointer<CChar> {
        free(text)
        text = strdup(json)
        return UnsafePointer(text!)
    }
}

/// The C progress callback of `ph_trainer_fit`.
typealias FitCallback = @convention(c) (
    UnsafeMutableRawPointer?, Int32, Int64, Int64, Int32, UnsafePointer<UnsafePointer<CChar>?>?, UnsafePointer<Double>?
) -> Int32

private func borrowModel(_ handle: OpaquePointer?) throws -> GraphModel { try borrowModelHandle(handle).model }

private func borrowModelHandle(_ handle: OpaquePointer?) throws -> ModelHandle {
    guard let handle else { throw ABIError(status: statusValue, message: "model is NULL") }
    return Unmanaged<ModelHandle>.fromOpaque(UnsafeRawPointer(handle)).takeUnretainedValue()
}

private func borrowTrainer(_ handle: OpaquePointer?) throws -> TrainerHandle {
    guard let handle else { throw ABIError(status: statusValue, message: "trainer is NULL") }
    return Unmanaged<TrainerHandle>.fromOpaque(UnsafeRawPointer(handle)).takeUnretainedValue()
}

private func readText(_ pointer: UnsafePointer<CChar>?, _ argument: String) throws -> String {
    guard let pointer else { throw ABIError(status: statusValue, message: "\(argument) is NULL") }
    return String(cString: pointer)
}

/// Reads `count` optional mask handles (a NULL array means no masks).
private func readMasks(_ handles: UnsafePointer<OpaquePointer?>?, count: Int32) -> [Tensor?] {
    guard let handles, count > 0 else { return [] }
    return (0..<Int(count)).map { borrowOptionalTensor(handles[$0]) }
}

/// A JSON number literal for a log value (NaN and infinities as Python's json module writes them).
private func jsonNumber(_ value: Double) -> String {
    if value.isNaN { return "NaN" }
    if value.isInfinite { return value > 0 ? "Infinity" : "-Infinity" }
    return "\(value)"
}

/// A JSON string literal.
private func jsonString(_ value: String) -> String {
    var text = "\""
    for scalar in value.unicodeScalars {
        switch scalar {
        case "\"": text += "\\\""
        case "\\": text += "\\\\"
        case "\u{00}"..<"\u{20}": text += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count) + String(scalar.value, radix: 16)
        default: text.unicodeScalars.append(scalar)
        }
    }
    return text + "\""
}

@_cdecl("ph_model_new")
public func ph_model_new(_ out: UnsafeMutablePointer<OpaquePointer?>?, _ config: UnsafePointer<CChar>?) -> Int32 {
    abiCall {
        let target = try checkOut(out)
        let model = try GraphModel(json: try readText(config, "config_json"))
        target.pointee = OpaquePointer(Unmanaged.passRetained(ModelHandle(model)).toOpaque())
    }
}

@_cdecl("ph_model_new_sharing")
public func ph_model_new_sharing(
    _ out: UnsafeMutablePointer<OpaquePointer?>?, _ config: UnsafePointer<CChar>?,
    _ names: UnsafePointer<UnsafePointer<CChar>?>?, _ tensors: UnsafePointer<OpaquePointer?>?, _ count: Int32
) -> Int32 {
    abiCall {
        let target = try checkOut(out)
        let keys = try readStrings(names, count, "names")
        let values = try borrowTensors(tensors, count: count, "tensors")
        var sharing: [String: Tensor] = [:]
        for (key, value) in zip(keys, values) where sharing.updateValue(value, forKey: key) != nil {
            throw ABIError(status: statusValue, message: "[model] weight '\(key)' to share is given twice")
        }
        let model = try GraphModel(json: try readText(config, "config_json"), sharing: sharing)
        target.pointee = OpaquePointer(Unmanaged.passRetained(ModelHandle(model)).toOpaque())
    }
}

@_cdecl("ph_keras_loss_per_sample")
public func ph_keras_loss_per_sample(
    _ out: UnsafeMutablePointer<OpaquePointer?>?, _ lossJSON: UnsafePointer<CChar>?, _ yTrue: OpaquePointer?, _ yPred: OpaquePointer?
) -> Int32 {
    produceTensor(out) {
        let loss = try KerasLoss(json: try readText(lossJSON, "loss_json"))
        return try loss.perSample(try borrowTensor(yPred, "y_pred"), try borrowTensor(yTrue, "y_true"))
    }
}

@_cdecl("ph_model_free")
public func ph_model_free(_ model: OpaquePointer?) -> Int32 {
    if let model { Unmanaged<ModelHandle>.fromOpaque(UnsafeRawPointer(model)).release() }
    return statusOK
}

@_cdecl("ph_model_input_count")
public func ph_model_input_count(_ out: UnsafeMutablePointer<Int32>?, _ model: OpaquePointer?) -> Int32 {
    abiCall { try checkOut(out).pointee = Int32(try borrowModel(model).inputs.count) }
}

@_cdecl("ph_model_output_count")
public func ph_model_output_count(_ out: UnsafeMutablePointer<Int32>?, _ model: OpaquePointer?) -> Int32 {
    abiCall { try checkOut(out).pointee = Int32(try borrowModel(model).outputNames.count) }
}

@_cdecl("ph_model_weight_count")
public func ph_model_weight_count(_ out: UnsafeMutablePointer<Int32>?, _ model: OpaquePointer?) -> Int32 {
    abiCall { try checkOut(out).pointee = Int32(try borrowModelHandle(model).weights.count) }
}

@_cdecl("ph_model_trainable_weight_count")
public func ph_model_trainable_weight_count(_ out: UnsafeMutablePointer<Int32>?, _ model: OpaquePointer?) -> Int32 {
    abiCall { try checkOut(out).pointee = Int32(try borrowModel(model).namedWeights.count) }
}

@_cdecl("ph_model_weight")
public func ph_model_weight(
    _ out: UnsafeMutablePointer<OpaquePointer?>?, _ name: UnsafeMutablePointer<UnsafePointer<CChar>?>?,
    _ model: OpaquePointer?, _ index: Int32
) -> Int32 {
    abiCall {
        let target = try checkOut(out), nameTarget = try checkOut(name, "name")
        let handle = try borrowModelHandle(model)
        guard index >= 0, Int(index) < handle.names.count else {
            throw ABIError(status: statusIndex, message: "weight index \(index) is outside 0..<\(handle.names.count)")
        }
        target.pointee = passRetained(handle.weights[Int(index)].tensor)
        nameTarget.pointee = UnsafePointer(handle.names[Int(index)])
    }
}

/// Writes `tensors` at +1 into the caller's array.
private func writeOutputs(_ tensors: [Tensor], _ outputs: UnsafeMutablePointer<OpaquePointer?>) {
    for (index, tensor) in tensors.enumerated() { outputs[index] = passRetained(tensor) }
}

@_cdecl("ph_model_call")
public func ph_model_call(
    _ outputs: UnsafeMutablePointer<OpaquePointer?>?, _ model: OpaquePointer?, _ inputs: UnsafePointer<OpaquePointer?>?,
    _ inputCount: Int32, _ training: Int32
) -> Int32 {
    abiCall {
        let target = try checkOut(outputs, "outputs")
        let result = try borrowModel(model)(try borrowTensors(inputs, count: inputCount, "inputs"), training: training != 0)
        writeOutputs(result, target)
    }
}

@_cdecl("ph_model_call_frozen")
public func ph_model_call_frozen(
    _ outputs: UnsafeMutablePointer<OpaquePointer?>?, _ model: OpaquePointer?, _ inputs: UnsafePointer<OpaquePointer?>?,
    _ inputCount: Int32, _ training: Int32, _ frozenNames: UnsafePointer<UnsafePointer<CChar>?>?, _ frozenCount: Int32
) -> Int32 {
    abiCall {
        let target = try checkOut(outputs, "outputs")
        let graph = try borrowModel(model)
        let frozen = try graph.layerIndices(named: try readStrings(frozenNames, frozenCount, "frozen_names"), op: "model")
        let result = try graph(try borrowTensors(inputs, count: inputCount, "inputs"), training: training != 0, frozen: frozen)
        writeOutputs(result, target)
    }
}

@_cdecl("ph_model_predict")
public func ph_model_predict(
    _ outputs: UnsafeMutablePointer<OpaquePointer?>?, _ model: OpaquePointer?, _ inputs: UnsafePointer<OpaquePointer?>?,
    _ inputCount: Int32, _ batchSize: Int64
) -> Int32 {
    abiCall {
        let target = try checkOut(outputs, "outputs")
        guard batchSize > 0, batchSize <= Int64(Int32.max) else {
            throw ABIError(status: statusValue, message: "batch_size must be in 1...\(Int32.max), got \(batchSize)")
        }
        let result = try borrowModel(model).predict(try borrowTensors(inputs, count: inputCount, "inputs"), batchSize: Int(batchSize))
        writeOutputs(result, target)
    }
}

@_cdecl("ph_trainer_new")
public func ph_trainer_new(
    _ out: UnsafeMutablePointer<OpaquePointer?>?, _ model: OpaquePointer?, _ compile: UnsafePointer<CChar>?,
    _ optimizer: OpaquePointer?, _ method: OpaquePointer?
) -> Int32 {
    abiCall {
        let target = try checkOut(out)
        let graph = try borrowModel(model)
        guard let optimizer else { throw ABIError(status: statusValue, message: "optimizer is NULL") }
        let optimizerHandle = try borrowOptimizer(optimizer)
        let methodHandle = try method.map { try borrowMethod($0) }
        let trainer = try Trainer(model: graph, optimizer: optimizerHandle.optimizer,
                                  compileJSON: try readText(compile, "compile_json"), method: methodHandle?.method)
        let handle = TrainerHandle(trainer, optimizer: optimizerHandle, method: methodHandle)
        target.pointee = OpaquePointer(Unmanaged.passRetained(handle).toOpaque())
    }
}

@_cdecl("ph_trainer_free")
public func ph_trainer_free(_ trainer: OpaquePointer?) -> Int32 {
    if let trainer { Unmanaged<TrainerHandle>.fromOpaque(UnsafeRawPointer(trainer)).release() }
    return statusOK
}

/// Reads one data set from handle arrays.
private func readData(
    _ inputs: UnsafePointer<OpaquePointer?>?, _ inputCount: Int32, _ targets: UnsafePointer<OpaquePointer?>?,
    _ targetCount: Int32, _ masks: UnsafePointer<OpaquePointer?>?, prefix: String
) throws -> TrainingData {
    try TrainingData(inputs: try borrowTensors(inputs, count: inputCount, prefix + "inputs"),
                     targets: try borrowTensors(targets, count: targetCount, prefix + "targets"),
                     masks: readMasks(masks, count: targetCount))
}

/// Calls the C callback with one event's logs as parallel C arrays.
private func report(_ event: TrainingEvent, _ callback: FitCallback, _ context: UnsafeMutableRawPointer?) -> Bool {
    let names = event.logs.map { strdup($0.name) }
    defer { names.forEach { free($0) } }
    let values = event.logs.map(\.value)
    let constNames = names.map { $0.map { UnsafePointer<CChar>($0) } }
    return constNames.withUnsafeBufferPointer { namePointer in
        values.withUnsafeBufferPointer { valuePointer in
            callback(context, event.kind.rawValue, Int64(event.epoch), Int64(event.batch), Int32(event.logs.count),
                     namePointer.baseAddress, valuePointer.baseAddress) != 0
        }
    }
}

@_cdecl("ph_trainer_fit")
public func ph_trainer_fit(
    _ historyJSON: UnsafeMutablePointer<UnsafePointer<CChar>?>?, _ trainer: OpaquePointer?,
    _ inputs: UnsafePointer<OpaquePointer?>?, _ inputCount: Int32, _ targets: UnsafePointer<OpaquePointer?>?,
    _ targetCount: Int32, _ masks: UnsafePointer<OpaquePointer?>?, _ valInputs: UnsafePointer<OpaquePointer?>?,
    _ valInputCount: Int32, _ valTargets: UnsafePointer<OpaquePointer?>?, _ valTargetCount: Int32,
    _ valMasks: UnsafePointer<OpaquePointer?>?, _ fitJSON: UnsafePointer<CChar>?,
    _ callback: (@convention(c) (UnsafeMutableRawPointer?, Int32, Int64, Int64, Int32, UnsafePointer<UnsafePointer<CChar>?>?, UnsafePointer<Double>?) -> Int32)?,
    _ context: UnsafeMutableRawPointer?
) -> Int32 {
    abiCall {
        let target = try checkOut(historyJSON, "history_json")
        let handle = try borrowTrainer(trainer)
        let options = try FitOptions(json: fitJSON.map { String(cString: $0) } ?? "{}")
        let data = try readData(inputs, inputCount, targets, targetCount, masks, prefix: "")
        let validation = valInputCount > 0
            ? try readData(valInputs, valInputCount, valTargets, valTargetCount, valMasks, prefix: "val_") : nil
        let history = try handle.claimingState {
            try handle.trainer.fit(data, validation: validation, options: options,
                                   callback: callback.map { function in { report($0, function, context) } })
        }
        let entries = history.keys.map { key in
            jsonString(key) + ":[" + (history.values[key] ?? []).map(jsonNumber).joined(separator: ",") + "]"
        }
        target.pointee = handle.hold("{\"epochs\":\(history.epochs),\"stopped\":\(history.stopped),\"history\":{"
                                     + entries.joined(separator: ",") + "}}")
    }
}

@_cdecl("ph_trainer_evaluate")
public func ph_trainer_evaluate(
    _ logsJSON: UnsafeMutablePointer<UnsafePointer<CChar>?>?, _ trainer: OpaquePointer?,
    _ inputs: UnsafePointer<OpaquePointer?>?, _ inputCount: Int32, _ targets: UnsafePointer<OpaquePointer?>?,
    _ targetCount: Int32, _ masks: UnsafePointer<OpaquePointer?>?, _ batchSize: Int64
) -> Int32 {
    abiCall {
        let target = try checkOut(logsJSON, "logs_json")
        let handle = try borrowTrainer(trainer)
        guard batchSize > 0, batchSize <= Int64(Int32.max) else {
            throw ABIError(status: statusValue, message: "batch_size must be in 1...\(Int32.max), got \(batchSize)")
        }
        let logs = try handle.trainer.evaluate(try readData(inputs, inputCount, targets, targetCount, masks, prefix: ""),
                                               batchSize: Int(batchSize))
        target.pointee = handle.hold("{" + logs.map { jsonString($0.name) + ":" + jsonNumber($0.value) }.joined(separator: ",") + "}")
    }
}
