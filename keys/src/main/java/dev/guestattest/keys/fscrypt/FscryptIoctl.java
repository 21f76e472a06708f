// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.keys.fscrypt;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.NativeLong;
import dev.guestattest.core.AttestationException;
import dev.guestattest.core.Reason;
import dev.guestattest.core.linux.Errno;
import dev.guestattest.core.linux.Libc;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The fscrypt ioctls of {@code <linux/fscrypt.h>} on an open directory. The request numbers and
 * struct layouts are the kernel's UAPI (checked against the header with a C compiler), the same on
 * x86-64, arm64 and riscv64.
 */
final class FscryptIoctl implements AutoCloseable {
    private static final long SET_POLICY = 0x800c6613L;
    private static final long GET_POLICY_EX = 0xc0096616L;
    private static final long ADD_KEY = 0xc0506617L;
    private static final long REMOVE_KEY = 0xc0406618L;
    private static final long REMOVE_KEY_ALL_USERS = 0xc0406619L;
    private static final long GET_KEY_STATUS = 0xc080661aL;
    /** struct fscrypt_key_specifier: u32 type, u32 reserved, u8 u[32]. */
    private static final int KEY_SPEC = 40;
    private static final int ENODATA = 61;
    private static final int ENOTEMPTY = 39;
    private static final int ENOTDIR = 20;

    private final Path dir;
    private final int fd;

    private FscryptIoctl(Path dir, int fd) {
        this.dir = dir;
        this.fd = fd;
    }

    static FscryptIoctl open(Path dir) {
        try {
            return new FscryptIoctl(dir, Libc.open(dir.toString(), Libc.O_RDONLY | Libc.O_CLOEXEC, 0));
        } catch (LastErrorException e) {
            throw failure("open", dir, e);
        }
    }

    /** FS_IOC_GET_ENCRYPTION_POLICY_EX: the directory's policy, empty when it is not encrypted. */
    Optional<EncryptionPolicy> policy() {
        try (Memory arg = zeroed(8 + EncryptionPolicy.SIZE)) {
            arg.setLong(0, EncryptionPolicy.SIZE);
            try {
                ioctl(GET_POLICY_EX, arg);
            } catch (LastErrorException e) {
                if (e.getErrorCode() == ENODATA) {
                    return Optional.empty();
                }
                throw failure("read the encryption policy of", dir, e);
            }
            return Optional.of(EncryptionPolicy.parse(arg.getByteArray(8, (int) arg.getLong(0))));
        }
    }

    /** FS_IOC_SET_ENCRYPTION_POLICY: only an empty directory takes one, and only once its key is added. */
    void setPolicy(EncryptionPolicy policy) {
        byte[] b = policy.toBytes();
        try (Memory arg = zeroed(b.length)) {
            arg.write(0, b, 0, b.length);
            ioctl(SET_POLICY, arg);
        } catch (LastErrorException e) {
            throw failure("set the encryption policy of", dir, e);
        }
    }

    /**
     * FS_IOC_ADD_ENCRYPTION_KEY by the serial of an {@code fscrypt-provisioning} key the caller
     * possesses; the filesystem keeps its own copy and returns the key's identifier.
     */
    KeyIdentifier addKey(int provisioningKey) {
        try (Memory arg = zeroed(80)) {
            arg.setInt(0, ProvisioningKeys.SPEC_IDENTIFIER);
            arg.setInt(44, provisioningKey);
            ioctl(ADD_KEY, arg);
            return new KeyIdentifier(arg.getByteArray(8, KeyIdentifier.SIZE));
        } catch (LastErrorException e) {
            throw failure("add the key to the filesystem of", dir, e);
        }
    }

    /** FS_IOC_REMOVE_ENCRYPTION_KEY(_ALL_USERS): returns the removal status flags. */
    int removeKey(KeyIdentifier key, boolean allUsers) {
        try (Memory arg = spec(64, key)) {
            ioctl(allUsers ? REMOVE_KEY_ALL_USERS : REMOVE_KEY, arg);
            return arg.getInt(KEY_SPEC);
        } catch (LastErrorException e) {
            throw failure("remove the key from the filesystem of", dir, e);
        }
    }

    /** FS_IOC_GET_ENCRYPTION_KEY_STATUS. */
    KeyStatus keyStatus(KeyIdentifier key) {
        try (Memory arg = spec(128, key)) {
            ioctl(GET_KEY_STATUS, arg);
            return KeyStatus.of(arg.getInt(64), arg.getInt(68), arg.getInt(72));
        } catch (LastErrorException e) {
            throw failure("read the key status of", dir, e);
        }
    }

    private static Memory spec(int size, KeyIdentifier key) {
        Memory arg = zeroed(size);
        arg.setInt(0, ProvisioningKeys.SPEC_IDENTIFIER);
        byte[] id = key.bytes();
        arg.write(8, id, 0, id.length);
        return arg;
    }

    private static Memory zeroed(int size) {
        Memory m = new Memory(size);
        m.clear();
        return m;
    }

    private void ioctl(long request, Memory arg) {
        Libc.ioctl(fd, new NativeLong(request), arg);
    }

    @Override
    public void close() {
        try {
            Libc.close(fd);
        } catch (LastErrorException e) {
            // a read-only directory descriptor has nothing to flush; an error here cannot lose data
        }
    }

    private static AttestationException failure(String what, Path dir, LastErrorException e) {
        int errno = e.getErrorCode();
        String why = switch (errno) {
            case Errno.ENOTTY, Errno.EOPNOTSUPP -> "the filesystem does not support encryption (ext4 needs the encrypt feature:"
                    + " mkfs.ext4 -O encrypt, or tune2fs -O encrypt on an unmounted one)";
            case Errno.EEXIST -> "it is already encrypted with another policy";
            case ENOTEMPTY -> "it is not empty (only an empty directory can be encrypted)";
            case ENOTDIR -> "it is not a directory";
            case Errno.ENOKEY -> "its key has not been added to the filesystem";
            case Errno.EKEYREJECTED -> "the key is not an fscrypt-provisioning key for v2 policies";
            case Errno.EACCES -> "permission denied (the key must be added by this user, or by root)";
            default -> Errno.explain(errno);
        };
        Reason reason = errno == Errno.EEXIST || errno == ENOTEMPTY || errno == ENOTDIR ? Reason.INVALID_ARGUMENT : Errno.reason(errno);
        return AttestationException.fromErrno(reason, errno, what + " " + dir + ": " + why);
    }
}
