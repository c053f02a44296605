import Foundation
import TestSupport

/// Parses Prometheus text with the reference parser (`prometheus_client.parser`, installed by scripts/setup.sh), so a
/// test checks what a real scraper reads, not what a hand-written reader accepts.
enum PrometheusText {
    static let script = """
        import json, sys
        from prometheus_client.parser import text_string_to_metric_families
        out = {}
        for family in text_string_to_metric_families(sys.stdin.read()):
            for s in family.samples:
                labels = ",".join('%s="%s"' % (k, v) for k, v in sorted(s.labels.items()))
                out[s.name + ("{" + labels + "}" if labels else "")] = s.value
        print(json.dumps(out))
        """

    /// Every sample as `name{label="value",...}` (labels sorted by name) → value. Throws when the parser rejects it.
    static func parse(_ text: String) async throws -> [String: Double] {
        let scratch = try ScratchDirectory("metrics")
        defer { scratch.remove() }
        let input = scratch.file("metrics.txt")
        let program = scratch.file("parse.py")
        try text.write(toFile: input, atomically: true, encoding: .utf8)
        try script.write(toFile: program, atomically: true, encoding: .utf8)
        // `python3` from PATH: the interpreter scripts/setup.sh installed prometheus_client into.
        let command = ["/bin/sh", "-c", "python3 \(program) < \(input)"]
        let result = try await EtcdHarness.offPool { try AsUser.run(command, user: nil, timeout: .seconds(30)) }
        guard result.succeeded else { throw TestSupportError("prometheus_client rejected the metrics: \(result.stderr)\n\(text)") }
        guard let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Double] else {
            throw TestSupportError("unexpected parser output: \(result.stdout)")
        }
        return object
    }
}
