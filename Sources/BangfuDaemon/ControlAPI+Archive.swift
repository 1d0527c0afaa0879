import BangfuCore
import BangfuDomain
import BangfuVarlink
import BangfuWire
import Foundation

extension ControlAPI {
    static let archiveReaders: Set<Role> = [.caseworker, .reviewer, .approver, .treasurer, .auditor, .admin]
    /// Who may find an archive by a person's name or ID number: those who see both in full.
    static let archiveSearchers: Set<Role> = [.caseworker, .reviewer, .approver, .admin]

    /// How much of archive `household` the actor may see; `not_found`, as for a missing archive, when nothing.
    func visibility(_ actor: Actor, of household: Household, pairedWith helpers: [String] = []) async throws
        -> Visibility
    {
        let tree = try await runtime.store.unitTree()
        let unit = household.input.unitId
        if let visibility = Visibility.of(actor, unit: unit, in: tree) { return visibility }
        // A helper of the unit paired with this household sees how to reach it; any other, nothing.
        if helpers.contains(actor.id) && actor.holds(anyOf: [.helper], on: unit, in: tree) { return .contact }
        throw RecordRef(.archive, household.archiveNo).notFound
    }

    func householdWire(_ household: Household, for actor: Actor) async throws -> Wire.Archive.Household {
        try Wire.Archive.Household(
            household, visibility: try await visibility(actor, of: household), refs: runtime.refs)
    }

    func archive() -> VarlinkInterface {
        let store = runtime.store
        let clock = runtime.clock
        let methods: [(String, VarlinkMethod)] = [
            change(Wire.Archive.Create.self, roles: [.caseworker]) { actor, call, writes in
                let input: ArchiveInput = try ControlAPI.domain(call.archive, field: "archive")
                let created = try await writes.store.createArchive(input, by: actor, at: clock.now())
                return .init(household: try await householdWire(created, for: actor))
            },
            change(Wire.Archive.Update.self, roles: [.caseworker]) { actor, call, writes in
                let input: ArchiveInput = try ControlAPI.domain(call.archive, field: "archive")
                let householdId = try await writes.store.householdId(archiveNo: call.archiveNo)
                let updated = try await writes.store.updateArchive(id: householdId, input, by: actor, at: clock.now())
                return .init(household: try await householdWire(updated, for: actor))
            },
            change(Wire.Archive.Review.self, roles: [.caseworker]) { actor, call, writes in
                let householdId = try await writes.store.householdId(archiveNo: call.archiveNo)
                let reviewed = try await writes.store.reviewArchive(id: householdId, by: actor, at: clock.now())
                return .init(household: try await householdWire(reviewed, for: actor))
            },
            change(Wire.Archive.Exit.self, roles: [.approver]) { actor, call, writes in
                let reason: ExitReason = try ControlAPI.parse(call.reason, field: "reason")
                let householdId = try await writes.store.householdId(archiveNo: call.archiveNo)
                let closed = try await writes.store.exitArchive(
                    id: householdId, reason: reason, note: call.note, by: actor, at: clock.now())
                return .init(household: try await householdWire(closed, for: actor))
            },
            change(Wire.Archive.Reenter.self, roles: [.caseworker]) { actor, call, writes in
                let input: ArchiveInput = try ControlAPI.domain(call.archive, field: "archive")
                let householdId = try await writes.store.householdId(archiveNo: call.archiveNo)
                let reopened = try await writes.store.reenterArchive(
                    id: householdId, input, by: actor, at: clock.now())
                return .init(household: try await householdWire(reopened, for: actor))
            },
            method(Wire.Archive.Get.self, roles: ControlAPI.archiveReaders) { actor, call in
                .init(
                    household: try await householdWire(try await store.household(archiveNo: call.archiveNo), for: actor)
                )
            },
            method(Wire.Archive.History.self, roles: [.caseworker, .reviewer, .approver, .auditor, .admin]) {
                actor, call in
                let household = try await store.household(archiveNo: call.archiveNo)
                let visibility = try await visibility(actor, of: household)
                guard visibility.readsHistory else {
                    throw BangfuError(
                        .permissionDenied, zh: "财务不能查看档案变更记录", en: "the treasurer may not read archive history")
                }
                let showValues = visibility.showsChangedValues
                let changes = try await store.archiveHistory(id: household.id).map { change in
                    Wire.Archive.Change(
                        at: Wire.time(change.at), actor: change.actor, action: change.action, field: change.field,
                        oldValue: showValues ? change.oldValue : nil, newValue: showValues ? change.newValue : nil)
                }
                return .init(changes: changes)
            },
            listing(Wire.Archive.List.self, roles: ControlAPI.archiveReaders) { actor, call in
                let page = try Page(limit: call.limit, after: call.after)
                let status: ArchiveStatus? = try call.status.map { try ControlAPI.parse($0, field: "status") }
                let units = try await readableUnits(actor, roles: ControlAPI.archiveReaders, under: call.unit)
                let (households, next) = page.cut(
                    try await store.households(units: units, status: status, page: page)
                ) { household in household.id }
                let tree = try await store.unitTree()
                return ControlAPI.paged(households, next: next) { household in
                    let visibility = Visibility.of(actor, unit: household.input.unitId, in: tree) ?? .masked
                    return .init(archive: Wire.Archive.Summary(household, visibility: visibility))
                }
            },
            method(Wire.Archive.Overview.self, roles: ControlAPI.archiveReaders.union([.helper])) { actor, call in
                let file = try await store.householdFile(archiveNo: call.archiveNo)
                let visibility = try await visibility(actor, of: file.household, pairedWith: file.helpers)
                return try Wire.Archive.Overview.Reply(file, visibility: visibility, refs: runtime.refs)
            },
            method(Wire.Archive.Search.self, roles: ControlAPI.archiveSearchers) { actor, call in
                let name = call.name.map { text in text.trimmingCharacters(in: .whitespaces) }.flatMap { text in
                    text.isEmpty ? nil : text
                }
                let idNumber = try call.idNumber.map { text in
                    let number = text.uppercased()
                    guard number.count == 18, number.dropLast().allSatisfy(\.isASCIIDigit),
                        number.last.map({ last in last.isASCIIDigit || last == "X" }) == true
                    else {
                        throw BangfuError(
                            .invalidInput, zh: "身份证号应为 18 位（最后一位可为 X）",
                            en: "an ID number has 18 characters (the last may be X)")
                    }
                    return number
                }
                guard name != nil || idNumber != nil else {
                    throw BangfuError(.invalidInput, zh: "请给出姓名或身份证号", en: "give a name or an ID number")
                }
                guard (name?.count ?? 0) <= 40, (1...100).contains(call.limit ?? 20) else {
                    throw VarlinkError.invalidParameter((name?.count ?? 0) > 40 ? "name" : "limit")
                }
                let units = try await readableUnits(actor, roles: ControlAPI.archiveSearchers, under: call.unit)
                let found = try await store.searchHouseholds(
                    units: units, namePrefix: name, idNumber: idNumber, limit: Int(call.limit ?? 20))
                return .init(archives: found.map { household in Wire.Archive.Summary(household, visibility: .full) })
            },
        ]
        return VarlinkInterface(
            name: "org.bangfu.Archive", description: ControlAPI.idl(PackageResources.org_bangfu_Archive_varlink),
            methods: Dictionary(uniqueKeysWithValues: methods))
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
