// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.guestattest.core.AttestationException;
import dev.guestattest.core.Reason;
import dev.guestattest.core.state.AtomicFiles;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The broker's database: H2 in a directory (the embedded default, nothing to set up) or PostgreSQL
 * (several brokers behind a load balancer sharing one database). One schema, plain SQL both run;
 * the one statement they spell differently, the upsert, comes from the {@link Dialect}.
 */
public final class Database implements AutoCloseable {
    /** The SQL both databases run alike, but for the upsert. */
    public enum Dialect {
        H2, POSTGRESQL;

        /** Insert or replace one row keyed by {@code key}. */
        String upsert(String table, String key, List<String> columns) {
            String cols = key + ", " + String.join(", ", columns);
            String marks = "?" + ", ?".repeat(columns.size());
            if (this == H2) {
                return "MERGE INTO " + table + " (" + cols + ") KEY (" + key + ") VALUES (" + marks + ")";
            }
            StringBuilder set = new StringBuilder();
            for (String c : columns) {
                set.append(set.length() == 0 ? "" : ", ").append(c).append(" = EXCLUDED.").append(c);
            }
            return "INSERT INTO " + table + " (" + cols + ") VALUES (" + marks + ") ON CONFLICT (" + key + ") DO UPDATE SET " + set;
        }
    }

    private static final List<String> SCHEMA = List.of(
            "CREATE TABLE IF NOT EXISTS resources (path VARCHAR(512) PRIMARY KEY, wrapped_key BYTEA NOT NULL, ciphertext BYTEA NOT NULL,"
                    + " updated_at BIGINT NOT NULL, updated_by VARCHAR(128) NOT NULL)",
            "CREATE TABLE IF NOT EXISTS settings (name VARCHAR(64) PRIMARY KEY, document BYTEA NOT NULL, updated_at BIGINT NOT NULL)",
            "CREATE TABLE IF NOT EXISTS sessions (id VARCHAR(64) PRIMARY KEY, tee VARCHAR(16) NOT NULL, nonce VARCHAR(64) NOT NULL,"
                    + " state VARCHAR(16) NOT NULL, expires_at BIGINT NOT NULL, tee_pubkey VARCHAR(8192), status VARCHAR(16))",
            "CREATE TABLE IF NOT EXISTS used_evidence (digest VARCHAR(64) PRIMARY KEY, used_at BIGINT NOT NULL)",
            "CREATE TABLE IF NOT EXISTS audit (at BIGINT NOT NULL, event VARCHAR(32) NOT NULL, outcome VARCHAR(32) NOT NULL,"
                    + " session VARCHAR(64), tee VARCHAR(16), path VARCHAR(512), client VARCHAR(64), detail VARCHAR(1024))",
            // the verifier's half of a supplemental challenge (s390's request secret), sealed with the KEK
            "ALTER TABLE sessions ADD COLUMN IF NOT EXISTS verifier_secret BYTEA",
            // the attested workload's initial measurement (hex), for resource rules that name workloads
            "ALTER TABLE sessions ADD COLUMN IF NOT EXISTS measurement VARCHAR(256)",
            // the attestation token, read again for each release by cookie as a bearer token is (Trustee's resource rules see its
            // claims); its UTF-8 bytes: H2 writes a long VARCHAR character by character, a third of a release's CPU (BrokerLoad)
            "ALTER TABLE sessions ADD COLUMN IF NOT EXISTS token BYTEA",
            // collateral checked and shared by every instance (TDX TCB Info and CRLs, SNP VCEKs and CRLs): one fetch per fleet
            "CREATE TABLE IF NOT EXISTS collateral (item VARCHAR(512) PRIMARY KEY, document BYTEA NOT NULL, fresh_until BIGINT NOT NULL,"
                    + " fetched_at BIGINT NOT NULL)",
            // the names of the checks that failed (the appraisal's, or the resource rule's), comma-separated: what a refusal names
            "ALTER TABLE audit ADD COLUMN IF NOT EXISTS checks VARCHAR(1024)",
            "CREATE INDEX IF NOT EXISTS audit_at ON audit (at)",
            "CREATE INDEX IF NOT EXISTS sessions_expiry ON sessions (expires_at)");

    /** The pool's start and stop chatter is not news; its warnings are (held: java.util.logging keeps loggers weakly). */
    private static final java.util.logging.Logger POOL_LOG = java.util.logging.Logger.getLogger("com.zaxxer.hikari");

    static {
        POOL_LOG.setLevel(java.util.logging.Level.WARNING);
    }

    private final HikariDataSource pool;
    private final Dialect dialect;
    private final String location;
    private final GroupCommit writes;

    private Database(HikariDataSource pool, Dialect dialect, String location) {
        this.pool = pool;
        this.dialect = dialect;
        this.location = location;
        this.writes = new GroupCommit(pool, "broker-store");
    }

    /**
     * {@code location} is a JDBC URL ({@code jdbc:postgresql://127.0.0.1:5432/kbs?user=...}) or a
     * directory for the embedded store. H2 writes each commit through before it returns (WRITE_DELAY=0),
     * so a broker killed at any moment keeps what it acknowledged.
     */
    public static Database open(String location) {
        HikariConfig c = new HikariConfig();
        Dialect d;
        if (location.startsWith("jdbc:postgresql:")) {
            c.setJdbcUrl(location);
            d = Dialect.POSTGRESQL;
        } else if (location.startsWith("jdbc:")) {
            throw AttestationException.invalid("--store", "only PostgreSQL JDBC URLs (jdbc:postgresql:...) or a directory are supported");
        } else {
            Path dir = Path.of(location).toAbsolutePath();
            try {
                // 0700 as it is made: the database files within are created with the umask's mode, and the KEK sits beside them
                AtomicFiles.createPrivateDirectories(dir);
            } catch (java.io.IOException e) {
                throw AttestationException.invalid("--store", dir + " cannot be created: " + e.getMessage());
            }
            c.setJdbcUrl("jdbc:h2:file:" + dir.resolve("broker") + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;WRITE_DELAY=0;QUERY_CACHE_SIZE=64");
            d = Dialect.H2;
        }
        c.setMaximumPoolSize(16);
        c.setConnectionTimeout(5_000);
        c.setPoolName("guestattest-broker");
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(c);
        } catch (RuntimeException e) {
            throw AttestationException.of(Reason.IO_ERROR, "store " + redact(location) + " cannot be opened: " + rootMessage(e));
        }
        Database db = new Database(pool, d, redact(location));
        db.createSchema();
        return db;
    }

    private void createSchema() {
        try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
            for (String sql : SCHEMA) {
                s.execute(sql);
            }
        } catch (SQLException e) {
            throw failure("creating the schema", e);
        }
    }

    public Dialect dialect() {
        return dialect;
    }

    /** Where the store is, with any password in the URL left out. */
    public String location() {
        return location;
    }

    /** For reads (auto-commit). */
    Connection connection() throws SQLException {
        return pool.getConnection();
    }

    /** For writes: group-committed; returns once the write is durable. */
    <T> T write(GroupCommit.Write<T> w) throws SQLException {
        return writes.write(w);
    }

    AttestationException failure(String what, SQLException e) {
        return AttestationException.of(Reason.IO_ERROR, "store " + location + ": " + what + " failed: " + e.getMessage());
    }

    static String redact(String location) {
        return location.replaceAll("(?i)(password=)[^&;]*", "$1***");
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return redact(String.valueOf(t.getMessage()));
    }

    @Override
    public void close() {
        writes.close();
        pool.close();
    }
}
