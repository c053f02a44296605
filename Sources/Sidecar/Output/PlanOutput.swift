import DCS
import Imaging

/// How `sidecar plan` prints an ``ImagingPlan``: a table for people, one JSON document for scripts.
enum PlanOutput {
    /// `{"scope", "node", "data_dir": {...}, "dcs": {...}, "decision": {...}, "methods": [...], "problems": [...]}`.
    static func document(_ plan: ImagingPlan) -> JSONValue {
        let view = plan.dcs.view
        let dcs: JSONValue = .object([
            ("backend", .string(plan.dcs.backend)),
            ("reachable", .bool(plan.dcs.reachable)),
            ("error", JSONValue(plan.dcs.error)),
            ("initialize", JSONValue(view?.initialize)),
            ("initialize_owner", JSONValue(view?.initializeOwner)),
            ("leader", JSONValue(view?.leader)),
            ("members", .array((view?.members ?? []).sorted { $0.name < $1.name }.map(member))),
        ])
        let job: JSONValue =
            plan.unfinishedJob.map {
                .object([("id", .number($0.id)), ("kind", .string($0.kind)), ("state", .string($0.state))])
            } ?? .null
        return .object([
            ("scope", .string(plan.scope)),
            ("node", .string(plan.node)),
            ("data_dir", .object([("path", .string(plan.dataDirectory)), ("state", JSONValue(plan.dataDirectoryState?.rawValue))])),
            ("unfinished_job", job),
            ("dcs", dcs),
            (
                "decision",
                .object([("action", .string(plan.action)), ("text", .string(plan.decision)), ("clone_source", JSONValue(plan.cloneSource))])
            ),
            ("methods", .array(plan.methods.map(method))),
            ("problems", .array(plan.problems.map { .object([("subject", .string($0.subject)), ("message", .string($0.message))]) })),
        ])
    }

    private static func member(_ member: Member) -> JSONValue {
        .object([
            ("name", .string(member.name)), ("role", .string(member.role)), ("state", .string(member.state)),
            ("conn_url", .string(member.connURL)),
        ])
    }

    private static func method(_ method: ImagingPlan.Method) -> JSONValue {
        .object([
            ("role", .string(method.role)),
            ("name", .string(method.name)),
            ("command", JSONValue(method.command)),
            ("executable", JSONValue(method.executable)),
            ("argv", .array(method.argv.map(JSONValue.string))),
            ("environment", .array(method.environment.map(JSONValue.string))),
            ("in_next_pass", .bool(method.inNextPass)),
            ("not_run_reason", JSONValue(method.notRunReason)),
        ])
    }

    static func text(_ plan: ImagingPlan) -> String {
        var lines: [String] = []
        lines.append("node           \(plan.node) (scope \(plan.scope))")
        lines.append("data dir       \(plan.dataDirectory): \(plan.dataDirectoryState?.rawValue ?? "unreadable")")
        if let job = plan.unfinishedJob { lines.append("job            \(job.id) \(job.kind) \(job.state)") }
        if let view = plan.dcs.view {
            let initialize = view.initialize.map { $0.isEmpty ? "\"\" (bootstrap in progress)" : $0 } ?? "(absent)"
            lines.append("DCS            \(plan.dcs.backend): reachable; leader \(view.leader ?? "(none)"), initialize \(initialize)")
            let members = view.members.map { "\($0.name) (\($0.role), \($0.state))" }.sorted()
            lines.append("members        \(members.isEmpty ? "(none)" : members.joined(separator: ", "))")
        } else {
            lines.append("DCS            \(plan.dcs.backend): UNREACHABLE (\(plan.dcs.error ?? ""))")
        }
        lines.append("decision       \(plan.action): \(plan.decision)")
        for method in plan.methods {
            let mark = method.inNextPass ? "runs next" : "not in the next pass"
            lines.append("")
            lines.append("\(method.role) \(method.name) (\(mark))")
            if let command = method.command { lines.append("  command      \(command)") }
            lines.append("  executable   \(method.executable ?? "-")")
            lines.append("  argv         \(method.argv.map(quoted).joined(separator: " "))")
            lines.append("  environment  \(environmentSummary(method.environment))")
            if let reason = method.notRunReason { lines.append("  NOT RUN      \(reason)") }
        }
        lines.append("")
        if plan.problems.isEmpty {
            lines.append("checks         all passed")
        } else {
            lines.append("failed checks")
            for problem in plan.problems { lines.append("  \(problem.subject): \(problem.message)") }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The variables sidecar sets (SPEC §6), then how many come from sidecar's own environment (`--json` lists all).
    private static func environmentSummary(_ names: [String]) -> String {
        let own = names.filter { $0.hasPrefix("SIDECAR_") || $0 == "PGPASSFILE" || $0 == "PGOPTIONS" }
        let inherited = names.count - own.count
        return (own + (inherited > 0 ? ["+ \(inherited) inherited (--json lists them)"] : [])).joined(separator: " ")
    }

    /// An argv element as a shell would need it quoted (for reading only; sidecar never uses a shell).
    private static func quoted(_ word: String) -> String {
        let plain = word.allSatisfy { $0.isLetter || $0.isNumber || "-_=./:,@%+".contains($0) }
        return plain && !word.isEmpty ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
