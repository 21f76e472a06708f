// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * Named documents every broker instance shares: the attestation policy, the resource policy, the
 * reference values, and the token-signing key (sealed with the KEK, so all instances sign alike
 * and the key never sits in the database in the clear).
 */
public final class SharedDocuments {
    public static final String ATTESTATION_POLICY = "attestation-policy";
    public static final String RESOURCE_POLICY = "resource-policy";
    public static final String REFERENCE_VALUES = "reference-values";
    public static final String SIGNING_KEY = "token-signing-key";

    private final Database db;
    private final String upsert;

    public SharedDocuments(Database db) {
        this.db = db;
        this.upsert = db.dialect().upsert("settings", "name", List.of("document", "updated_at"));
    }

    public void put(String name, byte[] value, long now) {
        try {
            db.write(c -> {
                try (PreparedStatement ps = c.prepareStatement(upsert)) {
                    ps.setString(1, name);
                    ps.setBytes(2, value);
                    ps.setLong(3, now);
                    return ps.executeUpdate();
                }
            });
        } catch (SQLException e) {
            throw db.failure("storing " + name, e);
        }
    }

    /** Stores {@code value} unless the setting exists; either way returns the stored value (the first writer wins). */
    public byte[] putIfAbsent(String name, byte[] value, long now) {
        try {
            db.write(c -> {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO settings (name, document, updated_at) VALUES (?, ?, ?)")) {
                    ps.setString(1, name);
                    ps.setBytes(2, value);
                    ps.setLong(3, now);
                    return ps.executeUpdate();
                }
            });
            return value;
        } catch (SQLException raced) {
            return get(name).orElseThrow(() -> db.failure("storing " + name, raced));
        }
    }

    public Optional<byte[]> get(String name) {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement("SELECT document FROM settings WHERE name = ?")) {
            ps.setString(1, name);
            try (ResultSet r = ps.executeQuery()) {
                return r.next() ? Optional.of(r.getBytes(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw db.failure("reading " + name, e);
        }
    }
}
