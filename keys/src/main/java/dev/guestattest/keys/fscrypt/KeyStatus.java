// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.keys.fscrypt;

/**
 * Whether a filesystem holds a master key (FS_IOC_GET_ENCRYPTION_KEY_STATUS): {@code ABSENT} is
 * locked; {@code INCOMPLETELY_REMOVED} means files opened before the lock are still in use.
 */
public record KeyStatus(State state, boolean addedBySelf, int users) {
    public enum State { ABSENT, PRESENT, INCOMPLETELY_REMOVED, UNKNOWN }

    static KeyStatus of(int status, int flags, int users) {
        State s = switch (status) {
            case 1 -> State.ABSENT;
            case 2 -> State.PRESENT;
            case 3 -> State.INCOMPLETELY_REMOVED;
            default -> State.UNKNOWN;
        };
        return new KeyStatus(s, (flags & 1) != 0, users);
    }
}
