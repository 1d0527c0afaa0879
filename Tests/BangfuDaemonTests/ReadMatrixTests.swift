import BangfuLoad
import BangfuVarlink
import BangfuWire
import CBenchSupport
import Foundation
import Testing

/// The reads of the socket by every role, with the record's unit being the caller's own, a
/// descendant's, a sibling's and an ancestor's; expectations by hand. A caller who may not read a
/// record is told exactly what it is told of a record that does not exist.
@Suite struct ReadMatrixTests {
    static let roles = ["caseworker", "reviewer", "approver", "treasurer", "auditor", "helper"]
    static let units = ["b1", "county", "b2", "b1-team", "city", "county2"]
    /// Where a caller's grant is, seen from a record in a unit: own, ancestor, sibling, descendant.
    static let relations: [String: [String: String]] = [
        "b1": ["own": "b1", "ancestor": "county", "sibling": "b2", "descendant": "b1-team"],
        "county": ["own": "county", "ancestor": "city", "sibling": "county2", "descendant": "b1"],
    ]
    static func uid(role: String, unit: String) -> UInt32 {
        62_000 + UInt32(roles.firstIndex(of: role)! * 10 + units.firstIndex(of: unit)!)
    }
    /// Who sets the records up: one per role on the city, so never a caller of the matrix.
    static let setup: LoadPrincipals = {
        var principals = LoadPrincipals()
        (principals.caseworker, principals.reviewer, principals.approver) = (62_100, 62_101, 62_102)
        (principals.treasurer, principals.auditor) = (62_103, 62_104)
        return principals
    }()

    /// `O` got past every access check, `D` permission denied, `N` not found; one letter per role
    /// (caseworker, reviewer, approver, treasurer, auditor, helper).
    static let expected: [String: [String: String]] = [
        // The helper fails each method's role gate (which says nothing of any record).
        "Cases.Get": ["own": "OOOOOD", "ancestor": "OOOOOD", "sibling": "NNNNND", "descendant": "NNNNND"],
        "Cases.Assess": ["own": "OOODDD", "ancestor": "OOODDD", "sibling": "NNNDDD", "descendant": "NNNDDD"],
        "Cases.Pay": ["own": "DDDODD", "ancestor": "DDDODD", "sibling": "DDDNDD", "descendant": "DDDNDD"],
        "Archive.Get": ["own": "OOOOOD", "ancestor": "OOOOOD", "sibling": "NNNNND", "descendant": "NNNNND"],
        // The treasurer may read an archive (name and bank account) but not its history.
        "Archive.History": ["own": "OOODOD", "ancestor": "OOODOD", "sibling": "NNNDND", "descendant": "NNNDND"],
        "Funds.Ledger": ["own": "DDOOOD", "ancestor": "DDOOOD", "sibling": "DDNNND", "descendant": "DDNNND"],
    ]

    static var yaml: String {
        var grants = ""
        for role in roles {
            for unit in units {
                grants += "  - { user: \"uid:\(uid(role: role, unit: unit))\", role: \(role), unit: \(unit) }\n"
            }
        }
        for (uid, role) in [
            (62_100, "caseworker"), (62_101, "reviewer"), (62_102, "approver"), (62_103, "treasurer"),
            (62_104, "auditor"),
        ] {
            grants += "  - { user: \"uid:\(uid)\", role: \(role), unit: city }\n"
        }
        return """
            calendars:
              - file: \(LiveDaemon.root.path)/etc/calendars/2027.synthetic.yaml
            dibao:
              - { region: "370200", effective: 2025-07-01, monthly: "1060.00" }
            units:
              - { id: city, name: 市, level: city }
              - { id: county, name: 区, parent: city, level: county }
              - { id: county2, name: 另一区, parent: city, level: county }
              - { id: b1, name: 一厂, parent: county, level: grassroots }
              - { id: b2, name: 二厂, parent: county, level: grassroots }
              - { id: b1-team, name: 一厂车间, parent: b1, level: grassroots }
            grants:
            \(grants)
            """
    }

    @Test func everyReadByEveryRoleFromEveryUnit() throws {
        let d = try LiveDaemon(yaml: Self.yaml)
        // A paid case in b1, its archive, and a fund in county with one payment in its ledger.
        let setup = try LoadClient(socket: d.socket, principals: Self.setup)
        try setup.openFund("f1", fen: 10_000_000)
        let caseNo = try setup.caseToNotice(1)
        _ = try d.call(WireMethod.adminAdvanceClock.rawValue, ["seconds": .int(20 * 86_400)])
        try setup.pay(caseNo, fund: "f1")
        let archiveNo = try #require(
            try d.call(WireMethod.casesGet.rawValue, ["caseNo": .string(caseNo)]).first?["case"]?["archiveNo"]?.string)

        // method -> (record unit, parameters naming the record, the same naming a record that does not exist)
        let calls: [String: (unit: String, params: [String: JSONValue], missing: [String: JSONValue])] = [
            "Cases.Get": ("b1", ["caseNo": .string(caseNo)], ["caseNo": .string("BF-2027-999999")]),
            "Cases.Assess": ("b1", ["caseNo": .string(caseNo)], ["caseNo": .string("BF-2027-999999")]),
            "Cases.Pay": (
                "b1", ["caseNo": .string(caseNo), "instalment": .int(1), "fundId": .string("f1")],
                ["caseNo": .string("BF-2027-999999"), "instalment": .int(1), "fundId": .string("f1")]
            ),
            "Archive.Get": ("b1", ["archiveNo": .string(archiveNo)], ["archiveNo": .string("HA-2027-999999")]),
            "Archive.History": ("b1", ["archiveNo": .string(archiveNo)], ["archiveNo": .string("HA-2027-999999")]),
            "Funds.Ledger": (
                "county", ["fundId": .string("f1"), "from": .string("2027-01-01"), "to": .string("2027-12-31")],
                ["fundId": .string("nofund"), "from": .string("2027-01-01"), "to": .string("2027-12-31")]
            ),
        ]
        var cells = 0
        for (method, byRelation) in Self.expected.sorted(by: { $0.key < $1.key }) {
            let call = try #require(calls[method])
            let streams = method == "Funds.Ledger"
            for (relation, outcomes) in byRelation.sorted(by: { $0.key < $1.key }) {
                let unit = try #require(Self.relations[call.unit]?[relation])
                for (role, symbol) in zip(Self.roles, outcomes) {
                    let uid = Self.uid(role: role, unit: unit)
                    let (got, message) = try Self.outcome(
                        d, uid: uid, "org.bangfu.\(method)", call.params, more: streams)
                    #expect(
                        String(got) == String(symbol),
                        "\(method) by \(role) of the \(relation) unit (\(unit)): \(got) \(message)")
                    if got == "N" {
                        let (_, missing) = try Self.outcome(
                            d, uid: uid, "org.bangfu.\(method)", call.missing, more: streams)
                        let key = ["caseNo", "archiveNo", "fundId"].first { call.params[$0] != nil }.map {
                            ($0, call.params[$0]!)
                        }!
                        let missingKey = call.missing[key.0]!.stringValue!
                        #expect(
                            message.replacingOccurrences(of: key.1.stringValue!, with: missingKey) == missing,
                            "\(method): a refused read reads differently from a missing record")
                    }
                    cells += 1
                }
            }
        }
        #expect(cells == Self.expected.count * 4 * Self.roles.count)
    }

    /// O, D or N for one call as `uid`, with the error's message.
    static func outcome(_ d: LiveDaemon, uid: UInt32, _ method: String, _ params: [String: JSONValue], more: Bool)
        throws
        -> (Character, String)
    {
        let descriptor = bangfu_connect_as(d.socket, uid, LiveDaemon.gid)
        guard descriptor >= 0 else { throw DaemonTestError("cannot connect as \(uid)") }
        let client = VarlinkClient(connectedSocket: descriptor)
        do {
            _ = try client.call(method, params, more: more)
            return ("O", "")
        } catch let error as VarlinkError {
            let message =
                "\(error.parameters["message"]?.stringValue ?? "")|\(error.parameters["messageEn"]?.stringValue ?? "")"
            if error.name == "org.varlink.service.PermissionDenied" { return ("D", message) }
            if error.name.hasSuffix(".NotFound") { return ("N", message) }
            return ("O", message)
        }
    }
}
