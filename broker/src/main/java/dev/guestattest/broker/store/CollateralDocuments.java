// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker.store;

import dev.guestattest.core.collateral.CollateralStore;
import dev.guestattest.core.collateral.Document;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The collateral cache in the broker's database: every instance on one database sees what any of
 * them fetched and checked, so a fleet fetches each item once. Only checked documents are written;
 * each is checked again when it is read back.
 */
public final class CollateralDocuments implements CollateralStore {
    /** Connections held for locks at once: the rest of the pool stays free for the reads and writes the fetches make. */
    private static final int LOCK_SLOTS = 4;
    private final Database db;
    private final String upsert;
    private final java.util.concurrent.Semaphore lockSlots = new java.util.concurrent.Semaphore(LOCK_SLOTS);

    public CollateralDocuments(Database db) {
        this.db = db;
        this.upsert = db.dialect().upsert("collateral", "item", List.of("document", "fresh_until", "fetched_at"));
    }

    @Override
    public Optional<Document> get(String key) {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement("SELECT document FROM collateral WHERE item = ?")) {
            ps.setString(1, key);
            try (ResultSet r = ps.executeQuery()) {
                return r.next() ? Optional.of(Document.fromJson("stored collateral " + key, r.getBytes(1))) : Optional.empty();
            }
        } catch (SQLException e) {
            throw db.failure("reading collateral " + key, e);
        }
    }

    @Override
    public void put(Document d) {
        try {
            db.write(c -> {
                try (PreparedStatement ps = c.prepareStatement(upsert)) {
                    ps.setString(1, d.key());
                    ps.setBytes(2, d.toJson());
                    ps.setLong(3, d.freshUntil().toEpochMilli());
                    ps.setLong(4, d.fetchedAt().toEpochMilli());
                    return ps.executeUpdate();
                }
            });
        } catch (SQLException e) {
            throw db.failure("storing collateral " + d.key(), e);
        }
    }

    @Override
    public List<Document> all() {
        List<Document> out = new ArrayList<>();
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement("SELECT item, document FROM collateral ORDER BY item");
             ResultSet r = ps.executeQuery()) {
            while (r.next()) {
                out.add(Document.fromJson("stored collateral " + r.getString(1), r.getBytes(2)));
            }
            return out;
        } catch (SQLException e) {
            throw db.failure("listing collateral", e);
        }
    }

    /**
     * On PostgreSQL, a transaction-scoped advisory lock per item (released by the commit or rollback
     * whatever happens, waiting at most 60 s): one instance fetches, the others find its copy. With
     * every lock slot taken, or on H2 (one process), the fetch just runs.
     */
    @Override
    public <T> T exclusively(String key, java.util.function.Supplier<T> fetch) {
        if (db.dialect() != Database.Dialect.POSTGRESQL || !lockSlots.tryAcquire()) {
            return fetch.get();
        }
        try (Connection c = db.connection()) {
            c.setAutoCommit(false);
            try {
                try (java.sql.Statement s = c.createStatement()) {
                    s.execute("SET LOCAL lock_timeout = '60s'");
                }
                try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
                    ps.setLong(1, lockId(key));
                    ps.execute();
                }
                return fetch.get();
            } finally {
                c.rollback(); // ends the transaction, and with it the lock
            }
        } catch (SQLException e) {
            throw db.failure("locking collateral " + key + " for its fetch", e);
        } finally {
            lockSlots.release();
        }
    }

    private static long lockId(String key) {
        byte[] h = dev.guestattest.core.mr.HashAlgorithm.SHA256.hash(("guestattest-collateral:" + key).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return java.nio.ByteBuffer.wrap(h).getLong();
    }
}
