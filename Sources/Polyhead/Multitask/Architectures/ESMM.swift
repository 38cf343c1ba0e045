/// Entire Space Multi-task Model (Ma, Zhao, Huang, Wang, Hu, Zhu, Gai, "Entire Space Multi-Task Model:
/// An Effective Approach for Estimating Post-Click Conversion Rate", SIGIR 2018).
///
/// A shared bottom (the paper's shared embeddings) feeds a CTR tower and a CVR tower, each ending in
/// one logit per sample: `pCTR = σ(ctr(h))`, `pCVR = σ(cvr(h))` and `pCTCVR = pCTR · pCVR`. Both trained
/// tasks are defined on every impression (the entire space): `ctr` against clicks and `ctcvr` against
/// click-and-convert, e.g. with `binaryCrossEntropy`; pCVR is never fitted directly, which avoids the
/// sample-selection bias of training CVR on clicked impressions only.
///
/// Outputs are probabilities (N, 1), in the order `ctr`, `ctcvr`, `cvr`. The tasks (what losses are
/// given for) are `ctr` and `ctcvr`; `cvr` is an extra output. Partition: the bottom and the CTR tower
/// reach both tasks (pCTCVR contains pCTR) and are shared; the CVR tower only reaches `ctcvr` and is
/// that task's; `ctr` owns nothing. Parameter names: `shared.<name>`, `ctr.<name>`, `cvr.<name>`.
public final class ESMM: MultiTaskModel {
    /// The shared bottom.
    public let shared: any Layer
    /// The CTR tower, ending in (N, 1) logits.
    public let ctrTower: any Layer
    /// The CVR tower, ending in (N, 1) logits.
    public let cvrTower: any Layer

    /// Creates the model from its three parts.
    public init(shared: any Layer, ctrTower: any Layer, cvrTower: any Layer) {
        self.shared = shared
        self.ctrTower = ctrTower
        self.cvrTower = cvrTower
    }

    /// The trained tasks: `ctr`, `ctcvr`.
    public var tasks: [String] { ["ctr", "ctcvr"] }

    /// The bottom and the CTR tower (shared), then the CVR tower (`ctcvr`'s).
    public var ownedParameters: [OwnedParameter] {
        owned("shared", shared, task: nil) + owned("ctr", ctrTower, task: nil) + owned("cvr", cvrTower, task: "ctcvr")
    }

    /// pCTR, pCTCVR and pCVR for every sample, each (N, 1).
    public func callAsFunction(_ input: Tensor) throws -> TaskOutputs {
        let h = try shared(input)
        let ctr = try ctrTower(h).sigmoid()
        let cvr = try cvrTower(h).sigmoid()
        return TaskOutputs(checked: ["ctr", "ctcvr", "cvr"], [ctr, try ctr * cvr, cvr])
    }
}
