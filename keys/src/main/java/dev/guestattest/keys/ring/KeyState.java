// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.keys.ring;

/** The life of a key (linux-abi.md §4.1), as a Java keyring keeps it. */
public enum KeyState {
    /** Has a payload and can be used. */
    INSTANTIATED,
    /** Construction failed; requests fail with the same error until the negative timeout passes. */
    NEGATIVE,
    /** Revoked: unusable, its payload wiped; only unlinking remains. */
    REVOKED,
    /** Its expiry passed: unusable, and a request constructs a new key. */
    EXPIRED
}
