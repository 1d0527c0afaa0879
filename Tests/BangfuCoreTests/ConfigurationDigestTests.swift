import BangfuConfig
import Testing

/// Instances sharing a store compare their configurations key by key (issue 16).
@Suite struct ConfigurationDigestTests {
    static let yaml = """
        units:
          - { id: city, name: 测试市总工会, level: city }
          - { id: b1, name: 一厂工会, parent: city, level: grassroots }
        notice: { working_days: 5 }
        store: { kind: sqlite }
        """

    @Test func theSameConfigurationHasTheSameDigestsWhateverItsLayout() throws {
        let first = try ConfigurationDigest.digests(yaml: Self.yaml)
        let again = try ConfigurationDigest.digests(yaml: Self.yaml)
        #expect(first == again)
        #expect(Set(first.keys) == ["units", "notice"], "store is each host's own")
        // Keys in another order, a comment, block style instead of flow: the same configuration.
        let relaid = try ConfigurationDigest.digests(
            yaml: """
                # the same, laid out differently
                notice:
                  working_days: 5
                units:
                  - { name: 测试市总工会, id: city, level: city }
                  - { id: b1, level: grassroots, name: 一厂工会, parent: city }
                """)
        #expect(relaid == first)
        let changed = try ConfigurationDigest.digests(yaml: Self.yaml.replacingOccurrences(of: "5 }", with: "7 }"))
        #expect(changed["notice"] != first["notice"] && changed["units"] == first["units"])
    }
}
