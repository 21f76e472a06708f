// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker.store;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/**
 * RCAR sessions in the shared database, so that auth on one broker and attest on another work.
 * An attempt ends in one conditional UPDATE: a session moves from {@code challenged} to
 * {@code attested} or {@code failed} once, for the first attempt to finish, on whichever instance;
 * so a nonce answers at most one attestation, and racing copies of one answer cannot spoil it.
 * Evidence digests are kept (primary key) so the same evidence is never accepted twice.
 */
public final class Sessions {
    /** {@code ATTESTING} is no longer written (an attempt now claims its session as it completes) but may be in older stores. */
    public enum State { CHALLENGED, ATTESTING, ATTESTED, FAILED }

    /** A session as stored; {@code teePubkey} and {@code status} once attested. */
    public record Session(String id, String tee, String nonce, State state, long expiresAt, Optional<String> teePubkey, Optional<String> status,
                          Optional<byte[]> verifierSecret, Optional<String> measurement, Optional<String> token) {
        public boolean live(long now) {
            return now < expiresAt;
        }
    }

    private final Database db;

    public Sessions(Database db) {
        this.db = db;
    }

    /** Opens a session (with the verifier's sealed secret, if its TEE needs one) and records {@code audit} in the same commit. */
    public void create(String id, String tee, String nonce, long expiresAt, Optional<byte[]> verifierSecret, Audit.Entry audit) {
        try {
            db.write(c -> {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO sessions (id, tee, nonce, state, expires_at, verifier_secret) VALUES (?, ?, ?, ?, ?, ?)")) {
                    ps.setString(1, id);
                    ps.setString(2, tee);
                    ps.setString(3, nonce);
                    ps.setString(4, State.CHALLENGED.name());
                    ps.setLong(5, expiresAt);
                    ps.setBytes(6, verifierSecret.orElse(null));
                    ps.executeUpdate();
                }
                return Audit.insert(c, audit);
            });
        } catch (SQLException e) {
            throw db.failure("creating a session", e);
        }
    }

    public Optional<Session> find(String id) {
        try (Connection c = db.connection();
             PreparedStatement ps = c.prepareStatement("SELECT tee, nonce, state, expires_at, tee_pubkey, status, verifier_secret, measurement, token FROM sessions WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet r = ps.executeQuery()) {
                if (!r.next()) {
                    return Optional.empty();
                }
                return Optional.of(new Session(id, r.getString(1), r.getString(2), State.valueOf(r.getString(3)), r.getLong(4),
                        Optional.ofNullable(r.getString(5)), Optional.ofNullable(r.getString(6)), Optional.ofNullable(r.getBytes(7)),
                        Optional.ofNullable(r.getString(8)), Optional.ofNullable(r.getBytes(9)).map(b -> new String(b, StandardCharsets.UTF_8))));
            }
        } catch (SQLException e) {
            throw db.failure("reading a session", e);
        }
    }

    /** How an attempt completed. */
    public enum Completion {
        ATTESTED,
        EVIDENCE_REPLAYED,
        /** Another attempt finished first, or the session expired: the nonce was spent before this one completed. */
        NONCE_SPENT
    }

    /**
     * Completes an attempt in one commit: claims the session if it is still challenged and live,
     * records the evidence digest as used (a digest seen before makes the whole completion a replay,
     * and nothing of it is kept), marks the session attested until {@code expiresAt}, and writes
     * {@code audit}. One commit instead of a claim before the appraisal and a completion after it:
     * the store's writes were the broker's largest cost after the cryptography.
     */
    public Completion attest(String id, String evidenceDigest, String teePubkey, String status, Optional<String> measurement, String token,
                             long now, long expiresAt, Audit.Entry audit) {
        try {
            return db.write(c -> {
                try (PreparedStatement used = c.prepareStatement("INSERT INTO used_evidence (digest, used_at) VALUES (?, ?)")) {
                    used.setString(1, evidenceDigest);
                    used.setLong(2, now);
                    used.executeUpdate();
                } catch (SQLException duplicate) {
                    if (duplicate.getSQLState() != null && duplicate.getSQLState().startsWith("23")) {
                        throw new Refused(Completion.EVIDENCE_REPLAYED);
                    }
                    throw duplicate;
                }
                try (PreparedStatement ps = c.prepareStatement(
                        "UPDATE sessions SET state = 'ATTESTED', tee_pubkey = ?, status = ?, measurement = ?, token = ?, expires_at = ?,"
                                + " verifier_secret = NULL WHERE id = ? AND state = 'CHALLENGED' AND expires_at > ?")) {
                    ps.setString(1, teePubkey);
                    ps.setString(2, status);
                    ps.setString(3, measurement.orElse(null));
                    ps.setBytes(4, token.getBytes(StandardCharsets.UTF_8));
                    ps.setLong(5, expiresAt);
                    ps.setString(6, id);
                    ps.setLong(7, now);
                    if (ps.executeUpdate() != 1) {
                        throw new Refused(Completion.NONCE_SPENT);
                    }
                }
                Audit.insert(c, audit);
                return Completion.ATTESTED;
            });
        } catch (Refused r) {
            return r.completion;
        } catch (SQLException e) {
            throw db.failure("completing an attestation", e);
        }
    }

    /** A completion refused part-way (a used digest, a spent nonce): rolls it back to its savepoint. */
    private static final class Refused extends SQLException {
        private final Completion completion;

        Refused(Completion completion) {
            super("attestation not completed: " + completion);
            this.completion = completion;
        }
    }

    /**
     * Ends an attempt as failed, unless another finished first (the nonce is spent either way), and
     * records {@code audit} in the same commit: a refused attempt is never left unspent or unaudited.
     */
    public boolean fail(String id, Audit.Entry audit) {
        try {
            return db.write(c -> {
                try (PreparedStatement ps = c.prepareStatement(
                        "UPDATE sessions SET state = 'FAILED', verifier_secret = NULL WHERE id = ? AND state = 'CHALLENGED'")) {
                    ps.setString(1, id);
                    boolean failed = ps.executeUpdate() == 1;
                    Audit.insert(c, audit);
                    return failed;
                }
            });
        } catch (SQLException e) {
            throw db.failure("ending a failed attempt", e);
        }
    }

    /**
     * Drops sessions past expiry (their nonces can no longer be answered) and evidence digests used
     * before {@code usedBefore} (evidence binds a nonce, so once every session that could have
     * issued it is gone, the evidence cannot be accepted again anyway); returns how many rows went.
     */
    public int purgeExpired(long now, long usedBefore) {
        try {
            return db.write(c -> {
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM sessions WHERE expires_at <= ?");
                     PreparedStatement used = c.prepareStatement("DELETE FROM used_evidence WHERE used_at < ?")) {
                    ps.setLong(1, now);
                    used.setLong(1, usedBefore);
                    return ps.executeUpdate() + used.executeUpdate();
                }
            });
        } catch (SQLException e) {
            throw db.failure("purging sessions", e);
        }
    }
}
