import Foundation
import Hooks
import Testing

@testable import Sidecar

/// A typical multi-method `patroni.yml`, as operators write them, loads unchanged.
@Suite struct ConfigPatroniFileTests {
    static let patroniYAML = """
        scope: batman
        namespace: /service/
        name: postgresql0

        restapi:
          listen: 127.0.0.1:8008
          connect_address: 127.0.0.1:8008
          authentication:
            username: admin
            password: 'zalando'

        log:
          level: INFO
          dir: /var/log/patroni

        etcd3:
          hosts: 10.0.0.1:2379,10.0.0.2:2379, 10.0.0.3:2379
          protocol: https
          cacert: certs/ca.crt
          cert: /etc/etcd/client.crt
          key: /etc/etcd/client.key
          username: patroni
          password: "s3cr3t"

        bootstrap:
          dcs:
            ttl: 30
            loop_wait: 10
            retry_timeout: 10
            maximum_lag_on_failover: 1048576
            postgresql:
              use_pg_rewind: true
              parameters:
                wal_level: replica
                hot_standby: "on"
                max_wal_senders: 10
          initdb:
          - encoding: UTF8
          - data-checksums
          - locale: en_US.UTF-8
          pg_hba:
          - host replication replicator 127.0.0.1/32 md5
          - host all all 0.0.0.0/0 md5
          users:
            admin:
              password: admin%
              options:
                - createrole
          post_init: /usr/local/bin/setup_cluster.sh

        postgresql:
          listen: 0.0.0.0:5433
          connect_address: 10.0.0.11:5433
          data_dir: data/postgresql0
          bin_dir: /usr/lib/postgresql/15/bin
          pgpass: /tmp/pgpass0
          authentication:
            replication:
              username: replicator
              password: rep-pass
              sslmode: verify-full
              sslrootcert: certs/root.crt
            superuser:
              username: postgres
              password: zalando
            rewind:
              username: rewind_user
              password: rewind_password
          parameters:
            unix_socket_directories: '..'
            shared_buffers: 128MB
          create_replica_methods:
            - pgbackrest
            - wal_e
            - basebackup
          pgbackrest:
            command: /usr/bin/pgbackrest --stanza=main --delta restore
            keep_data: True
            no_params: True
          wal_e:
            command: patroni_wale_restore
            no_master: 1
            envdir: /etc/wal-e.d/env
            threshold_megabytes: 10240
            threshold_backup_size_percentage: 30
            use_iam: 1
            retries: 2
          basebackup:
            - verbose
            - max-rate: '100M'
            - checkpoint: fast
          pg_ctl_timeout: "90"
          callbacks:
            on_start: /bin/true
          use_unix_socket: true

        watchdog:
          mode: automatic
          device: /dev/watchdog
          safety_margin: 5

        tags:
          nofailover: false
          noloadbalance: false
          clonefrom: true
          nosync: false
        """

    @Test func loadsUnchangedWithEveryUsedKeyTyped() throws {
        let fixture = try ConfigFixture()
        defer { fixture.scratch.remove() }
        let result = try fixture.load(Self.patroniYAML)
        #expect(result.problems == [])
        let config = try #require(result.config)
        let directory = fixture.scratch.path

        #expect(config.scope == "batman")
        #expect(config.name == "postgresql0")
        #expect(config.namespace == "/service/")
        #expect(config.loopWait == .seconds(10))
        #expect(
            config.etcd
                == EtcdSettings(
                    hosts: ["10.0.0.1:2379", "10.0.0.2:2379", "10.0.0.3:2379"],
                    protocolName: "https",
                    cacert: "\(directory)/certs/ca.crt",
                    cert: "/etc/etcd/client.crt",
                    key: "/etc/etcd/client.key",
                    username: "patroni",
                    password: "s3cr3t"
                )
        )
        #expect(config.tags.clonefrom && !config.tags.nofailover)
        #expect(config.tags.all.map(\.key) == ["nofailover", "noloadbalance", "clonefrom", "nosync"])

        let bootstrap = try #require(config.bootstrap)
        #expect(bootstrap.method == "initdb" && bootstrap.customMethod == nil)
        #expect(bootstrap.initdbOptions.map(\.argument) == ["--encoding=UTF8", "--data-checksums", "--locale=en_US.UTF-8"])
        #expect(bootstrap.pgHba == ["host replication replicator 127.0.0.1/32 md5", "host all all 0.0.0.0/0 md5"])
        #expect(bootstrap.postBootstrap == "/usr/local/bin/setup_cluster.sh")
        #expect(
            bootstrap.dcs?.json
                == #"{"ttl":30,"loop_wait":10,"retry_timeout":10,"maximum_lag_on_failover":1048576,"postgresql":{"use_pg_rewind":true,"parameters":{"wal_level":"replica","hot_standby":"on","max_wal_senders":10}}}"#
        )

        let postgresql = config.postgresql
        #expect(postgresql.dataDir == "\(directory)/data/postgresql0")
        #expect(postgresql.binDir == "/usr/lib/postgresql/15/bin")
        #expect(postgresql.listenAddresses == "0.0.0.0" && postgresql.port == 5433)
        #expect(postgresql.connectAddress == "10.0.0.11:5433")
        #expect(postgresql.pgpass == "/tmp/pgpass0")
        #expect(postgresql.pgCtlTimeout == .seconds(90))
        #expect(postgresql.superuser == RoleSettings(username: "postgres", password: "zalando"))
        #expect(postgresql.replication.username == "replicator" && postgresql.replication.password == "rep-pass")
        #expect(
            postgresql.replication.ssl == [
                HookParameter("sslmode", .string("verify-full")), HookParameter("sslrootcert", .string("\(directory)/certs/root.crt")),
            ])
        #expect(postgresql.parameters.map(\.key) == ["unix_socket_directories", "shared_buffers"])
        #expect(postgresql.createReplicaMethods == ["pgbackrest", "wal_e", "basebackup"])
        #expect(postgresql.basebackupOptions.map(\.argument) == ["--verbose", "--max-rate=100M", "--checkpoint=fast"])

        let chain = postgresql.chain
        #expect(chain.map(\.name) == ["pgbackrest", "wal_e", "basebackup"])
        #expect(chain[0].noParams && chain[0].keepData && !chain[0].noLeader)
        #expect(chain[1].noLeader && chain[1].leaderFlagSpelling == .noMaster)
        #expect(
            try PatroniArgv.replica(method: chain[1], scope: config.scope, dataDirectory: postgresql.dataDir, connstring: "host=10.0.0.1")
                == [
                    "patroni_wale_restore", "--no_master=1", "--envdir=/etc/wal-e.d/env", "--threshold_megabytes=10240",
                    "--threshold_backup_size_percentage=30", "--use_iam=1", "--retries=2", "--scope=batman", "--role=replica",
                    "--datadir=\(directory)/data/postgresql0", "--connstring=host=10.0.0.1",
                ]
        )
        #expect(
            try PatroniArgv.replica(method: chain[0], scope: config.scope, dataDirectory: postgresql.dataDir, connstring: "")
                == ["/usr/bin/pgbackrest", "--stanza=main", "--delta", "restore"]
        )

        #expect(config.sidecar.stateDir == "\(directory)/.sidecar")
        #expect(config.sidecar.hooksDir == "\(directory)/hooks.d")
        #expect(config.sidecar.localDCSPath == "\(directory)/.sidecar/dcs.sqlite")
    }

    @Test func customBootstrapAndTheOldSingularChainKey() throws {
        let fixture = try ConfigFixture()
        defer { fixture.scratch.remove() }
        let result = try fixture.load(
            """
            scope: s
            name: n
            bootstrap:
              method: pitr
              pitr:
                command: hooks.d/pitr_restore --verbose
                target_time: "2026-01-01 00:00:00"
                keep_existing_recovery_conf: yes
                recovery_conf:
                  recovery_target_action: promote
                  recovery_target_timeline: latest
                  restore_command: cp /archive/%f %p
              post_bootstrap: hooks.d/after
            postgresql:
              data_dir: /pg
              create_replica_method:
                - wal_g
              wal_g:
                command: wal_g_restore
                no_leader: true
            sidecar:
              hook_timeout: 10m
              methods:
                pitr:
                  timeout: 1h
            """
        )
        #expect(result.problems == [])
        let config = try #require(result.config)
        let method = try #require(config.bootstrap?.customMethod)
        #expect(method.name == "pitr" && method.command == "hooks.d/pitr_restore --verbose")
        #expect(method.keepExistingRecoveryConf)
        #expect(method.recoveryConf?.map(\.key) == ["recovery_target_action", "recovery_target_timeline", "restore_command"])
        #expect(
            try PatroniArgv.bootstrap(method: method, scope: "s", dataDirectory: "/pg")
                == ["hooks.d/pitr_restore", "--verbose", "--scope=s", "--datadir=/pg", "--target_time=2026-01-01 00:00:00"]
        )
        #expect(config.bootstrap?.postBootstrap == "hooks.d/after")
        #expect(config.bootstrapMethod?.timeout == .seconds(3600))
        #expect(config.chain.map(\.timeout) == [.seconds(600)])
        #expect(config.postgresql.createReplicaMethods == ["wal_g"])
        #expect(config.postgresql.chain[0].noLeader && config.postgresql.chain[0].leaderFlagSpelling == .noLeader)
    }
}
