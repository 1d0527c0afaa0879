import BangfuCore
import BangfuStore
import Foundation
import Testing

/// Random sequences of well-formed calls by random callers, driven through the store's rules on a
/// real SQLite file. After each step: every fund's kept balance equals its ledger, no fund is
/// overdrawn, no instalment is paid twice, the audit chain verifies (`verify`), and every call
/// that succeeded was made by someone the small grant model below says had the right, a model
/// written here and not read from the rules under test.
///
/// `BANGFU_DOMAIN_FUZZ_SECONDS` sets how long it runs (CI: 60; the ordinary suite: 5) and
/// `BANGFU_DOMAIN_FUZZ_SEED` replays a run.
@Suite struct DomainFuzzTests {
    /// The fixture's unit tree, by hand: unit -> parent.
    static let parent = ["county": "city", "b1": "county", "b2": "county", "county2": "city", "b3": "county2"]
    /// The fixture's grants, by hand: user -> (role, unit).
    static let grants: [String: [(Role, String)]] = [
        "cw": [(.caseworker, "b1")], "cw3": [(.caseworker, "b3")], "rv": [(.reviewer, "b1")],
        "rv2": [(.reviewer, "b2")],
        "ap": [(.approver, "county")], "ap3": [(.approver, "county")], "ap2": [(.approver, "county2")],
        "tr": [(.treasurer, "county")], "tr2": [(.treasurer, "county2")],
        "multi": [(.caseworker, "county"), (.reviewer, "county"), (.approver, "county"), (.treasurer, "county")],
    ]
    static let users = grants.keys.sorted()

    /// Whether `user` holds `role` on `unit` or an ancestor of it, by the model.
    static func holds(_ user: String, _ role: Role, on unit: String) -> Bool {
        var chain = [unit]
        while let up = parent[chain.last!] { chain.append(up) }
        return grants[user, default: []].contains { $0.0 == role && chain.contains($0.1) }
    }

    /// Mostly someone the model says holds `role` on `unit` (so that calls get through and cases move
    /// on), otherwise anyone.
    static func caller(for role: Role, on unit: String, _ random: inout SplitMix) -> String {
        let entitled = users.filter { holds($0, role, on: unit) }
        if !entitled.isEmpty && Int.random(in: 0..<10, using: &random) < 7 {
            return entitled.randomElement(using: &random)!
        }
        return users.randomElement(using: &random)!
    }

    /// A small, fast, seeded generator, so a failing run can be replayed.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    @Test(arguments: Engine.allCases) func randomCallsKeepTheBooksAndTheRights(engine: Engine) async throws {
        let environment = ProcessInfo.processInfo.environment
        let seconds = Double(environment["BANGFU_DOMAIN_FUZZ_SECONDS"] ?? "") ?? 5
        let seed = UInt64(environment["BANGFU_DOMAIN_FUZZ_SEED"] ?? "") ?? UInt64.random(in: 1...UInt64.max)
        var random = SplitMix(state: seed)
        let fx = try await Fixture(engine: engine, synchronousFull: false)
        let store = fx.store
        let units = ["b1", "b2", "b3"]
        let funds = [("fa", "county"), ("fb", "county"), ("fc", "county2")]
        for (id, unit) in funds {
            try await store.createFund(
                FundAccount(id: id, name: "基金\(id)", unitId: unit, source: .unionFunds, helpTypes: ["hardship-relief"]),
                by: fx.actor(unit == "county" ? "tr" : "tr2"), at: fx.tick())
        }
        var archives: [(id: Int64, unit: String)] = []
        var cases: [(id: Int64, unit: String)] = []
        var transfers: [Int64] = []
        let amounts: [Int64] = [
            0, -1, 1, 50_000, 50_000, 300_000, 300_000, 5_000_000, 100_000_000_000, 100_000_000_001, Int64.max,
            Int64.min,
        ]
        var steps = 0
        var done: [String: Int] = [:]
        var refused: [String: Int] = [:]
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            steps += 1
            let user = Self.users.randomElement(using: &random)!
            let actor = fx.actor(user)
            let amount = amounts.randomElement(using: &random)!
            let operation = Int.random(in: 0..<10, using: &random)
            var name = ""
            do {
                switch operation {
                case 0:
                    name = "create_archive"
                    let unit = units.randomElement(using: &random)!
                    let user = Self.caller(for: .caseworker, on: unit, &random)
                    let actor = fx.actor(user)
                    let created = try await store.createArchive(fx.input(unit: unit), by: actor, at: fx.tick())
                    #expect(Self.holds(user, .caseworker, on: unit), "\(user) created an archive in \(unit)")
                    archives.append((created.id, unit))
                case 1:
                    name = "file_case"
                    guard let archive = archives.randomElement(using: &random) else { continue }
                    let user = Self.caller(for: .caseworker, on: archive.unit, &random)
                    let actor = fx.actor(user)
                    let filed = try await store.fileCase(
                        householdId: archive.id, helpType: "hardship-relief", by: actor, at: fx.tick())
                    #expect(Self.holds(user, .caseworker, on: archive.unit), "\(user) filed in \(archive.unit)")
                    cases.append((filed.id, archive.unit))
                case 2...5:
                    guard let target = cases.randomElement(using: &random) else { continue }
                    let events: [(CaseEvent, Role)] = [
                        (.submit, .caseworker), (.passReview(comment: nil), .reviewer),
                        (.returnForInfo(reason: "补充材料"), .reviewer),
                        (.resubmit, .caseworker),
                        (.approve(plan: .oneOff(Money(fen: max(1, amount % 1_000_000)))), .approver),
                        (.reject(reason: "不符合"), .approver), (.withdraw(reason: "撤回"), .caseworker),
                        (.payInstalment(number: 1, fund: funds.randomElement(using: &random)!.0), .treasurer),
                    ]
                    // Mostly the event that moves the case on from where it is, so that cases reach payment.
                    let state = try await store.helpCase(id: target.id).state
                    let next: [CaseState: Int] = [
                        .draft: 0, .submitted: 1, .returned: 3, .branchReviewPassed: 4, .disbursing: 7,
                    ]
                    let pick = next[state].flatMap { Int.random(in: 0..<10, using: &random) < 7 ? $0 : nil }
                    let (event, role) = pick.map { events[$0] } ?? events.randomElement(using: &random)!
                    let user = Self.caller(for: role, on: target.unit, &random)
                    let actor = fx.actor(user)
                    name = event.kind.rawValue
                    // Let notices pass now and then so that payments become possible.
                    let at = operation == 5 ? fx.now.addingTimeInterval(30 * 86_400) : fx.tick()
                    if operation == 5, (try? await store.helpCase(id: target.id).state) == .inNotice {
                        _ = try? await store.apply(.noticeElapsed, toCase: target.id, by: .system, at: at)
                        _ = try? await store.apply(.scheduleDisbursement, toCase: target.id, by: .system, at: at)
                    }
                    let before = try await store.helpCase(id: target.id)
                    let outcome = try await store.apply(event, toCase: target.id, by: actor, at: at)
                    let allowed =
                        Self.holds(user, role, on: target.unit)
                        || (event.kind == .reject && Self.holds(user, .reviewer, on: target.unit))
                    #expect(allowed, "\(user) sent \(event.kind.rawValue) on a case of \(target.unit)")
                    if case .payInstalment = event, outcome.disbursement?.alreadyPaid != true {
                        #expect(before.instalmentsPaid == 0, "an instalment paid twice")
                    }
                case 6:
                    name = "deposit"
                    let (fund, unit) = funds.randomElement(using: &random)!
                    let user = Self.caller(for: .treasurer, on: unit, &random)
                    let actor = fx.actor(user)
                    try await store.deposit(
                        fundId: fund, amount: Money(fen: amount), memo: "入账", by: actor, at: fx.tick())
                    #expect(Self.holds(user, .treasurer, on: unit), "\(user) deposited into \(fund)")
                    #expect((1...100_000_000_000).contains(amount), "a deposit of \(amount) fen was accepted")
                case 7:
                    name = "request_transfer"
                    let from = funds.randomElement(using: &random)!
                    let to = funds.randomElement(using: &random)!
                    let asked = try await store.requestTransfer(
                        from: from.0, to: to.0, amount: Money(fen: amount), reason: "调剂", by: actor,
                        at: fx.tick())
                    #expect(
                        Self.holds(user, .approver, on: from.1) && Self.holds(user, .approver, on: to.1),
                        "\(user) asked a transfer")
                    transfers.append(asked.id)
                case 8:
                    name = "decide_transfer"
                    guard let id = transfers.randomElement(using: &random) else { continue }
                    let decided = try await store.decideTransfer(
                        id: id, confirm: Bool.random(using: &random), note: "处理", by: actor,
                        at: fx.tick())
                    #expect(decided.requestedBy != user, "\(user) decided their own transfer")
                    let units = [decided.from, decided.to].map { id in funds.first { $0.0 == id }!.1 }
                    #expect(units.allSatisfy { Self.holds(user, .approver, on: $0) }, "\(user) decided a transfer")
                default:
                    name = "update_archive"
                    guard let archive = archives.randomElement(using: &random) else { continue }
                    var input = try await store.household(id: archive.id).input
                    input.annualIncome = Money(fen: amount)
                    _ = try await store.updateArchive(id: archive.id, input, by: actor, at: fx.tick())
                    #expect(
                        Self.holds(user, .caseworker, on: archive.unit), "\(user) updated an archive of \(archive.unit)"
                    )
                    #expect((0...100_000_000_000).contains(amount), "an income of \(amount) fen was accepted")
                }
                done[name, default: 0] += 1
            } catch let error as BangfuError {
                refused["\(name):\(error.code.rawValue)", default: 0] += 1
            }
            if steps % 25 == 0 {
                let report = try await store.verify()
                #expect(report.ok, "after \(steps) steps (seed \(seed)): \(report.problems)")
                for (fund, _) in funds { #expect(try await store.balance(fundId: fund) >= .zero, "\(fund) overdrawn") }
                if !report.ok { break }
            }
        }
        let report = try await store.verify()
        #expect(report.ok, "at the end (seed \(seed)): \(report.problems)")
        print(
            "domain fuzz: seed \(seed), \(steps) steps in \(Int(seconds)) s; done \(done.sorted { $0.key < $1.key }); refused \(refused.count) kinds"
        )
        #expect(done.values.reduce(0, +) > 0, "nothing ever succeeded: the fuzzer tested nothing")
    }
}
