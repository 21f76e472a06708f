// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core.mr;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.Reason;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;

/** The digest algorithms of measurement registers and event logs, with their TPM algorithm IDs. */
public enum HashAlgorithm {
    SHA1(0x0004, 20, "SHA-1", "sha1"),
    SHA256(0x000B, 32, "SHA-256", "sha256"),
    SHA384(0x000C, 48, "SHA-384", "sha384"),
    SHA512(0x000D, 64, "SHA-512", "sha512");

    private final int tpmId;
    private final int size;
    private final String jdkName;
    private final String name;

    HashAlgorithm(int tpmId, int size, String jdkName, String name) {
        this.tpmId = tpmId;
        this.size = size;
        this.jdkName = jdkName;
        this.name = name;
    }

    public int tpmId() {
        return tpmId;
    }

    public int size() {
        return size;
    }

    /** The lower-case name Linux and CEL JSON use: sha1, sha256, sha384, sha512. */
    public String label() {
        return name;
    }

    public static Optional<HashAlgorithm> byTpmId(int id) {
        for (HashAlgorithm a : values()) {
            if (a.tpmId == id) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    public static HashAlgorithm byLabel(String label) {
        for (HashAlgorithm a : values()) {
            if (a.name.equalsIgnoreCase(label)) {
                return a;
            }
        }
        throw AttestationException.invalid("hash algorithm", "'" + label + "' is not sha1, sha256, sha384 or sha512");
    }

    public MessageDigest digest() {
        try {
            return MessageDigest.getInstance(jdkName);
        } catch (NoSuchAlgorithmException e) {
            throw AttestationException.of(Reason.UNSUPPORTED, jdkName + " is not available in this JDK");
        }
    }

    public byte[] hash(byte[] data) {
        return digest().digest(data);
    }

    /** The extend rule of PCRs and RTMRs: {@code new = H(old || digest)}. */
    public byte[] extend(byte[] old, byte[] digest) {
        MessageDigest d = digest();
        d.update(old);
        d.update(digest);
        return d.digest();
    }
}
