import BangfuConfig
import BangfuCore
import BangfuVarlink
import BangfuWire
import BangfuWorkflow
import Crypto
import Foundation
import Logging

/// The varlink interfaces of bangfud: each method states the roles it needs, decodes its
/// parameters, runs one operation and maps typed errors to the ones its IDL declares.
struct ControlAPI: Sendable {
    let runtime: Runtime

    /// Every interface, with its IDL text from the source tree.
    func interfaces() -> [VarlinkInterface] {
        [archive(), cases(), funds(), notice(), admin(), campaigns(), care()]
    }

    /// What a mutating method writes through: the store and the workflow scoped to the caller's
    /// request id, passed explicitly so that the write records the id and its answer together.
    struct Writes: Sendable {
        let store: any BangfuStore
        let workflow: Workflow
    }

    /// A mutating method: as `method`, and its body writes through `Writes` scoped to the optional
    /// `requestId` (a retry with the same id gets the first answer).
    func change<P: Decodable & Sendable>(
        _ wire: WireMethod, roles: Set<Role>, _ params: P.Type,
        _ body: @escaping @Sendable (Actor, P, Writes) async throws -> VarlinkResponse
    ) -> (String, VarlinkMethod) {
        let runtime = self.runtime
        let full = wire.rawValue
        return method(wire, roles: roles, mutating: true, params) { actor, decoded, request in
            var key: RequestKey?
            if let id = request.call.parameters?["requestId"]?.stringValue {
                guard !id.isEmpty, id.count <= 128 else { throw VarlinkError.invalidParameter("requestId") }
                var rest = request.call.parameters ?? [:]
                rest.removeValue(forKey: "requestId")
                let canonical = String(decoding: try JSONValue.encoder.encode(JSONValue.object(rest)), as: UTF8.self)
                let hash = SHA256.hash(data: Data("\(full)\u{1F}\(canonical)".utf8)).hexString
                key = RequestKey(principal: actor.id, id: id, paramsHash: hash)
            }
            let store = runtime.store.scoped(to: key)
            let workflow = runtime.workflow
            return try await body(
                actor, decoded,
                Writes(store: store, workflow: Workflow(store: store, plugins: workflow.plugins, zone: workflow.zone)))
        }
    }

    /// A method that only reads: role gate, parameters, error mapping.
    func method<P: Decodable & Sendable>(
        _ wire: WireMethod, roles: Set<Role>, _ params: P.Type,
        _ body: @escaping @Sendable (Actor, P) async throws -> VarlinkResponse
    ) -> (String, VarlinkMethod) {
        method(wire, roles: roles, mutating: false, params) { actor, decoded, _ in
            try await body(actor, decoded)
        }
    }

    /// A method: role gate, parameters, request id, error mapping.
    ///
    /// - Parameters:
    ///   - roles: the caller must hold one of these somewhere; finer unit checks happen in the operation.
    ///   - mutating: wakes the scheduler after the call (a write may have made work due).
    func method<P: Decodable & Sendable>(
        _ wire: WireMethod, roles: Set<Role>, mutating: Bool,
        _ params: P.Type,
        _ body: @escaping @Sendable (Actor, P, VarlinkRequest) async throws -> VarlinkResponse
    ) -> (String, VarlinkMethod) {
        let runtime = self.runtime
        let interface = wire.interface
        let name = wire.name
        return (
            name,
            { request in
                let config = runtime.config
                let actor = Identity.actor(for: request.peer, config: config)
                let full = "\(interface).\(name)"
                let allowed =
                    actor.isRoot && roles.contains(.admin) || actor.grants.contains { roles.contains($0.role) }
                guard allowed else {
                    runtime.security.refused(
                        uid: request.peer.uid, user: actor.id, method: full,
                        reason: "needs one of \(roles.map(\.rawValue).sorted().joined(separator: ", "))")
                    throw VarlinkError.permissionDenied
                }
                let p = try request.decode(P.self)
                do {
                    let response = try await body(actor, p, request)
                    if mutating { runtime.clock.poke() }
                    return response
                } catch let e as BangfuError {
                    if e.code == .permissionDenied {
                        runtime.security.refused(uid: request.peer.uid, user: actor.id, method: full, reason: e.en)
                    }
                    runtime.logger.debug("\(full) failed: \(e.code)", metadata: ["UID": "\(request.peer.uid)"])
                    throw ErrorMapping.varlink(e, interface: interface)
                }
            }
        )
    }

    /// The units whose data a caller may read with these roles: under `unit` (checked), or all it holds.
    func readableUnits(_ actor: Actor, roles: Set<Role>, under unit: String?) async throws -> [String] {
        let tree = try await runtime.store.unitTree()
        if let unit {
            _ = try tree.require(unit)
            try actor.require(anyOf: roles, on: unit, in: tree, for: "read")
            return tree.subtree(of: unit)
        }
        if actor.isRoot { return tree.units.keys.sorted() }
        let roots = actor.grants.filter { roles.contains($0.role) }.map(\.unitId)
        return Array(Set(roots.flatMap { tree.subtree(of: $0) })).sorted()
    }

    static func json<T: Encodable>(_ v: T) throws -> JSONValue {
        if let w = v as? any WireValue { return w.json }
        if let list = v as? [any WireValue] { return .array(list.map(\.json)) }
        return try JSONValue(encoding: v)
    }

    /// How much of a record of `unit` the caller sees, decided once for archives and cases: in full
    /// with a case role there (caseworker, reviewer, approver, admin), name and bank account for the
    /// treasurer, masked for the auditor; nil when it may not read it at all.
    static func visibility(_ actor: Actor, unit: String, in tree: UnitTree) -> Wire.Visibility? {
        if actor.holds(anyOf: [.caseworker, .reviewer, .approver, .admin, .system], on: unit, in: tree) {
            return .full
        }
        if actor.holds(anyOf: [.treasurer], on: unit, in: tree) { return .payment }
        if actor.holds(anyOf: [.auditor], on: unit, in: tree) { return .masked }
        return nil
    }

    /// A case's visibility for a caller who passed the read check: anything short of full hides its free text.
    static func caseVisibility(_ actor: Actor, unit: String, in tree: UnitTree) -> Wire.Visibility {
        visibility(actor, unit: unit, in: tree) ?? .masked
    }

    /// A number of days from a caller: 0 to 366, else `invalid_input` naming the field.
    static func days(_ days: Int, field: String) throws -> Int {
        guard (0...366).contains(days) else {
            throw BangfuError(
                .invalidInput, zh: "\(field) 须在 0 到 366 之间", en: "\(field) must be 0 to 366", context: ["field": field])
        }
        return days
    }

    /// The replies of one page of a listing: one per item, the last carrying `next` when another page follows.
    static func paged<Item>(_ items: [Item], next: String?, _ reply: (Item) throws -> [String: JSONValue]) rethrows
        -> [[String: JSONValue]]
    {
        var replies = try items.map(reply)
        if let next, !replies.isEmpty { replies[replies.count - 1]["next"] = .string(next) }
        return replies
    }

    static func idl(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }
}
