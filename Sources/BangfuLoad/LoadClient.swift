import BangfuCore
import BangfuVarlink
import BangfuWire
import CBenchSupport
import Foundation
import Histogram

/// One load client: a connection per role, driving cases through application, branch review,
/// public notice and disbursement over the real socket, timing every call.
///
/// Blocking and single-threaded by design: K clients are K threads, each waiting for its own
/// reply, which is how people at desks and scripts use bangfud. Every mutating call carries a
/// request id, as a careful client's would, so a retry after a lost reply is safe.
public final class LoadClient: @unchecked Sendable {
    /// What bangfud acknowledged: called after each successful reply with the case number and its new state.
    public typealias Acknowledge = (_ caseNo: String, _ state: String) -> Void

    let cw: VarlinkClient, rv: VarlinkClient, ap: VarlinkClient, tr: VarlinkClient, au: VarlinkClient
    let tag: String
    /// Microseconds per call, every call this client made.
    public private(set) var latency = Histogram<UInt64>(
        highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: .three)
    /// Calls made, and which of them changed state.
    public private(set) var calls = 0, transitions = 0
    /// Told of every acknowledged step, on the client's own thread.
    public var onAck: Acknowledge?

    /// Connects as each principal. Needs root: each connection is made with that uid (see `bangfu_connect_as`).
    public init(
        socket: String, principals p: LoadPrincipals = LoadPrincipals(),
        tag: String = String(UUID().uuidString.prefix(8))
    ) throws {
        func connect(_ uid: UInt32) throws -> VarlinkClient {
            let fd = bangfu_connect_as(socket, uid, p.gid)
            guard fd >= 0 else { throw VarlinkClientError.connect(socket, String(cString: strerror(-fd)), code: -fd) }
            return VarlinkClient(connectedSocket: fd)
        }
        cw = try connect(p.caseworker)
        rv = try connect(p.reviewer)
        ap = try connect(p.approver)
        tr = try connect(p.treasurer)
        au = try connect(p.auditor)
        self.tag = tag
    }

    @discardableResult
    func timed(_ client: VarlinkClient, _ method: String, _ params: [String: JSONValue], mutating: Bool = true) throws
        -> [String: JSONValue]
    {
        let t0 = DispatchTime.now().uptimeNanoseconds
        let reply = try client.call(method, params).last ?? [:]
        latency.record((DispatchTime.now().uptimeNanoseconds - t0) / 1000)
        calls += 1
        if mutating { transitions += 1 }
        return reply
    }

    /// A household archive for load case `n`: synthetic ID numbers (never real), deep hardship.
    public static func archive(_ n: Int) -> JSONValue {
        .object([
            "unitId": .string("b1"), "region": .string("370202"),
            "head": .object([
                "name": .string("负载户主\(n)"), "idNumber": .string(IDNumber.synthetic(index: 20_000_000 + 2 * n).value),
                "workStatus": .string("laid_off"),
            ]),
            "members": .array([
                .object([
                    "name": .string("负载成员\(n)"),
                    "idNumber": .string(IDNumber.synthetic(index: 20_000_001 + 2 * n).value),
                    "relation": .string("spouse"),
                ])
            ]),
            "annualIncome": .int(1_200_000), "mainCause": .string("laid_off"),
        ])
    }

    /// Archive, file, submit, branch review, approve: the case ends in its public notice. Returns the case number.
    @discardableResult
    public func caseToNotice(
        _ n: Int, helpType: String = "hardship-relief", form: [String: JSONValue] = ["cause": .string("disaster")]
    ) throws -> String {
        let caseNo = try file(n, archiveNo: try createArchive(n), helpType: helpType, form: form)
        for step in Step.allCases { try advance(caseNo, step) }
        return caseNo
    }

    /// The caseworker keeps load household `n`'s archive. Returns its number.
    public func createArchive(_ n: Int) throws -> String {
        let reply = try timed(
            cw, WireMethod.archiveCreate.rawValue,
            ["archive": LoadClient.archive(n), "requestId": .string("\(tag)-\(n)-a")])
        guard let archiveNo = reply["household"]?["archiveNo"]?.string else {
            throw LoadError("Archive.Create answered without an archive number")
        }
        return archiveNo
    }

    /// The caseworker files load case `n` for the household. Returns the case number.
    public func file(
        _ n: Int, archiveNo: String, helpType: String = "hardship-relief",
        form: [String: JSONValue] = ["cause": .string("disaster")]
    ) throws -> String {
        let reply = try timed(
            cw, WireMethod.casesFile.rawValue,
            [
                "archiveNo": .string(archiveNo), "helpType": .string(helpType),
                "form": .object(form), "requestId": .string("\(tag)-\(n)-f"),
            ])
        guard let caseNo = reply["case"]?["caseNo"]?.string else {
            throw LoadError("Cases.File answered without a case number")
        }
        onAck?(caseNo, "draft")
        return caseNo
    }

    /// The steps from a draft to the public notice, each by its own role.
    public enum Step: String, CaseIterable, Sendable {
        case submit = "Submit", passReview = "PassReview", approve = "Approve"

        /// The state the case is in after the step.
        var state: String {
            switch self {
            case .submit: "submitted"
            case .passReview: "branch_review_passed"
            case .approve: "in_notice"
            }
        }
    }

    /// Takes a case one step towards its notice, as the role whose step it is.
    public func advance(_ caseNo: String, _ step: Step) throws {
        let client =
            switch step {
            case .submit: cw
            case .passReview: rv
            case .approve: ap
            }
        let reply = try timed(
            client, "org.bangfu.Cases.\(step.rawValue)",
            ["caseNo": .string(caseNo), "requestId": .string("\(tag)-\(caseNo)-\(step.rawValue)")])
        guard reply["case"]?["state"]?.string == step.state else {
            throw LoadError(
                "\(step.rawValue) of \(caseNo) answered state \(reply["case"]?["state"]?.string ?? "none")")
        }
        onAck?(caseNo, step.state)
    }

    /// The treasurer pays the first instalment of a case whose notice has passed.
    public func pay(_ caseNo: String, fund: String) throws {
        let r = try timed(
            tr, WireMethod.casesPay.rawValue,
            [
                "caseNo": .string(caseNo), "instalment": .int(1), "fundId": .string(fund),
                "requestId": .string("\(tag)-pay-\(caseNo)"),
            ])
        guard let state = r["case"]?["state"]?.string else {
            throw LoadError("Pay of \(caseNo) answered without a state")
        }
        onAck?(caseNo, state)
    }

    /// Reads a case as the auditor (masked), as a dashboard would.
    public func get(_ caseNo: String) throws {
        try timed(au, WireMethod.casesGet.rawValue, ["caseNo": .string(caseNo)], mutating: false)
    }

    /// A case's state and how many payments it has, read as the auditor (for checks after a crash).
    public func caseState(_ caseNo: String) throws -> (state: String, payments: Int) {
        let r = try timed(au, WireMethod.casesGet.rawValue, ["caseNo": .string(caseNo)], mutating: false)
        guard let state = r["case"]?["state"]?.string else {
            throw LoadError("Get of \(caseNo) answered without a state")
        }
        guard case .array(let payments)? = r["payments"] else { return (state, 0) }
        return (state, payments.count)
    }
}

/// A load step whose answer was not what the load expected.
public struct LoadError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension JSONValue {
    subscript(_ key: String) -> JSONValue? { objectValue?[key] }
    var string: String? { stringValue }
}

extension LoadClient {
    /// The treasurer opens a fund for the load's help type and deposits `fen` into it.
    public func openFund(_ id: String, fen: Int64, helpType: String = "hardship-relief") throws {
        _ = try tr.call(
            "org.bangfu.Funds.Create",
            [
                "id": .string(id), "name": .string("负载资金"), "unitId": .string("county"),
                "source": .string("union_funds"), "helpTypes": .array([.string(helpType)]),
            ])
        _ = try tr.call(
            "org.bangfu.Funds.Deposit", ["fundId": .string(id), "amount": .int(fen), "memo": .string("负载拨款")])
    }
}

/// K load clients on K threads, each running `body` with its own client, and the figures they made together.
public enum LoadRun {
    /// What a run measured.
    public struct Figures: Sendable {
        public var seconds: Double
        public var calls: Int
        public var transitions: Int
        public var latency: Histogram<UInt64>
        public var errors: [String]
    }

    /// Starts `clients` threads; each connects and runs `body(client, index)`. Returns when all are done.
    public static func run(
        clients: Int, socket: String, principals: LoadPrincipals = LoadPrincipals(),
        _ body: @escaping @Sendable (LoadClient, Int) throws -> Void
    ) -> Figures {
        /// The clients' figures, merged under a lock as each thread ends.
        final class Collector: @unchecked Sendable {
            let lock = NSLock()
            var figures = Figures(
                seconds: 0, calls: 0, transitions: 0,
                latency: Histogram<UInt64>(highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: .three),
                errors: [])
            var clients: [LoadClient] = []
        }
        let collector = Collector()
        for k in 0..<clients {
            do {
                collector.clients.append(
                    try LoadClient(socket: socket, principals: principals, tag: "k\(k)-\(UUID().uuidString.prefix(6))"))
            } catch {
                collector.figures.errors.append("client \(k): \(error)")
            }
        }
        let group = DispatchGroup()
        let start = DispatchSemaphore(value: 0)
        for k in collector.clients.indices {
            group.enter()
            Thread {
                let client = collector.clients[k]
                start.wait()
                var failure: String?
                do { try body(client, k) } catch { failure = "client \(k): \(error)" }
                collector.lock.withLock {
                    collector.figures.calls += client.calls
                    collector.figures.transitions += client.transitions
                    collector.figures.latency.add(client.latency)
                    if let failure { collector.figures.errors.append(failure) }
                }
                group.leave()
            }.start()
        }
        let t0 = DispatchTime.now().uptimeNanoseconds
        for _ in collector.clients { start.signal() }
        group.wait()
        collector.figures.seconds = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
        return collector.figures
    }
}
