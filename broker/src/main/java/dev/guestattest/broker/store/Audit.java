// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Who asked for what and what they got: every auth, attest, release, refusal and admin change. Never a secret. */
public final class Audit {
    /** One audited event; {@code detail} is a reason, never key material. */
    public record Entry(long at, String event, String outcome, Optional<String> session, Optional<String> tee, Optional<String> path,
                        String client, String detail) {
    }

    private final Database db;

    public Audit(Database db) {
        this.db = db;
    }

    public void record(Entry e) {
        try {
            db.write(c -> insert(c, e));
        } catch (SQLException x) {
            throw db.failure("writing the audit log", x);
        }
    }

    /** Writes {@code e} on {@code c}: for writes that record their audit entry in the same commit. */
    static int insert(Connection c, Entry e) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO audit (at, event, outcome, session, tee, path, client, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setLong(1, e.at());
            ps.setString(2, e.event());
            ps.setString(3, e.outcome());
            ps.setString(4, e.session().orElse(null));
            ps.setString(5, e.tee().orElse(null));
            ps.setString(6, e.path().orElse(null));
            ps.setString(7, truncate(e.client(), 64));
            ps.setString(8, truncate(e.detail(), 1024));
            return ps.executeUpdate();
        }
    }

    /** Deletes the entries older than {@code before}; returns how many. */
    public int purgeBefore(long before) {
        try {
            return db.write(c -> {
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM audit WHERE at < ?")) {
                    ps.setLong(1, before);
                    return ps.executeUpdate();
                }
            });
        } catch (SQLException x) {
            throw db.failure("purging the audit log", x);
        }
    }

    /** The newest {@code limit} entries, newest first. */
    public List<Entry> recent(int limit) {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(
                "SELECT at, event, outcome, session, tee, path, client, detail FROM audit ORDER BY at DESC LIMIT ?")) {
            ps.setInt(1, limit);
            List<Entry> out = new ArrayList<>();
            try (ResultSet r = ps.executeQuery()) {
                while (r.next()) {
                    out.add(new Entry(r.getLong(1), r.getString(2), r.getString(3), Optional.ofNullable(r.getString(4)),
                            Optional.ofNullable(r.getString(5)), Optional.ofNullable(r.getString(6)), r.getString(7), r.getString(8)));
                }
            }
            return out;
        } catch (SQLException x) {
            throw db.failure("reading the audit log", x);
        }
    }

    private static String truncate(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }
}
