// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.keys.ring;

/** What the holder of a Java keyring may do with a key, mirroring the kernel's per-class bits. */
public enum KeyPermission {
    /** See the key's attributes. */
    VIEW,
    /** Read the payload (never possible for a type that is not readable, such as logon). */
    READ,
    /** Update or revoke the key. */
    WRITE,
    /** Find the key by search or request. */
    SEARCH,
    /** Link the key into a keyring. */
    LINK,
    /** Change the key's permissions and expiry. */
    SETATTR
}
