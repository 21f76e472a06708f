// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.keys.kernel;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import dev.guestattest.core.AttestationException;
import dev.guestattest.core.Reason;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The three keys syscalls ({@code add_key}, {@code request_key}, {@code keyctl}) made through libc's
 * {@code syscall(2)}: glibc has no wrappers for them and libkeyutils is not always installed. Every
 * argument travels as a full 64-bit word so the kernel never sees stale upper register bits.
 */
final class Keyctl {
    static final int GET_KEYRING_ID = 0;
    static final int JOIN_SESSION_KEYRING = 1;
    static final int REVOKE = 3;
    static final int SETPERM = 5;
    static final int DESCRIBE = 6;
    static final int LINK = 8;
    static final int UNLINK = 9;
    static final int SEARCH = 10;
    static final int READ = 11;
    static final int INSTANTIATE = 12;
    static final int SET_TIMEOUT = 15;
    static final int ASSUME_AUTHORITY = 16;
    static final int REJECT = 19;
    static final int INVALIDATE = 21;

    private static final Numbers NR = Numbers.forArch(System.getProperty("os.arch", ""));

    static {
        Native.register("c");
    }

    private Keyctl() {
    }

    private static native long syscall(long number, long a1, long a2, long a3, long a4, long a5) throws LastErrorException;

    /** Syscall numbers: x86-64's own table, and the generic table of arm64 and riscv64. */
    private record Numbers(long addKey, long requestKey, long keyctl) {
        static Numbers forArch(String arch) {
            return switch (arch.toLowerCase(Locale.ROOT)) {
                case "amd64", "x86_64" -> new Numbers(248, 249, 250);
                case "aarch64", "arm64", "riscv64" -> new Numbers(217, 218, 219);
                default -> null;
            };
        }
    }

    private static Numbers numbers() {
        if (NR == null) {
            throw AttestationException.of(Reason.UNSUPPORTED, "kernel keyring: keys syscall numbers are not known for CPU architecture '"
                    + System.getProperty("os.arch") + "' (supported: x86_64, aarch64, riscv64)");
        }
        return NR;
    }

    static long addKey(Memory type, Memory description, Memory payload, long length, int keyring) {
        return syscall(numbers().addKey, address(type), address(description), address(payload), length, keyring);
    }

    static long requestKey(Memory type, Memory description, Memory callout, int keyring) {
        return syscall(numbers().requestKey, address(type), address(description), address(callout), keyring, 0);
    }

    static long keyctl(int command, long a2, long a3, long a4, long a5) {
        return syscall(numbers().keyctl, command, a2, a3, a4, a5);
    }

    static long address(Memory m) {
        return m == null ? 0 : Pointer.nativeValue(m);
    }

    /** A NUL-terminated C string in native memory. */
    static Memory cString(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        Memory m = new Memory(b.length + 1L);
        m.write(0, b, 0, b.length);
        m.setByte(b.length, (byte) 0);
        return m;
    }

    /** Native memory holding {@code data}, or null for none; callers holding secrets clear it after the call. */
    static Memory copy(byte[] data) {
        if (data.length == 0) {
            return null;
        }
        Memory m = new Memory(data.length);
        m.write(0, data, 0, data.length);
        return m;
    }
}
