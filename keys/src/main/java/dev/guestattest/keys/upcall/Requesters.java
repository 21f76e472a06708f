// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.keys.upcall;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.Reason;
import dev.guestattest.core.linux.Errno;
import dev.guestattest.keys.kernel.KeyInfo;
import java.util.Collection;
import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;

/**
 * The uids whose request_key calls a handler serves: root, and those {@code keys install
 * --allow-uid} named. The handler runs as root for whoever asks, so without this any local user
 * could have evidence made over data of their choosing, or run RCAR with the TEE's identity.
 */
public record Requesters(Set<Long> uids) {
    /** The largest uid; (uid_t) -1 means "no uid". */
    static final long MAX_UID = 0xfffffffeL;
    /** Root only: what a handler serves unless told otherwise. */
    public static final Requesters ROOT_ONLY = new Requesters(Set.of());

    /** Root is always served: it can reach the TEE directly, so refusing it would protect nothing. */
    public Requesters {
        TreeSet<Long> all = new TreeSet<>(uids);
        all.add(0L);
        uids = Collections.unmodifiableSet(all);
    }

    public static Requesters of(Collection<Long> uids) {
        return new Requesters(Set.copyOf(uids));
    }

    /**
     * Refuses, with EACCES, a request from a uid not served, or one whose key the kernel says
     * another uid owns (request-key's %u is the key's uid; the two must agree).
     */
    public void require(long requester, KeyInfo key) {
        if (!uids.contains(requester)) {
            throw AttestationException.fromErrno(Reason.PERMISSION_DENIED, Errno.EACCES, "uid " + requester
                    + " is not served by this handler (it serves uids " + uids + "; keys install --allow-uid " + requester + " allows it)");
        }
        if (key.uid() != requester) {
            throw AttestationException.fromErrno(Reason.PERMISSION_DENIED, Errno.EACCES, "the requester's uid is " + requester
                    + " but the key under construction belongs to uid " + key.uid());
        }
    }

    /** A uid as request-key's %u or an --allow-uid value gives it: decimal 0..4294967294. */
    public static long parseUid(String field, String text) {
        try {
            long v = Long.parseLong(text);
            if (v >= 0 && v <= MAX_UID) {
                return v;
            }
        } catch (NumberFormatException ignored) {
            // reported below with the accepted range
        }
        throw AttestationException.invalid(field, "'" + text + "' is not a uid (0.." + MAX_UID + ")");
    }
}
