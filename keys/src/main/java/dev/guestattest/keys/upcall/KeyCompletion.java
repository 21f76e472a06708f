package dev.guestattest.keys.upcall;

import dev.guestattest.keys.kernel.KernelKeys;
import dev.guestattest.keys.kernel.KeyInfo;
import java.time.Duration;

/** What a request-key handler does to the key under construction; the kernel, or a fake in tests. */
public interface KeyCompletion {
    KeyInfo describe(int key);

    void instantiate(int key, byte[] payload, int keyring);

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
            public void reject(int key, Duration timeout, int errno, int keyring) {
                KernelKeys.reject(key, timeout, errno, keyring);
            }
        };
    }
}
