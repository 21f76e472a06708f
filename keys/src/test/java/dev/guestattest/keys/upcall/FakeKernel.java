// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.keys.upcall;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.linux.Errno;
import dev.guestattest.keys.kernel.KeyInfo;
import dev.guestattest.keys.kernel.KeyPermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/** Keys under construction as the kernel would hold them, recording what the handler did to each. */
final class FakeKernel implements KeyCompletion {
    record Done(int key, byte[] payload, int errno, Duration timeout, int keyring) {
    }

    final Map<Integer, KeyInfo> keys = new HashMap<>();
    final CopyOnWriteArrayList<Done> done = new CopyOnWriteArrayList<>();

    FakeKernel key(int serial, String type, String description) {
        return key(serial, type, description, 0);
    }

    /** A key under construction for a request by {@code uid}, which owns it. */
    FakeKernel key(int serial, String type, String description, long uid) {
        keys.put(serial, new KeyInfo(serial, type, uid, uid, KeyPermissions.POSSESSOR_ONLY, description));
        return this;
    }

    @Override
    public KeyInfo describe(int key) {
        KeyInfo info = keys.get(key);
        if (info == null) {
            throw AttestationException.fromErrno(Errno.reason(Errno.ENOKEY), Errno.ENOKEY, "describe key " + key + ": ENOKEY");
        }
        return info;
    }

    @Override
    public void instantiate(int key, byte[] payload, int keyring) {
        done.add(new Done(key, payload.clone(), 0, Duration.ZERO, keyring));
    }

    @Override
    public void instantiateSecret(int key, byte[] payload, KeyPermissions permissions, Duration expiry) {
        done.add(new Done(key, payload.clone(), 0, expiry, 0));
    }

    @Override
    public void reject(int key, Duration timeout, int errno, int keyring) {
        done.add(new Done(key, null, errno, timeout, keyring));
    }
}
