import BangfuCore
import BangfuVarlink
import BangfuWire
import Foundation

extension ControlAPI {
    struct ArchiveParams: Decodable, Sendable { var archive: ArchiveInput }
    struct ArchiveNoParams: Decodable, Sendable { var archiveNo: String }
    struct UpdateParams: Decodable, Sendable {
        var archiveNo: String
        var archive: ArchiveInput
    }
    struct ExitParams: Decodable, Sendable {
        var archiveNo: String
        var reason: ExitReason
        var note: String
    }
    struct ListParams: Decodable, Sendable {
        var unit: String?
        var status: ArchiveStatus?
        var limit: Int64?
        var after: String?
    }

    static let archiveReaders: Set<Role> = [.caseworker, .reviewer, .approver, .treasurer, .auditor, .admin]

    /// How much of archive `h` the actor may see; `not_found`, as for a missing archive, when nothing.
    func visibility(_ actor: Actor, of h: Household) async throws -> Wire.Visibility {
        guard
            let visibility = ControlAPI.visibility(actor, unit: h.input.unitId, in: try await runtime.store.unitTree())
        else {
            throw RecordRef(.archive, h.archiveNo).notFound
        }
        return visibility
    }

    func householdReply(_ h: Household, for actor: Actor) async throws -> VarlinkResponse {
        .reply(["household": try ControlAPI.json(Wire.Household(h, visibility: try await visibility(actor, of: h)))])
    }

    func archive() -> VarlinkInterface {
        let i = "org.bangfu.Archive"
        let store = runtime.store
        let clock = runtime.clock
        let methods: [(String, VarlinkMethod)] = [
            change(.archiveCreate, roles: [.caseworker], ArchiveParams.self) { actor, p, writes in
                try await householdReply(
                    try await writes.store.createArchive(p.archive, by: actor, at: clock.now()), for: actor)
            },
            change(.archiveUpdate, roles: [.caseworker], UpdateParams.self) { actor, p, writes in
                let h = try await writes.store.household(archiveNo: p.archiveNo)
                return try await householdReply(
                    try await writes.store.updateArchive(id: h.id, p.archive, by: actor, at: clock.now()), for: actor)
            },
            change(.archiveReview, roles: [.caseworker], ArchiveNoParams.self) { actor, p, writes in
                let h = try await writes.store.household(archiveNo: p.archiveNo)
                return try await householdReply(
                    try await writes.store.reviewArchive(id: h.id, by: actor, at: clock.now()), for: actor)
            },
            change(.archiveExit, roles: [.approver], ExitParams.self) { actor, p, writes in
                let h = try await writes.store.household(archiveNo: p.archiveNo)
                return try await householdReply(
                    try await writes.store.exitArchive(
                        id: h.id, reason: p.reason, note: p.note, by: actor, at: clock.now()),
                    for: actor)
            },
            change(.archiveReenter, roles: [.caseworker], UpdateParams.self) { actor, p, writes in
                let h = try await writes.store.household(archiveNo: p.archiveNo)
                return try await householdReply(
                    try await writes.store.reenterArchive(id: h.id, p.archive, by: actor, at: clock.now()), for: actor)
            },
            method(.archiveGet, roles: ControlAPI.archiveReaders, ArchiveNoParams.self) { actor, p in
                try await householdReply(try await store.household(archiveNo: p.archiveNo), for: actor)
            },
            method(.archiveHistory, roles: [.caseworker, .reviewer, .approver, .auditor, .admin], ArchiveNoParams.self)
            {
                actor, p in
                let h = try await store.household(archiveNo: p.archiveNo)
                let v = try await visibility(actor, of: h)
                guard v != .payment else {
                    throw BangfuError(
                        .permissionDenied, zh: "财务不能查看档案变更记录", en: "the treasurer may not read archive history")
                }
                let changes = try await store.archiveHistory(id: h.id).map { c -> [String: JSONValue] in
                    // The auditor sees who changed which field when, not the personal values.
                    let hide = v == .masked
                    return [
                        "at": .string(Wire.time(c.at)), "actor": .string(c.actor), "action": .string(c.action),
                        "field": .string(c.field),
                        "oldValue": hide || c.oldValue == nil ? .null : .string(c.oldValue!),
                        "newValue": hide || c.newValue == nil ? .null : .string(c.newValue!),
                    ]
                }
                return .reply(["changes": .array(changes.map { .object($0) })])
            },
            method(.archiveList, roles: ControlAPI.archiveReaders, ListParams.self) { actor, p in
                let page = try Page(limit: p.limit, after: p.after)
                let units = try await readableUnits(actor, roles: ControlAPI.archiveReaders, under: p.unit)
                let (list, next) = page.cut(try await store.households(units: units, status: p.status, page: page)) {
                    $0.id
                }
                return .stream(
                    try ControlAPI.paged(list, next: next) { h in
                        [
                            "archive": try ControlAPI.json(
                                Wire.Summary(
                                    archiveNo: h.archiveNo, name: maskedName(h.input.head.name), unitId: h.input.unitId,
                                    status: h.status.rawValue, category: h.assessment.category?.rawValue,
                                    reviewDue: h.reviewDue.description))
                        ]
                    })
            },
        ]
        return VarlinkInterface(
            name: i, description: ControlAPI.idl(PackageResources.org_bangfu_Archive_varlink),
            methods: Dictionary(uniqueKeysWithValues: methods))
    }
}
