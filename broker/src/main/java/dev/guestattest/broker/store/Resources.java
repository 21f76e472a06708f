// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker.store;

import dev.guestattest.core.AttestationException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/** The secrets the broker releases, by {@code repository/type/tag}, sealed with the KEK at rest. */
public final class Resources {
    /** Each part as Trustee allows: letters, digits and {@code . _ -}; no part is {@code .} or {@code ..}. */
    private static final Pattern PART = Pattern.compile("[A-Za-z0-9._-]{1,128}");
    public static final int MAX_SECRET = 1 << 20;

    private final Database db;
    private final Kek kek;
    private final String upsert;

    public Resources(Database db, Kek kek) {
        this.db = db;
        this.kek = kek;
        this.upsert = db.dialect().upsert("resources", "path", List.of("wrapped_key", "ciphertext", "updated_at", "updated_by"));
    }

    /** Checks a {@code repo/type/tag} path; the error names the part and the rule. */
    public static String path(String repository, String type, String tag) {
        String[] names = {"repository", "type", "tag"};
        String[] parts = {repository, type, tag};
        for (int i = 0; i < 3; i++) {
            if (!PART.matcher(parts[i]).matches() || parts[i].equals(".") || parts[i].equals("..")) {
                throw AttestationException.invalid("resource " + names[i], "'" + parts[i]
                        + "' must be 1-128 of letters, digits, '.', '_' or '-' (and not '.' or '..')");
            }
        }
        return repository + "/" + type + "/" + tag;
    }

    public static String path(String repoTypeTag) {
        String[] p = repoTypeTag.split("/", -1);
        if (p.length != 3) {
            throw AttestationException.invalid("resource path", "'" + repoTypeTag + "' is not REPOSITORY/TYPE/TAG");
        }
        return path(p[0], p[1], p[2]);
    }

    /** Stores (or replaces) a secret; committed when this returns. */
    public void put(String path, byte[] secret, String by, long now) {
        if (secret.length > MAX_SECRET) {
            throw AttestationException.tooLarge("resource", secret.length, MAX_SECRET);
        }
        Kek.Sealed s = kek.seal(path, secret);
        try {
            db.write(c -> {
                try (PreparedStatement ps = c.prepareStatement(upsert)) {
                    ps.setString(1, path);
                    ps.setBytes(2, s.wrappedKey());
                    ps.setBytes(3, s.ciphertext());
                    ps.setLong(4, now);
                    ps.setString(5, by);
                    return ps.executeUpdate();
                }
            });
        } catch (SQLException e) {
            throw db.failure("storing resource " + path, e);
        }
    }

    public Optional<byte[]> get(String path) {
        try (Connection c = db.connection();
             PreparedStatement ps = c.prepareStatement("SELECT wrapped_key, ciphertext FROM resources WHERE path = ?")) {
            ps.setString(1, path);
            try (ResultSet r = ps.executeQuery()) {
                if (!r.next()) {
                    return Optional.empty();
                }
                return Optional.of(kek.open(path, new Kek.Sealed(r.getBytes(1), r.getBytes(2))));
            }
        } catch (SQLException e) {
            throw db.failure("reading resource " + path, e);
        }
    }

    public boolean delete(String path) {
        try {
            return db.write(c -> {
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM resources WHERE path = ?")) {
                    ps.setString(1, path);
                    return ps.executeUpdate() == 1;
                }
            });
        } catch (SQLException e) {
            throw db.failure("deleting resource " + path, e);
        }
    }

    /** The paths stored, never the secrets. */
    public List<String> paths() {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement("SELECT path FROM resources ORDER BY path");
             ResultSet r = ps.executeQuery()) {
            List<String> out = new ArrayList<>();
            while (r.next()) {
                out.add(r.getString(1));
            }
            return out;
        } catch (SQLException e) {
            throw db.failure("listing resources", e);
        }
    }
}
