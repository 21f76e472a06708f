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
    private final Database db;
    private final String upsert;

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
}
