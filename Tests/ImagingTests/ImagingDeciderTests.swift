import DCS
import Testing

@testable import Imaging

@Suite struct ImagingDeciderTests {
    static func member(_ name: String, role: String = "replica", state: String = "running", clonefrom: Bool = false) -> Member {
        Member(name: name, connURL: "postgres://10.0.0.\(name.count):5432/postgres", state: state, role: role, clonefrom: clonefrom)
    }

    let chain: [ImagingDecider.ChainEntry] = [.init(name: "wal_g", noLeader: true), .init(name: "basebackup")]

    func decider(nofailover: Bool = false, hasBootstrap: Bool = true, chain: [ImagingDecider.ChainEntry]? = nil) -> ImagingDecider {
        ImagingDecider(node: "me", nofailover: nofailover, hasBootstrap: hasBootstrap, chain: chain ?? self.chain)
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var label: String
        var view: ClusterView
        var nofailover = false
        var hasBootstrap = true
        var noLeaderMethods = true
        var expected: ImagingDecision
        var testDescription: String { label }
    }

    static let leaderA = member("a", role: "primary")

    static let cases: [Case] = [
        Case(label: "empty DCS, bootstrap configured: race", view: ClusterView(), expected: .raceForBootstrap),
        Case(
            label: "empty DCS, nofailover: no race; no_leader method runs",
            view: ClusterView(), nofailover: true, expected: .cloneWithoutLeader(methods: ["wal_g"])),
        Case(
            label: "empty DCS, no bootstrap section, no no_leader method: wait",
            view: ClusterView(), hasBootstrap: false, noLeaderMethods: false,
            expected: .wait(reason: "waiting for leader to bootstrap")),
        Case(
            label: "initialize \"\" (someone bootstrapping): no_leader methods must wait",
            view: ClusterView(initialize: ""), expected: .wait(reason: "waiting for leader to bootstrap")),
        Case(
            label: "initialize set, no leader: no_leader methods run",
            view: ClusterView(initialize: "7301"), expected: .cloneWithoutLeader(methods: ["wal_g"])),
        Case(
            label: "initialize set, no leader, no no_leader method: wait",
            view: ClusterView(initialize: "7301"), noLeaderMethods: false,
            expected: .wait(reason: "waiting for leader to bootstrap")),
        Case(
            label: "leader exists: clone from leader with the whole chain",
            view: ClusterView(initialize: "7301", leader: "a", members: [leaderA]),
            expected: .clone(source: leaderA, fromLeader: true, methods: ["wal_g", "basebackup"])),
        Case(
            label: "leader exists even without initialize: clone (rule 2 comes first)",
            view: ClusterView(leader: "a", members: [leaderA]),
            expected: .clone(source: leaderA, fromLeader: true, methods: ["wal_g", "basebackup"])),
        Case(
            label: "leader key without member record: wait",
            view: ClusterView(initialize: "7301", leader: "a"),
            expected: .wait(reason: "waiting for leader 'a' to publish its member record")),
        Case(
            label: "running clonefrom replica preferred over the leader",
            view: ClusterView(initialize: "1", leader: "a", members: [leaderA, member("b", clonefrom: true)]),
            expected: .clone(source: member("b", clonefrom: true), fromLeader: false, methods: ["wal_g", "basebackup"])),
        Case(
            label: "clonefrom replica that is not running is skipped",
            view: ClusterView(
                initialize: "1", leader: "a", members: [leaderA, member("b", state: "creating replica", clonefrom: true)]),
            expected: .clone(source: leaderA, fromLeader: true, methods: ["wal_g", "basebackup"])),
        Case(
            label: "this node tagged clonefrom is never its own source",
            view: ClusterView(initialize: "1", leader: "a", members: [leaderA, member("me", clonefrom: true)]),
            expected: .clone(source: leaderA, fromLeader: true, methods: ["wal_g", "basebackup"])),
        Case(
            label: "the leader tagged clonefrom counts as the leader",
            view: ClusterView(initialize: "1", leader: "a", members: [member("a", role: "primary", clonefrom: true)]),
            expected: .clone(source: member("a", role: "primary", clonefrom: true), fromLeader: true, methods: ["wal_g", "basebackup"])),
        Case(
            label: "leader key names this node: wait for it to expire",
            view: ClusterView(initialize: "1", leader: "me", members: [member("me", role: "primary")]),
            expected: .wait(reason: "the leader key names this node but its data dir needs imaging; waiting for the key to expire")),
    ]

    @Test(arguments: cases)
    func decides(_ c: Case) {
        let chain: [ImagingDecider.ChainEntry] =
            c.noLeaderMethods ? self.chain : [.init(name: "wal_g"), .init(name: "basebackup")]
        let decision = decider(nofailover: c.nofailover, hasBootstrap: c.hasBootstrap, chain: chain).decide(c.view) { _ in 0 }
        #expect(decision == c.expected)
    }

    @Test func picksAmongClonefromReplicasWithTheInjectedChoice() {
        let view = ClusterView(
            initialize: "1", leader: "a",
            members: [Self.leaderA, Self.member("c", clonefrom: true), Self.member("b", clonefrom: true)])
        let first = decider().decide(view) { _ in 0 }
        let second = decider().decide(view) { count in count - 1 }
        #expect(first.event == "trying to bootstrap from replica 'b'")
        #expect(second.event == "trying to bootstrap from replica 'c'")
    }

    @Test func eventsUsePatronisWords() {
        #expect(ImagingDecision.raceForBootstrap.event == "trying to bootstrap a new cluster")
        #expect(ImagingDecision.cloneWithoutLeader(methods: []).event == "trying to bootstrap (without leader)")
        #expect(ImagingDecision.clone(source: Self.leaderA, fromLeader: true, methods: []).event == "trying to bootstrap from leader 'a'")
        #expect(RaceOutcome.lost.event == "failed to acquire initialize lock")
    }

    @Test func fromLeaderUsesOnlyBasebackupAndTheLeader() {
        let view = ClusterView(initialize: "1", leader: "a", members: [Self.leaderA, Self.member("b", clonefrom: true)])
        #expect(decider().decideFromLeader(view) == .clone(source: Self.leaderA, fromLeader: true, methods: ["basebackup"]))
        #expect(decider().decideFromLeader(ClusterView(initialize: "1")) == .wait(reason: "waiting for leader to bootstrap"))
    }
}
