import Foundation

/// The package's built executables (`sidecar`, `sidecar-bench`), found next to the test bundle.
public enum BuiltProducts {
    /// The build directory holding the test bundle and the executables (`.build/<triple>/debug`).
    public static var directory: String {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent().path,
            Bundle.main.bundleURL.deletingLastPathComponent().path,
            Bundle.main.bundleURL.path,
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0 + "/sidecar") } ?? candidates[0]
    }

    /// The absolute path of the executable `name`. Throws when it has not been built (`swift build --build-tests`).
    public static func path(_ name: String) throws -> String {
        let path = directory + "/" + name
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw ProductMissing(path: path)
        }
        return path
    }

    /// The executable was not found: run `swift build --build-tests` first.
    public struct ProductMissing: Error, CustomStringConvertible {
        public var path: String
        public var description: String { "\(path) is not built; run 'swift build --build-tests'" }
    }
}
