import Foundation
import Logging

/// Log lines go to stderr, one per line, with the node's name; `SIDECAR_LOG_LEVEL` sets the level (default info).
enum SidecarLogging {
    static func logger(node: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> Logger {
        var logger = Logger(label: "sidecar") { label in StreamLogHandler.standardError(label: label) }
        logger.logLevel = environment["SIDECAR_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        logger[metadataKey: "node"] = "\(node)"
        return logger
    }
}
