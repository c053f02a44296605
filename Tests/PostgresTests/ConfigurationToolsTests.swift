import Postgres
import Testing

@Suite("PostgresConfiguration helpers")
struct ConfigurationToolsTests {
    func configuration(parameters: [ConfigParameter] = []) -> PostgresConfiguration {
        PostgresConfiguration(
            dataDirectory: "/var/lib/pg/data",
            binDirectory: "/usr/lib/postgresql/15/bin",
            listen: HostPort(host: "0.0.0.0", port: 5433),
            parameters: parameters,
            pgpassPath: "/state/pgpass",
            superuser: RoleCredentials(username: "postgres", password: "su"),
            replication: RoleCredentials(username: "replicator", password: "rep", ssl: ["sslmode": "require"]),
            stateDirectory: "/state"
        )
    }

    @Test("connstrings: replication to a source with ssl keys, local superuser through the configured socket directory")
    func connstrings() {
        let config = configuration(parameters: [ConfigParameter("unix_socket_directories", "/run/pg, /tmp")])
        #expect(config.socketDirectory == "/run/pg")
        #expect(
            config.replicationConnstring(to: HostPort(host: "10.0.0.1", port: 5432)).description
                == "dbname=postgres user=replicator host=10.0.0.1 port=5432 sslmode=require"
        )
        #expect(config.localSuperuserConnstring.description == "dbname=postgres user=postgres host=/run/pg port=5433")
        #expect(configuration().localSuperuserConnstring.description == "dbname=postgres user=postgres port=5433")
        #expect(config.localPsql.arguments(file: "/f").contains("/run/pg"))
    }

    @Test("pgpass: the replication role for the source and the superuser for the local socket")
    func pgpass() {
        let config = configuration()
        #expect(
            config.pgpass(source: HostPort(host: "10.0.0.1", port: 5432)).contents
                == "10.0.0.1:5432:*:replicator:rep\nlocalhost:5433:*:postgres:su\n"
        )
        #expect(config.pgpass(source: nil).contents == "localhost:5433:*:postgres:su\n")
    }
}
