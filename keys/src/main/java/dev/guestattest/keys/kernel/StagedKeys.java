// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.keys.kernel;

import dev.guestattest.core.AttestationException;
import dev.guestattest.keys.Secret;
import java.time.Duration;

/**
 * Adds a key so that it arrives configured in every session mode: a login session, a private
 * session (systemd's default {@code KeyringMode=private}, {@code keyctl session -}), no session
 * keyring at all, or a request-key handler. A new key's owner may only view it, so every later
 * operation needs possession; a key added straight into {@code @u} from a private session is not
 * possessed, and its permissions, expiry and revocation all fail with EACCES, leaving it behind.
 * Here the key is first added to the calling thread's keyring, which the thread always possesses,
 * configured there, linked into its destination, and unlinked from the thread keyring. On any
 * failure it is revoked while still possessed, so nothing half-configured is left anywhere.
 */
public final class StagedKeys {
    private StagedKeys() {
    }

    /**
     * Adds (or, for a description already in {@code destination}, replaces) a key of {@code type};
     * returns its serial. {@code expiry} zero means none. All calls run on the calling thread.
     */
    public static int add(String type, String description, Secret payload, int destination, KeyPermissions permissions,
                          Duration expiry) {
        if (expiry.isNegative()) {
            throw AttestationException.invalid("expiry", "must not be negative");
        }
        requireKept(destination);
        int key = KernelKeys.add(type, description, payload, KeyringId.THREAD);
        try {
            if (!expiry.isZero()) {
                KernelKeys.setTimeout(key, expiry);
            }
            int staging = KeyPermissions.LINK | KeyPermissions.SETATTR;
            KernelKeys.setPermissions(key, new KeyPermissions(permissions.mask() | staging << 24));
            if (destination != KeyringId.THREAD) {
                KernelKeys.link(key, destination);
                if ((permissions.possessor() & staging) != staging) {
                    KernelKeys.setPermissions(key, permissions);
                }
                KernelKeys.unlink(key, KeyringId.THREAD);
            } else {
                KernelKeys.setPermissions(key, permissions);
            }
            return key;
        } catch (AttestationException e) {
            discard(key, destination, e);
            throw e;
        }
    }

    /**
     * Refuses {@code @s} when the calling thread has no session keyring of its own: the kernel
     * would make an anonymous one that dies with the process, and the key with it.
     */
    public static void requireKept(int destination) {
        if (destination == KeyringId.SESSION && !KernelKeys.hasOwnSession()) {
            throw AttestationException.invalid("keyring", "@s: this process has no session keyring of its own (a daemon, cron job or"
                    + " CI runner), so a key put there would be lost when it exits; use @u, or run inside a session"
                    + " (keyctl session NAME, or systemd's KeyringMode=shared)");
        }
    }

    /**
     * For a command that exits once the key is in place: also refuses the thread and process
     * keyrings, which end with it.
     */
    public static void requireOutlivesProcess(int destination) {
        if (destination == KeyringId.THREAD || destination == KeyringId.PROCESS) {
            throw AttestationException.invalid("keyring", KeyringId.name(destination)
                    + " ends when this command exits, and the key with it; use @u or a session keyring");
        }
        requireKept(destination);
    }

    /** Revokes the key while the thread keyring still holds it; if that fails, takes it out of the destination. */
    private static void discard(int key, int destination, AttestationException cause) {
        try {
            KernelKeys.revoke(key);
        } catch (AttestationException revoke) {
            cause.addSuppressed(revoke);
            if (destination != KeyringId.THREAD) {
                try {
                    KernelKeys.unlink(key, destination);
                } catch (AttestationException unlink) {
                    cause.addSuppressed(unlink);
                }
            }
        }
        try {
            KernelKeys.unlink(key, KeyringId.THREAD);
        } catch (AttestationException unlink) {
            cause.addSuppressed(unlink); // a revoked key left in the thread keyring holds nothing and goes with the thread
        }
    }
}
