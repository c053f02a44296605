// sidecar-bench: prints the project's benchmark figures. Subcommands are added by the issues that own them.
import Foundation

let arguments = Array(CommandLine.arguments.dropFirst())
FileHandle.standardError.write(Data("usage: sidecar-bench <queue|hooks|imaging|etcd|http>\n".utf8))
exit(arguments.isEmpty ? 64 : 64)
