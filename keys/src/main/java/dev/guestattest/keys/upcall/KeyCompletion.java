// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.keys.upcall;

import dev.guestattest.core.AttestationException;
import dev.guestattest.keys.kernel.KernelKeys;
import dev.guestattest.keys.kernel.KeyPermissions;
import dev.guestattest.keys.kernel.KeyringId;
import dev.guestattest.keys.kernel.KeyInfo;
import java.time.Duration;

/** What a request-key handler does to the key under construction; the kernel, or a fake in tests. */
public interface KeyCompletion {
    KeyInfo describe(int key);

    void instantiate(int key, byte[] payload, int keyring);

    /**
     * Instantiates a secret so that it arrives configured: first into the handler's own session
     * keyring, which it still possesses once instantiation has taken its authority away, then its
     * permissions and expiry, then out of that keyring again. The kernel linked the key into the
     * requester's keyring when the request began. A key that cannot be configured is revoked.
     */
    void instantiateSecret(int key, byte[] payload, KeyPermissions permissions, Duration expiry);

    void reject(int key, Duration timeout, int errno, int keyring);

    /** The running kernel, acting with the authority request-key handed this process. */
    static KeyCompletion kernel() {
        return new KeyCompletion() {
            @Override
            public KeyInfo describe(int key) {
                return KernelKeys.describe(key);
            }

            @Override
            public void instantiate(int key, byte[] payload, int keyring) {
                KernelKeys.instantiate(key, payload, keyring);
            }

            @Override
            public void instantiateSecret(int key, byte[] payload, KeyPermissions permissions, Duration expiry) {
                int own = KernelKeys.keyringId(KeyringId.SESSION, false); // a positive serial: a special ID would mean the requester's
                KernelKeys.instantiate(key, payload, own);
                try {
                    if (!expiry.isZero()) {
                        KernelKeys.setTimeout(key, expiry);
                    }
                    KernelKeys.setPermissions(key, permissions);
                } catch (AttestationException e) {
                    try {
                        KernelKeys.revoke(key);
                    } catch (AttestationException revoke) {
                        e.addSuppressed(revoke);
                    }
                    throw e;
                } finally {
                    try {
                        KernelKeys.unlink(key, own);
                    } catch (AttestationException unlink) {
                        // the handler's session keyring goes when it exits
                    }
                }
            }

            @Override
            public void reject(int key, Duration timeout, int errno, int keyring) {
                KernelKeys.reject(key, timeout, errno, keyring);
            }
        };
    }
}
