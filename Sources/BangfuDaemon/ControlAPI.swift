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
        [archive(), cases(), funds(), notice(), admin(), campaigns(), care(), importer(), reports(), work()]
    }

    /// What a mutating method writes through: the store and the workflow scoped to the caller's
    /// request id, passed explicitly so that the write records the id and its answer together.
    struct Writes: Sendable {
        let store: any BangfuStore
        let workflow: Workflow
    }

    /// A mutating method: as `method`, and its body writes through `Writes` scoped to the optional
    /// `requestId` (a retry with the same id gets the first answer).
    func change<Call: WireCall>(
        _ call: Call.Type, roles: Set<Role>,
        _ body: @escaping @Sendable (Actor, Call, Writes) async throws -> Call.Reply
    ) -> (String, VarlinkMethod) {
        let runtime = self.runtime
        let full = Call.method.rawValue
        return handler(call, roles: roles, mutating: true) { actor, decoded, request in
            var key: RequestKey?
            if let id = request.call.parameters?["requestId"]?.stringValue {
                guard !id.isEmpty, id.count <= 128 else { throw VarlinkError.invalidParameter("requestId") }
                var rest = request.call.parameters ?? [:]
                rest.removeValue(forKey: "requestId")
                // The parameters' canonical text (keys sorted, compact) by the reply writer: Foundation's
                // JSONEncoder cost a tenth of a transition's instructions here.
                var text = Array(full.utf8)
                text.append(0x1F)
                JSONValue.object(rest).write(to: &text)
                let hash = SHA256.hash(data: text).hexString
                key = RequestKey(principal: actor.id, id: id, paramsHash: hash, at: runtime.clock.now())
            }
            let store = runtime.store.scoped(to: key)
            let workflow = runtime.workflow
            let writes = Writes(
                store: store,
                workflow: Workflow(store: store, plugins: workflow.plugins, zone: workflow.zone, refs: workflow.refs))
            return .text(ControlAPI.text(try await body(actor, decoded, writes)))
        }
    }

    /// A method that only reads and answers once: role gate, parameters, error mapping.
    func method<Call: WireCall>(
        _ call: Call.Type, roles: Set<Role>, _ body: @escaping @Sendable (Actor, Call) async throws -> Call.Reply
    ) -> (String, VarlinkMethod) {
        handler(call, roles: roles, mutating: false) { actor, decoded, _ in
            .text(ControlAPI.text(try await body(actor, decoded)))
        }
    }

    /// A method that streams its replies (called with `more`); a listing in pages sets `next` on the last.
    func listing<Call: WireCall>(
        _ call: Call.Type, roles: Set<Role>, _ body: @escaping @Sendable (Actor, Call) async throws -> [Call.Reply]
    ) -> (String, VarlinkMethod) {
        handler(call, roles: roles, mutating: false) { actor, decoded, _ in
            .stream(try await body(actor, decoded).map(\.fields))
        }
    }

    /// A method: role gate, typed parameters (a refused one answers `InvalidParameter` naming it),
    /// error mapping.
    ///
    /// - Parameters:
    ///   - roles: the caller must hold one of these somewhere; finer unit checks happen in the operation.
    ///   - mutating: wakes the scheduler after the call (a write may have made work due).
    private func handler<Call: WireCall>(
        _ call: Call.Type, roles: Set<Role>, mutating: Bool,
        _ body: @escaping @Sendable (Actor, Call, VarlinkRequest) async throws -> VarlinkResponse
    ) -> (String, VarlinkMethod) {
        let runtime = self.runtime
        let full = Call.method.rawValue
        let interface = Call.method.interface
        return (
            Call.method.name,
            { request in
                let actor = Identity.actor(for: request.peer, config: runtime.config)
                let allowed =
                    actor.isRoot && roles.contains(.admin) || actor.grants.contains { roles.contains($0.role) }
                guard allowed else {
                    runtime.security.refused(
                        uid: request.peer.uid, user: actor.id, method: full,
                        reason: "needs one of \(roles.map(\.rawValue).sorted().joined(separator: ", "))")
                    // Refused before any record is read: the roles the method needs, and nothing else.
                    let needed = roles.subtracting([.system]).sorted { $0.rawValue < $1.rawValue }
                    let operation = Words.of(.operation, Words.operation(method: full), .zh)
                    throw VarlinkError(
                        VarlinkError.permissionDenied.name,
                        [
                            "message": .string(
                                "\(actor.id) 无权\(operation)：需要担任\(needed.map(\.zh).joined(separator: "或"))"),
                            "messageEn": .string(
                                "\(actor.id) may not call \(full): needs the role \(needed.map(\.rawValue).joined(separator: " or "))"
                            ),
                        ])
                }
                let parameters: Call
                do {
                    parameters = try Call(parameters: request.call.parameters)
                } catch let refused as WireDecodingError {
                    throw VarlinkError.invalidParameter(refused.field)
                }
                do {
                    let response = try await body(actor, parameters, request)
                    if mutating { runtime.clock.poke() }
                    return response
                } catch let error as BangfuError {
                    if error.code == .permissionDenied {
                        runtime.security.refused(
                            uid: request.peer.uid, user: actor.id, method: full, reason: error.en)
                    }
                    runtime.logger.debug("\(full) failed: \(error.code)", metadata: ["UID": "\(request.peer.uid)"])
                    throw ErrorMapping.varlink(error, interface: interface)
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

    /// A number of days from a caller: 0 to 366, else `invalid_input` naming the field.
    static func days(_ days: Int64, field: String) throws -> Int {
        guard (0...366).contains(days) else {
            throw BangfuError(
                .invalidInput, zh: "\(field) 须在 0 到 366 之间", en: "\(field) must be 0 to 366", context: ["field": field])
        }
        return Int(days)
    }

    /// The replies of one page of a listing: one per item, the last carrying `next` when another page follows.
    static func paged<Item, Reply: WirePage>(_ items: [Item], next: String?, _ reply: (Item) throws -> Reply) rethrows
        -> [Reply]
    {
        var replies = try items.map(reply)
        if let next, !replies.isEmpty { replies[replies.count - 1].next = next }
        return replies
    }

    /// A value the IDL carries as a string and the domain as an enumeration (a state, a reason):
    /// an unknown one answers `InvalidParameter` naming the field.
    static func parse<Value: RawRepresentable>(_ text: String, field: String) throws -> Value
    where Value.RawValue == String {
        guard let value = Value(rawValue: text) else { throw VarlinkError.invalidParameter(field) }
        return value
    }

    /// A domain type decoded from its wire form (the archive form): a refusal names the field under `field`.
    static func domain<Value: Decodable>(_ wire: some WireValue, field: String) throws -> Value {
        try wire.json.decodeParameter(Value.self, field: field)
    }

    /// A reply's parameters as JSON text, written straight from the wire value.
    static func text(_ reply: some WireValue) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(1024)
        reply.write(to: &out)
        return out
    }

    static func idl(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }
}
