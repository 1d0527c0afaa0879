import BangfuConfig
import BangfuPluginKit
import BangfuCore
import Testing

/// Invalid configuration names the file, the key and what is allowed.
@Suite struct ConfigurationTests {
    func error(_ yaml: String) -> BangfuError? {
        do {
            _ = try BangfuConfiguration.parse(yaml: yaml, path: "/etc/bangfu/bangfu.yaml")
            return nil
        } catch { return error as? BangfuError }
    }

    @Test func defaultsWithoutAFile() throws {
        let c = try BangfuConfiguration.parse(yaml: "", path: "x.yaml")
        #expect(c.noticeWorkingDays == 5)
        #expect(c.businessZone.identifier == "Asia/Shanghai")
        #expect(c.synchronousFull)
    }

    @Test func badValuesNameKeyAndFile() {
        let cases: [(String, String)] = [
            ("notice:\n  working_days: 0\n", "notice.working_days"),
            ("business_zone: Mars/Olympus\n", "business_zone"),
            ("store:\n  synchronous: sometimes\n", "store.synchronous"),
            ("dibao:\n  - { region: '370200', effective: 2025-13-01, monthly: '1060' }\n", "dibao"),
            ("dibao:\n  - { region: '370200', effective: 2025-01-01, monthly: 'lots' }\n", "dibao"),
            ("units:\n  - { id: a, name: A, level: galaxy }\n", "units[0].level"),
            ("units:\n  - { id: a, name: A, parent: nowhere, level: city }\n", "nowhere"),
            (
                "units:\n  - { id: a, name: A, level: city }\ngrants:\n  - { user: x, role: boss, unit: a }\n",
                "grants[0].role"
            ),
            (
                "units:\n  - { id: a, name: A, level: city }\ngrants:\n  - { user: x, role: system, unit: a }\n",
                "grants[0].role"
            ),
            (
                "units:\n  - { id: a, name: A, level: city }\ngrants:\n  - { user: x, role: caseworker, unit: b }\n",
                "grants[0].unit"
            ),
        ]
        for (yaml, key) in cases {
            let e = error(yaml)
            #expect(e?.code == .invalidConfig, "\(yaml)")
            #expect(e?.en.contains("/etc/bangfu/bangfu.yaml") == true, "\(String(describing: e))")
            #expect(e?.en.contains(key) == true, "expected \(key) in: \(String(describing: e?.en))")
        }
    }

    @Test func grantsResolveToActors() throws {
        let c = try BangfuConfiguration.parse(
            yaml: """
                units:
                  - { id: city, name: 市, level: city }
                  - { id: b1, name: 支部1, parent: city, level: grassroots }
                grants:
                  - { user: alice, role: caseworker, unit: b1 }
                  - { group: staff, role: auditor, unit: city }
                """, path: "t.yaml")
        let a = c.actor(user: "alice", groups: ["staff"])
        #expect(Set(a.grants.map(\.role)) == [.caseworker, .auditor])
        #expect(c.actor(user: "mallory").grants.isEmpty)
    }

    /// A `uid:N` grant holds for the person with that uid whether or not the uid has an account
    /// (here nobody, 65534): an account made later for the uid does not take the roles away.
    @Test func aUIDGrantHoldsOnceTheUIDHasAnAccount() throws {
        let c = try BangfuConfiguration.parse(
            yaml: """
                units:
                  - { id: city, name: 市, level: city }
                grants:
                  - { user: "uid:65534", role: auditor, unit: city }
                  - { user: "uid:4000000001", role: caseworker, unit: city }
                """, path: "t.yaml")
        let named = c.actor(uid: 65534)
        #expect(named.id == "nobody" && named.grants.map(\.role) == [.auditor])
        let bare = c.actor(uid: 4_000_000_001)
        #expect(bare.id == "uid:4000000001" && bare.grants.map(\.role) == [.caseworker])
        #expect(c.actor(uid: 4_000_000_002).grants.isEmpty)
    }
}

@Suite struct RulesConfigurationTests {
    @Test func rulesAndHelpTypeSettings() throws {
        let c = try BangfuConfiguration.parse(
            yaml: """
                rules:
                  yearly_cap: "12000.50"
                  cap_includes_loans: true
                  same_cause_window_days: 0
                  temporary_aid_per_year: 3
                plugin_dir: plugins-here
                help_types:
                  medical-aid: { yearly_cap_fen: 1500000 }
                  holiday-condolence: { july_first_party_only: false }
                """, path: "/etc/bangfu/bangfu.yaml")
        #expect(
            c.hostRules
                == HostRules(
                    yearlyCap: Money(fen: 1_200_050), capIncludesLoans: true, sameCauseWindowDays: nil,
                    temporaryAidPerYear: 3))
        #expect(c.pluginDirectory == "/etc/bangfu/plugins-here")
        #expect(c.helpTypeSettings["medical-aid"]?["yearly_cap_fen"] == .integer(1_500_000))
        #expect(c.helpTypeSettings["holiday-condolence"]?["july_first_party_only"] == .bool(false))
        #expect(
            try BangfuConfiguration.parse(yaml: "rules:\n  yearly_cap: none\n", path: "x").hostRules.yearlyCap == nil)
        #expect(throws: BangfuError.self) {
            try BangfuConfiguration.parse(yaml: "rules:\n  yearly_cap: lots\n", path: "x")
        }
    }
}
