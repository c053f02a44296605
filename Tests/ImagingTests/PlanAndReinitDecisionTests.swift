import DCS
import JobStore
import Postgres
import Testing

@testable import Imaging

/// The pure decisions behind `sidecar plan` and `sidecar reinit`.
@Suite struct PlanAndReinitDecisionTests {
    let decider = ImagingDecider(
        node: "me", nofailover: false, hasBootstrap: true, chain: [.init(name: "restore", noLeader: true), .init(name: "basebackup")])
    let withLeader = ClusterView(initialize: "7", leader: "a", members: [ImagingDeciderTests.leaderA, ImagingDeciderTests.member("me")])

    @Test func planDecidesLikeTheCycleAndTheExecutor() {
        #expect(PlanDecision.make(state: .valid, job: nil, view: withLeader, decider: decider).action == "nothing")
        let foreign = PlanDecision.make(state: .foreign, job: nil, view: withLeader, decider: decider)
        #expect(foreign.action == "refused" && foreign.text == DataDirectoryState.foreignAdvice)
        let down = PlanDecision.make(state: .empty, job: nil, view: nil, decider: decider)
        #expect(down.action == "wait" && down.text.contains("DCS is unreachable"))
        #expect(PlanDecision.make(state: .empty, job: nil, view: ClusterView(), decider: decider).action == "bootstrap")
        let clone = PlanDecision.make(state: .empty, job: nil, view: withLeader, decider: decider)
        #expect(clone.decision == .clone(source: ImagingDeciderTests.leaderA, fromLeader: true, methods: ["restore", "basebackup"]))
        // A reinit job on a valid data dir: replica only (never a bootstrap race), from_leader: basebackup only.
        let replica = PlanDecision.make(state: .valid, job: (.replica, JobOptions()), view: ClusterView(initialize: "7"), decider: decider)
        #expect(replica.decision == .cloneWithoutLeader(methods: ["restore"]))
        let fromLeader = PlanDecision.make(state: .valid, job: (.replica, JobOptions(fromLeader: true)), view: withLeader, decider: decider)
        #expect(fromLeader.decision == .clone(source: ImagingDeciderTests.leaderA, fromLeader: true, methods: ["basebackup"]))
    }

    @Test func reinitIsRefusedOnTheLeaderAlwaysAndWithoutASourceUnlessForced() {
        let leader = ImagingDecider(node: "a", nofailover: false, hasBootstrap: true, chain: [.init(name: "basebackup")])
        for force in [false, true] {
            guard case .refused(let reason) = ReinitCheck(fromLeader: false, force: force).verdict(withLeader, decider: leader) else {
                Issue.record("reinit on the leader must be refused")
                continue
            }
            #expect(reason.contains("holds the leader key"))
        }
        let basebackupOnly = ImagingDecider(node: "me", nofailover: false, hasBootstrap: true, chain: [.init(name: "basebackup")])
        #expect(
            ReinitCheck(fromLeader: false, force: false).verdict(ClusterView(initialize: "7"), decider: basebackupOnly)
                == .refused("no clone source: waiting for leader to bootstrap; pass --force to queue the job anyway (it waits for a source)"))
        #expect(
            ReinitCheck(fromLeader: false, force: true).verdict(ClusterView(initialize: "7"), decider: basebackupOnly)
                == .allowed(.wait(reason: "waiting for leader to bootstrap")))
        #expect(
            ReinitCheck(fromLeader: true, force: false).verdict(withLeader, decider: decider)
                == .allowed(.clone(source: ImagingDeciderTests.leaderA, fromLeader: true, methods: ["basebackup"])))
        // A restore that needs no leader is a source too (Patroni's no_leader).
        #expect(
            ReinitCheck(fromLeader: false, force: false).verdict(ClusterView(initialize: "7"), decider: decider)
                == .allowed(.cloneWithoutLeader(methods: ["restore"])))
    }
}
