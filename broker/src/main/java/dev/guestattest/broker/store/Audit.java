// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.guestattest.core.AttestationException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/** Who asked for what and what they got: every auth, attest, release, refusal and admin change. Never a secret. */
public final class Audit {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** What a check's name may hold: a dotted identifier with indexes ({@code resource_policy.rules[0].status}). */
    private static final Pattern CHECK_NAME = Pattern.compile("[A-Za-z0-9_.\\[\\]-]{1,96}");
    private static final int MAX_CHECKS_TEXT = 1024;
    /** The most entries one read returns. */
    public static final int MAX_READ = 10_000;

    /**
     * One audited event; {@code outcome} is what is stored (and queried by operators: {@code refused-403},
     * {@code released}, {@code warning}, {@code resource-set}, ...), {@code detail} a reason, never key
     * material, and {@code checks} the names of the checks that failed (the appraisal's, or the
     * resource rule's), if any.
     */
    public record Entry(long at, String event, String outcome, Optional<String> session, Optional<String> tee, Optional<String> path,
                        String client, String detail, List<String> checks) {
        public Entry {
            checks = List.copyOf(checks);
            // bounded as the columns are, so that the log line says what the audit keeps
            client = truncate(client, 64);
            detail = truncate(detail, 1024);
        }

        public Entry(long at, String event, String outcome, Optional<String> session, Optional<String> tee, Optional<String> path,
                     String client, String detail) {
            this(at, event, outcome, session, tee, path, client, detail, List.of());
        }

        /** What the entry decided, in the words an operator filters by. */
        public Decision decision() {
            return Decision.of(event, outcome);
        }

        /**
         * The entry as one JSON object, for the broker's log line and the audit read alike:
         * {@code time, event, outcome} (the {@link Decision}), {@code audit_outcome} (as stored),
         * {@code session, client, tee, resource} (those known), {@code checks}, {@code detail}.
         */
        public ObjectNode toJson() {
            ObjectNode n = JSON.createObjectNode().put("time", Instant.ofEpochMilli(at).toString()).put("event", event)
                    .put("outcome", decision().label()).put("audit_outcome", outcome);
            session.ifPresent(s -> n.put("session", s));
            n.put("client", client);
            tee.ifPresent(t -> n.put("tee", t));
            path.ifPresent(p -> n.put("resource", p));
            checks.forEach(n.putArray("checks")::add);
            return n.put("detail", detail);
        }
    }

    /**
     * An entry's outcome as an operator asks for it, over the stored outcomes it covers; each has the
     * SQL that selects its entries, which {@link #of} agrees with (a test holds them together).
     */
    public enum Decision {
        /** A session opened: auth answered a challenge. */
        CHALLENGED("event = 'auth' AND outcome = 'ok'"),
        /** An attestation accepted (affirming or warning); the token was issued. */
        ATTESTED("event = 'attest' AND outcome IN ('affirming', 'warning')"),
        /** {@code POST /appraise} answered an appraisal (of any status); nothing released. */
        APPRAISED("event = 'appraise' AND outcome NOT IN ('released', 'failed') AND outcome NOT LIKE 'refused-%'"),
        RELEASED("outcome = 'released'"),
        /** Any refusal, of any endpoint: {@code refused-<status>}. */
        REFUSED("outcome LIKE 'refused-%'"),
        /** An attempt that failed inside the broker. */
        FAILED("outcome = 'failed'"),
        /** An admin change: a resource, a policy, the reference values. */
        CHANGED("event = 'admin' AND outcome NOT IN ('released', 'failed') AND outcome NOT LIKE 'refused-%'"),
        /** Anything else (entries of other writers): what none of the others selects. */
        OTHER("");

        private final String sql;

        Decision(String sql) {
            this.sql = sql;
        }

        /** The condition on {@code event} and {@code outcome} (both NOT NULL) that selects this decision's entries. */
        String sql() {
            if (this != OTHER) {
                return sql;
            }
            return "NOT (" + String.join(" OR ", Arrays.stream(values()).filter(d -> d != OTHER).map(d -> "(" + d.sql + ")").toList()) + ")";
        }

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Decision of(String event, String outcome) {
            if (outcome.startsWith("refused-")) {
                return REFUSED;
            }
            if (outcome.equals("released")) {
                return RELEASED;
            }
            if (outcome.equals("failed")) {
                return FAILED;
            }
            return switch (event) {
                case "auth" -> outcome.equals("ok") ? CHALLENGED : OTHER;
                case "attest" -> outcome.equals("affirming") || outcome.equals("warning") ? ATTESTED : OTHER;
                case "appraise" -> APPRAISED;
                case "admin" -> CHANGED;
                default -> OTHER;
            };
        }

        /** The decision an operator names ({@code refused}, ...); refuses other words, listing these. */
        public static Decision parse(String label) {
            for (Decision d : values()) {
                if (d.label().equals(label.strip().toLowerCase(Locale.ROOT))) {
                    return d;
                }
            }
            throw AttestationException.invalid("outcome", "'" + label + "' is not one of " + Arrays.stream(values()).map(Decision::label).toList());
        }
    }

    /** A read of the log: entries at or after {@code since}, of one decision, the newest {@code limit} (1 to {@link #MAX_READ}). */
    public record Query(Optional<Instant> since, Optional<Decision> decision, int limit) {
        public Query {
            if (limit < 1 || limit > MAX_READ) {
                throw AttestationException.invalid("limit", limit + " is outside 1.." + MAX_READ);
            }
        }
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
                "INSERT INTO audit (at, event, outcome, session, tee, path, client, detail, checks) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setLong(1, e.at());
            ps.setString(2, e.event());
            ps.setString(3, e.outcome());
            ps.setString(4, e.session().orElse(null));
            ps.setString(5, e.tee().orElse(null));
            ps.setString(6, e.path().orElse(null));
            ps.setString(7, e.client());
            ps.setString(8, e.detail());
            ps.setString(9, checksText(e.checks()));
            return ps.executeUpdate();
        }
    }

    /** The names as stored: comma-separated, each a check's name (anything else is left out), within the column. */
    private static String checksText(List<String> checks) {
        StringBuilder b = new StringBuilder();
        for (String name : checks) {
            if (CHECK_NAME.matcher(name).matches() && b.length() + name.length() + 1 <= MAX_CHECKS_TEXT) {
                b.append(b.length() == 0 ? "" : ",").append(name);
            }
        }
        return b.length() == 0 ? null : b.toString();
    }

    private static List<String> checks(String text) {
        return text == null || text.isEmpty() ? List.of() : List.of(text.split(","));
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
        return read("", List.of(), limit);
    }

    /** The entries {@code q} asks for, newest last: the newest {@code q.limit()} of them, in the order they were made. */
    public List<Entry> read(Query q) {
        List<String> where = new ArrayList<>();
        List<Long> args = new ArrayList<>();
        q.since().ifPresent(s -> {
            where.add("at >= ?");
            args.add(s.toEpochMilli());
        });
        q.decision().ifPresent(d -> where.add("(" + d.sql() + ")"));
        List<Entry> newestFirst = read(where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where), args, q.limit());
        List<Entry> out = new ArrayList<>(newestFirst);
        Collections.reverse(out);
        return out;
    }

    private List<Entry> read(String where, List<Long> args, int limit) {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(
                "SELECT at, event, outcome, session, tee, path, client, detail, checks FROM audit" + where + " ORDER BY at DESC LIMIT ?")) {
            int i = 1;
            for (long a : args) {
                ps.setLong(i++, a);
            }
            ps.setInt(i, limit);
            List<Entry> out = new ArrayList<>();
            try (ResultSet r = ps.executeQuery()) {
                while (r.next()) {
                    out.add(new Entry(r.getLong(1), r.getString(2), r.getString(3), Optional.ofNullable(r.getString(4)),
                            Optional.ofNullable(r.getString(5)), Optional.ofNullable(r.getString(6)), r.getString(7),
                            Optional.ofNullable(r.getString(8)).orElse(""), checks(r.getString(9))));
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
