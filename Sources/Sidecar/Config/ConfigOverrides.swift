/// Settings given on the command line, which win over the environment and the file.
struct ConfigOverrides: Sendable, Equatable {
    var scope: String?
    var name: String?
    var dataDir: String?
    var etcdHosts: [String]?
    var stateDir: String?

    init(scope: String? = nil, name: String? = nil, dataDir: String? = nil, etcdHosts: [String]? = nil, stateDir: String? = nil) {
        self.scope = scope
        self.name = name
        self.dataDir = dataDir
        self.etcdHosts = etcdHosts
        self.stateDir = stateDir
    }
}
