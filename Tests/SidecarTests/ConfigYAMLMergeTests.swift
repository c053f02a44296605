import Hooks
import Testing

@testable import Sidecar

/// YAML anchors, aliases and merge keys, which some `patroni.yml` files use to share settings.
@Suite struct ConfigYAMLMergeTests {
    @Test func mergeKeysApplyAsInPyYAML() throws {
        let fixture = try ConfigFixture()
        defer { fixture.scratch.remove() }
        let yaml = """
            scope: s
            name: n
            x-restore: &restore
              command: restore
              stanza: main
              delta: true
            postgresql:
              data_dir: /d
              create_replica_methods: [a, b]
              a:
                <<: *restore
                delta: false
                extra: 1
              b: *restore
            """
        let result = try fixture.load(yaml)
        #expect(result.problems == [])
        let chain = try #require(result.config?.chain)
        #expect(chain[0].command == "restore")
        #expect(
            chain[0].parameters == [
                HookParameter("stanza", .string("main")), HookParameter("delta", .bool(false, written: "false")),
                HookParameter("extra", .number("1")),
            ])
        #expect(chain[1].parameters.map(\.key) == ["stanza", "delta"])
    }
}
