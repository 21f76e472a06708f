// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.keys.jca;

import dev.guestattest.keys.ring.Key;
import javax.crypto.SecretKey;

/**
 * A keyring key as a JCA {@link SecretKey}. The algorithm is the key type ("guest_attest" for
 * evidence). Readable keys encode as RAW; keys that cannot be read back (logon) are
 * non-extractable: {@code getEncoded()} and {@code getFormat()} return null, as the JCA allows.
 */
final class KeyringSecretKey implements SecretKey {
    private static final long serialVersionUID = 1L;
    private final transient Key key;

    KeyringSecretKey(Key key) {
        this.key = key;
    }

    @Override
    public String getAlgorithm() {
        return key.type();
    }

    @Override
    public String getFormat() {
        return key.readable() ? "RAW" : null;
    }

    @Override
    public byte[] getEncoded() {
        return key.readable() ? key.read() : null;
    }

    @Override
    public String toString() {
        return key.toString();
    }

    private void writeObject(java.io.ObjectOutputStream out) throws java.io.NotSerializableException {
        throw new java.io.NotSerializableException("keyring keys do not leave the process");
    }
}
