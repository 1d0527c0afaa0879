import BangfuCore
import BangfuDomain
import BangfuVarlink
import BangfuWire
import Foundation

extension ControlAPI {
    /// Households per transaction of an import (a refused one is undone alone, by a savepoint).
    static let importBatch = 200
    /// Problems and results per reply of `Import.Finish`, to stay under the message limit.
    static let importReplyItems = 500

    func importer() -> VarlinkInterface {
        let runtime = self.runtime
        let store = runtime.store
        let clock = runtime.clock
        let methods: [(String, VarlinkMethod)] = [
            method(Wire.Import.Begin.self, roles: [.caseworker]) { actor, call in
                let (fields, ignored) = try ArchiveImport.fields(columns: call.columns, mapping: call.mapping ?? [:])
                let session = ImportSessions.Session(
                    owner: actor.id, columns: call.columns, fields: fields,
                    defaults: ArchiveImport.Defaults(unit: call.unit, region: call.region, mainCause: call.mainCause),
                    dryRun: call.dryRun, started: Date())
                return .init(importId: try await runtime.imports.begin(session), ignoredColumns: ignored)
            },
            method(Wire.Import.Rows.self, roles: [.caseworker]) { actor, call in
                .init(
                    received: Int64(
                        try await runtime.imports.add(
                            call.importId, owner: actor.id, first: Int(clamping: call.first), rows: call.rows)))
            },
            listing(Wire.Import.Finish.self, roles: [.caseworker]) { actor, call in
                let session = try await runtime.imports.finish(call.importId, owner: actor.id)
                let imports = runtime.imports
                defer { Task { await imports.finished(call.importId) } }
                let now = clock.now()
                let config = runtime.config
                let (households, problems) = ArchiveImport.households(
                    columns: session.columns, rows: session.rows, fields: session.fields, defaults: session.defaults,
                    tree: try await store.unitTree(), causes: config.policy.causes,
                    today: config.businessZone.date(of: now))
                var results: [Wire.Import.Result] = []
                var counts: [ArchiveImport.Outcome.Action: Int] = [:]
                await imports.record(call.importId, households: households.count, done: 0)
                for start in stride(from: 0, to: households.count, by: ControlAPI.importBatch) {
                    let batch = Array(households[start..<min(start + ControlAPI.importBatch, households.count)])
                    let outcomes = try await store.importArchives(
                        batch.map(\.input), by: actor, at: now, dryRun: session.dryRun)
                    for (household, outcome) in zip(batch, outcomes) {
                        counts[outcome.action, default: 0] += 1
                        if let result = Wire.Import.Result(household, outcome) { results.append(result) }
                    }
                    await imports.record(
                        call.importId, households: households.count, done: start + batch.count)
                }
                return ControlAPI.importReplies(
                    households: households.count, counts: counts, problems: problems.map(Wire.Import.Problem.init),
                    results: results)
            },
            method(Wire.Import.Progress.self, roles: [.caseworker]) { actor, call in
                let (households, done) = try await runtime.imports.progress(call.importId, owner: actor.id)
                return .init(households: Int64(households), done: Int64(done))
            },
        ]
        return VarlinkInterface(
            name: "org.bangfu.Import", description: ControlAPI.idl(PackageResources.org_bangfu_Import_varlink),
            methods: Dictionary(uniqueKeysWithValues: methods))
    }

    /// The totals on every reply, the problems and results spread over as many as needed.
    static func importReplies(
        households: Int, counts: [ArchiveImport.Outcome.Action: Int], problems: [Wire.Import.Problem],
        results: [Wire.Import.Result]
    ) -> [Wire.Import.Finish.Reply] {
        let created = counts[.created, default: 0] + counts[.wouldCreate, default: 0]
        func reply(_ problems: ArraySlice<Wire.Import.Problem>, _ results: ArraySlice<Wire.Import.Result>)
            -> Wire.Import.Finish.Reply
        {
            Wire.Import.Finish.Reply(
                households: Int64(households), created: Int64(created),
                unchanged: Int64(counts[.unchanged, default: 0]), refused: Int64(counts[.refused, default: 0]),
                problems: Array(problems), results: Array(results))
        }
        var replies: [Wire.Import.Finish.Reply] = []
        for start in stride(from: 0, to: max(problems.count, results.count), by: importReplyItems) {
            replies.append(
                reply(
                    problems[min(start, problems.count)..<min(start + importReplyItems, problems.count)],
                    results[min(start, results.count)..<min(start + importReplyItems, results.count)]))
        }
        return replies.isEmpty ? [reply([], [])] : replies
    }
}

extension Wire.Import.Problem {
    init(_ problem: ArchiveImport.Problem) {
        self.init(
            row: Int64(problem.row), column: problem.column, value: problem.value, message: problem.zh,
            messageEn: problem.en)
    }
}

extension Wire.Import.Result {
    /// What a person needs to hear of a household: refused, or its stated category differs from
    /// the derived one; nil for one archived (or left unchanged) as the file said.
    init?(_ household: ArchiveImport.Household, _ outcome: ArchiveImport.Outcome) {
        let stated = household.statedCategory.map { text in
            HardshipCategory(rawValue: text)?.rawValue
                ?? HardshipCategory.allCases.first { $0.zh == text }?.rawValue ?? text
        }
        let differs = stated != nil && outcome.category != nil && stated != outcome.category
        guard outcome.action == .refused || differs else { return nil }
        let derived = outcome.category.flatMap(HardshipCategory.init(rawValue:))
        self.init(
            row: Int64(household.rows.first ?? 0), name: household.input.head.name, action: outcome.action.rawValue,
            archiveNo: outcome.archiveNo, category: outcome.category, statedCategory: differs ? stated : nil,
            message: outcome.zh
                ?? "表中困难类别为“\(household.statedCategory ?? "")”，按收入测算为“\(derived?.zh ?? "")”：以测算为准",
            messageEn: outcome.en
                ?? "the sheet states category \(household.statedCategory ?? ""), the income gives \(outcome.category ?? ""): the derived one applies"
        )
    }
}
