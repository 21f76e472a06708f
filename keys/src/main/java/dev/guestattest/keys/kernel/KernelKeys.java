// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.keys.kernel;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import dev.guestattest.core.AttestationException;
import dev.guestattest.core.linux.Errno;
import dev.guestattest.keys.Secret;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/**
 * The Linux kernel keyring (linux-abi.md §4) through the keys syscalls. Key IDs are the kernel's
 * serials; special keyrings are the negative IDs of {@link KeyringId}. Every failure is an
 * {@link AttestationException} carrying the kernel's errno and naming the operation and key.
 */
public final class KernelKeys {
    /** The largest payload add_key accepts (1 MiB - 1); user and logon keys allow only 32767 bytes. */
    public static final int MAX_PAYLOAD = 1024 * 1024 - 1;
    /** user and logon key payload limit. */
    public static final int MAX_USER_PAYLOAD = 32767;
    /** KEY_MAX_DESC_SIZE less the NUL. */
    public static final int MAX_DESCRIPTION = 4095;

    private KernelKeys() {
    }

    /** add_key: creates (or updates) a key of {@code type} in {@code keyring}; returns its serial. */
    public static int add(String type, String description, byte[] payload, int keyring) {
        checkDescription(description);
        if (payload.length > MAX_PAYLOAD) {
            throw AttestationException.tooLarge("payload", payload.length, MAX_PAYLOAD);
        }
        try (Memory t = Keyctl.cString(type); Memory d = Keyctl.cString(description); Memory p = Keyctl.copy(payload)) {
            return (int) Keyctl.addKey(t, d, p, payload.length, keyring);
        } catch (LastErrorException e) {
            throw failure("add_key " + type + " '" + description + "'", e);
        }
    }

    /** add_key for secret material: the native copy is zeroed after the call and the secret never reaches a message. */
    public static int add(String type, String description, Secret secret, int keyring) {
        checkDescription(description);
        return secret.apply(bytes -> {
            try (Memory t = Keyctl.cString(type); Memory d = Keyctl.cString(description); Memory p = Keyctl.copy(bytes)) {
                try {
                    return (int) Keyctl.addKey(t, d, p, bytes.length, keyring);
                } finally {
                    if (p != null) {
                        p.clear();
                    }
                }
            } catch (LastErrorException e) {
                throw failure("add_key " + type + " '" + description + "'", e);
            }
        });
    }

    /** A new empty keyring named {@code name}, linked into {@code parent}. */
    public static int addKeyring(String name, int parent) {
        try (Memory t = Keyctl.cString("keyring"); Memory d = Keyctl.cString(name)) {
            return (int) Keyctl.addKey(t, d, null, 0, parent);
        } catch (LastErrorException e) {
            throw failure("add_key keyring '" + name + "'", e);
        }
    }

    /**
     * request_key: finds the key in the caller's keyrings or, when {@code callout} is present, has
     * the kernel construct it through the request-key upcall; the result is linked into {@code dest}.
     */
    public static int request(String type, String description, Optional<String> callout, int dest) {
        checkDescription(description);
        try (Memory t = Keyctl.cString(type); Memory d = Keyctl.cString(description);
             Memory c = callout.map(Keyctl::cString).orElse(null)) {
            return (int) Keyctl.requestKey(t, d, c, dest);
        } catch (LastErrorException e) {
            throw failure("request_key " + type + " '" + description + "'", e);
        }
    }

    /** KEYCTL_SEARCH: a key reachable from {@code keyring}, linked into {@code dest} when non-zero. */
    public static int search(int keyring, String type, String description, int dest) {
        try (Memory t = Keyctl.cString(type); Memory d = Keyctl.cString(description)) {
            return (int) Keyctl.keyctl(Keyctl.SEARCH, keyring, Keyctl.address(t), Keyctl.address(d), dest);
        } catch (LastErrorException e) {
            throw failure("search " + type + " '" + description + "' in keyring " + keyring, e);
        }
    }

    /** KEYCTL_READ: the payload, up to {@code limit} bytes; a larger payload is refused, not cut. */
    public static byte[] read(int key, int limit) {
        int size = Math.min(limit, MAX_USER_PAYLOAD + 1);
        for (int attempt = 0; attempt < 3; attempt++) {
            try (Memory buf = new Memory(Math.max(size, 1))) {
                long n = Keyctl.keyctl(Keyctl.READ, key, Keyctl.address(buf), size, 0);
                if (n <= size) {
                    return buf.getByteArray(0, (int) n);
                }
                if (n > limit) {
                    throw AttestationException.tooLarge("key " + key + " payload", n, limit);
                }
                size = (int) n; // the payload grew or outgrew the first guess: read again at its size
            } catch (LastErrorException e) {
                throw failure("read key " + key, e);
            }
        }
        throw AttestationException.of(dev.guestattest.core.Reason.BUSY, "read key " + key + ": payload kept changing size");
    }

    /** KEYCTL_DESCRIBE: type, owner, permissions and description. */
    public static KeyInfo describe(int key) {
        try (Memory buf = new Memory(MAX_DESCRIPTION + 128)) {
            long n = Keyctl.keyctl(Keyctl.DESCRIBE, key, Keyctl.address(buf), buf.size(), 0);
            int len = (int) Math.min(n, buf.size());
            String s = new String(buf.getByteArray(0, len), StandardCharsets.UTF_8);
            return KeyInfo.parse(key, s.endsWith("\0") ? s.substring(0, s.length() - 1) : s);
        } catch (LastErrorException e) {
            throw failure("describe key " + key, e);
        }
    }

    /** KEYCTL_GET_KEYRING_ID: the serial behind a special keyring ID, optionally creating it. */
    public static int keyringId(int special, boolean create) {
        try {
            return (int) Keyctl.keyctl(Keyctl.GET_KEYRING_ID, special, create ? 1 : 0, 0, 0);
        } catch (LastErrorException e) {
            throw failure("keyring " + KeyringId.name(special), e);
        }
    }

    /**
     * Whether this thread has a session keyring of its own. Without one the kernel lets the user
     * session keyring stand in for {@code @s}, and an add to {@code @s} makes a throwaway keyring.
     */
    public static boolean hasOwnSession() {
        return keyringId(KeyringId.SESSION, false) != keyringId(KeyringId.USER_SESSION, false);
    }

    /**
     * KEYCTL_JOIN_SESSION_KEYRING: gives the calling thread a new anonymous session keyring (what
     * {@code keyctl session -} and systemd's {@code KeyringMode=private} give a process); returns it.
     */
    public static int joinNewSession() {
        try {
            return (int) Keyctl.keyctl(Keyctl.JOIN_SESSION_KEYRING, 0, 0, 0, 0);
        } catch (LastErrorException e) {
            throw failure("join a new session keyring", e);
        }
    }

    /** KEYCTL_INSTANTIATE: completes a key under construction (needs the request's authority). */
    public static void instantiate(int key, byte[] payload, int keyring) {
        try (Memory p = Keyctl.copy(payload)) {
            Keyctl.keyctl(Keyctl.INSTANTIATE, key, Keyctl.address(p), payload.length, keyring);
        } catch (LastErrorException e) {
            throw failure("instantiate key " + key, e);
        }
    }

    /**
     * KEYCTL_REJECT: fails a key under construction; searches for it return {@code errno} until
     * {@code timeout} passes. KEYCTL_NEGATE is this with ENOKEY.
     */
    public static void reject(int key, Duration timeout, int errno, int keyring) {
        try {
            Keyctl.keyctl(Keyctl.REJECT, key, seconds(timeout), errno, keyring);
        } catch (LastErrorException e) {
            throw failure("reject key " + key, e);
        }
    }

    /** KEYCTL_ASSUME_AUTHORITY: act for the request that is constructing {@code key} (0 divests). */
    public static void assumeAuthority(int key) {
        try {
            Keyctl.keyctl(Keyctl.ASSUME_AUTHORITY, key, 0, 0, 0);
        } catch (LastErrorException e) {
            throw failure("assume authority over key " + key, e);
        }
    }

    /** KEYCTL_SET_TIMEOUT: the key expires {@code timeout} from now; zero clears the expiry. */
    public static void setTimeout(int key, Duration timeout) {
        try {
            Keyctl.keyctl(Keyctl.SET_TIMEOUT, key, seconds(timeout), 0, 0);
        } catch (LastErrorException e) {
            throw failure("set timeout on key " + key, e);
        }
    }

    /** A key lifetime given in whole seconds on a command line: 1..2^32-1, what KEYCTL_SET_TIMEOUT takes (0 would mean none). */
    public static Duration lifetime(String field, long seconds) {
        if (seconds < 1 || seconds > 0xffffffffL) {
            throw AttestationException.invalid(field, seconds + " is outside 1..4294967295 seconds");
        }
        return Duration.ofSeconds(seconds);
    }

    public static void setPermissions(int key, KeyPermissions permissions) {
        try {
            Keyctl.keyctl(Keyctl.SETPERM, key, permissions.mask() & 0xffffffffL, 0, 0);
        } catch (LastErrorException e) {
            throw failure("set permissions on key " + key, e);
        }
    }

    public static void revoke(int key) {
        simple(Keyctl.REVOKE, key, 0, "revoke key " + key);
    }

    public static void invalidate(int key) {
        simple(Keyctl.INVALIDATE, key, 0, "invalidate key " + key);
    }

    public static void link(int key, int keyring) {
        simple(Keyctl.LINK, key, keyring, "link key " + key + " into keyring " + keyring);
    }

    public static void unlink(int key, int keyring) {
        simple(Keyctl.UNLINK, key, keyring, "unlink key " + key + " from keyring " + keyring);
    }

    private static void simple(int command, int key, int arg, String what) {
        try {
            Keyctl.keyctl(command, key, arg, 0, 0);
        } catch (LastErrorException e) {
            throw failure(what, e);
        }
    }

    private static long seconds(Duration d) {
        if (d.isNegative() || d.getSeconds() > 0xffffffffL) {
            throw AttestationException.invalid("timeout", d + " is outside 0..4294967295 seconds");
        }
        return d.getSeconds();
    }

    private static void checkDescription(String description) {
        int n = description.getBytes(StandardCharsets.UTF_8).length;
        if (n == 0 || n > MAX_DESCRIPTION) {
            throw AttestationException.invalid("description", n + " bytes is outside 1.." + MAX_DESCRIPTION);
        }
        if (description.indexOf('\0') >= 0) {
            throw AttestationException.invalid("description", "contains a NUL byte");
        }
    }

    private static AttestationException failure(String what, LastErrorException e) {
        int errno = e.getErrorCode();
        // key permissions ignore capabilities: "run as root" would be the wrong hint
        String why = errno == Errno.EACCES
                ? "EACCES: the key's permission mask refuses it (a key counts as possessed only when reachable from this thread's,"
                        + " process's or session keyring; root is not exempt)"
                : Errno.explain(errno);
        return AttestationException.fromErrno(Errno.reason(errno), errno, what + ": " + why);
    }
}
