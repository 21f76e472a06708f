// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.keys.ring;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.Reason;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * A key in a {@link JavaKeyring}: serial, type, description, state, expiry, permissions and a
 * payload that leaves only through {@link #read()} (a copy, for readable types with READ
 * permission). {@code toString} never shows the payload.
 */
public final class Key {
    private final JavaKeyring space;
    private final int serial;
    private final KeyType type;
    private final String description;
    private final Instant created;
    private final AttestationException negative;
    private byte[] payload;
    private boolean revoked;
    private Instant expiry;
    private Set<KeyPermission> permissions;

    private Key(JavaKeyring space, int serial, KeyType type, String description, byte[] payload,
                AttestationException negative, Instant expiry, Set<KeyPermission> permissions) {
        this.space = space;
        this.serial = serial;
        this.type = type;
        this.description = description;
        this.created = space.clock().instant();
        this.payload = payload;
        this.negative = negative;
        this.expiry = expiry;
        this.permissions = copy(permissions);
    }

    private static EnumSet<KeyPermission> copy(Set<KeyPermission> permissions) {
        return permissions.isEmpty() ? EnumSet.noneOf(KeyPermission.class) : EnumSet.copyOf(permissions);
    }

    static Key instantiated(JavaKeyring space, int serial, KeyType type, String description, byte[] payload,
                            Set<KeyPermission> permissions) {
        return new Key(space, serial, type, description, payload, null, null, permissions);
    }

    static Key negative(JavaKeyring space, int serial, KeyType type, String description, AttestationException why, Duration timeout) {
        return new Key(space, serial, type, description, null, why, space.clock().instant().plus(timeout),
                EnumSet.allOf(KeyPermission.class));
    }

    public int serial() {
        return serial;
    }

    public String type() {
        return type.name();
    }

    public String description() {
        return description;
    }

    public Instant created() {
        return created;
    }

    public synchronized KeyState state() {
        if (revoked) {
            return KeyState.REVOKED;
        }
        if (expiry != null && !space.clock().instant().isBefore(expiry)) {
            return negative != null ? KeyState.EXPIRED : expire();
        }
        return negative != null ? KeyState.NEGATIVE : KeyState.INSTANTIATED;
    }

    private KeyState expire() {
        wipe();
        return KeyState.EXPIRED;
    }

    public synchronized Optional<Instant> expiry() {
        return Optional.ofNullable(expiry);
    }

    public synchronized Set<KeyPermission> permissions() {
        return Set.copyOf(permissions);
    }

    /** Whether {@link #read()} can succeed for this key's type and permissions. */
    public synchronized boolean readable() {
        return type.readable() && permissions.contains(KeyPermission.READ);
    }

    /** A copy of the payload. */
    public synchronized byte[] read() {
        usable();
        if (!type.readable()) {
            throw AttestationException.of(Reason.UNSUPPORTED, this + ": " + type.name() + " keys cannot be read back by design");
        }
        require(KeyPermission.READ, "read");
        return payload.clone();
    }

    /** Replaces the payload (WRITE permission). */
    public synchronized void update(byte[] newPayload) {
        usable();
        require(KeyPermission.WRITE, "update");
        space.checkPayload(type, newPayload.length);
        wipe();
        payload = newPayload.clone();
    }

    /** The key expires {@code timeout} from now; zero clears the expiry (SETATTR permission). */
    public synchronized void setTimeout(Duration timeout) {
        usable();
        require(KeyPermission.SETATTR, "set the timeout of");
        if (timeout.isNegative()) {
            throw AttestationException.invalid("timeout", "must not be negative, got " + timeout);
        }
        expiry = timeout.isZero() ? null : space.clock().instant().plus(timeout);
    }

    public synchronized void setPermissions(Set<KeyPermission> newPermissions) {
        usable();
        require(KeyPermission.SETATTR, "set the permissions of");
        permissions = copy(newPermissions);
    }

    /** Makes the key unusable at once and wipes its payload (WRITE or SETATTR permission). */
    public synchronized void revoke() {
        if (!permissions.contains(KeyPermission.WRITE) && !permissions.contains(KeyPermission.SETATTR)) {
            throw denied("revoke");
        }
        revoked = true;
        wipe();
    }

    synchronized boolean searchable() {
        return permissions.contains(KeyPermission.SEARCH);
    }

    /** The error a request gets for this key in its current state, or nothing when it is usable. */
    synchronized Optional<AttestationException> failure() {
        return switch (state()) {
            case INSTANTIATED -> Optional.empty();
            case NEGATIVE -> Optional.of(AttestationException.of(negative.reason(), this + " is negative until "
                    + expiry + " because its construction failed: " + negative.getMessage()));
            case REVOKED -> Optional.of(AttestationException.of(Reason.KEY_REVOKED, this + " was revoked; unlink it first"));
            case EXPIRED -> Optional.of(AttestationException.of(Reason.KEY_EXPIRED, this + " has expired"));
        };
    }

    private void usable() {
        Optional<AttestationException> f = failure();
        if (f.isPresent()) {
            throw f.get();
        }
    }

    private void require(KeyPermission p, String what) {
        if (!permissions.contains(p)) {
            throw denied(what);
        }
    }

    private AttestationException denied(String what) {
        return AttestationException.of(Reason.PERMISSION_DENIED, "may not " + what + " " + this + " (permissions " + permissions + ")");
    }

    private void wipe() {
        if (payload != null) {
            Arrays.fill(payload, (byte) 0);
            payload = null;
        }
    }

    /** Type, description and serial only. */
    @Override
    public String toString() {
        return "key " + serial + " " + type.name() + ":" + description;
    }
}
