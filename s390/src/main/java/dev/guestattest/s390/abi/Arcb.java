// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.s390.abi;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.Bytes;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * An Attestation Request Control Block, version 1 (formats.md §5.2), big-endian: a 0x40-byte
 * header (zero magic, version 0x0100, total length, AES-GCM IV, key-slot count, encrypted-area
 * size, plaintext flags, measurement algorithm), the request owner's P-521 key as two 80-byte
 * coordinates, one 80-byte key slot per host key, the encrypted area (measurement key, then the
 * optional nonce) and its GCM tag. The header, key and slots are the tag's authenticated data.
 */
public record Arcb(Bytes iv, long flags, int measurementAlgorithm, Bytes customerKey, List<KeySlot> keySlots, Bytes encrypted, Bytes tag) {
    public static final int VERSION = 0x0100;
    public static final int MAX_SIZE = 0x2000;
    public static final int HEADER_SIZE = 0x40;
    public static final int KEY_SIZE = 160;
    public static final int SLOT_SIZE = 80;
    public static final int TAG_SIZE = 16;
    public static final int IV_SIZE = 12;
    public static final int HMAC_SHA512 = 1;
    /** Plaintext attestation flag, MSB-0 bit 1: the encrypted area carries a 16-byte nonce. */
    public static final long FLAG_NONCE = 1L << 62;
    public static final int MEASUREMENT_KEY_SIZE = 64;
    public static final int NONCE_SIZE = 16;

    /** Public host key hash (SHA-256 of its coordinates), the wrapped request protection key, and the wrap's GCM tag. */
    public record KeySlot(Bytes hostKeyHash, Bytes wrappedKey, Bytes tag) {
        public KeySlot {
            hostKeyHash.checkLength("ARCB key slot host key hash", 32);
            wrappedKey.checkLength("ARCB key slot wrapped key", 32);
            tag.checkLength("ARCB key slot tag", TAG_SIZE);
        }
    }

    public Arcb {
        iv.checkLength("ARCB IV", IV_SIZE);
        customerKey.checkLength("ARCB customer key", KEY_SIZE);
        tag.checkLength("ARCB tag", TAG_SIZE);
        keySlots = List.copyOf(keySlots);
        if (keySlots.isEmpty() || keySlots.size() > 255) {
            throw AttestationException.invalid("ARCB key slots", keySlots.size() + "; must be 1..255");
        }
        int expected = MEASUREMENT_KEY_SIZE + ((flags & FLAG_NONCE) != 0 ? NONCE_SIZE : 0);
        if (encrypted.length() != expected) {
            throw AttestationException.invalid("ARCB encrypted area", encrypted.length() + " bytes; the flags say " + expected);
        }
        if (size(keySlots.size(), encrypted.length()) > MAX_SIZE) {
            throw AttestationException.tooLarge("ARCB", size(keySlots.size(), encrypted.length()), MAX_SIZE);
        }
    }

    private static int size(int slots, int encrypted) {
        return HEADER_SIZE + KEY_SIZE + slots * SLOT_SIZE + encrypted + TAG_SIZE;
    }

    public boolean hasNonce() {
        return (flags & FLAG_NONCE) != 0;
    }

    /** How many leading bytes the GCM tag authenticates: everything before the encrypted area. */
    public int authenticatedLength() {
        return HEADER_SIZE + KEY_SIZE + keySlots.size() * SLOT_SIZE;
    }

    public byte[] encode() {
        int length = size(keySlots.size(), encrypted.length());
        ByteBuffer b = ByteBuffer.allocate(length);
        b.put(new byte[8]).putInt(VERSION).putInt(length).put(iv.toArray()).put(new byte[4]).put(new byte[7]).put((byte) keySlots.size())
                .put(new byte[4]).putInt(encrypted.length()).putLong(flags).putInt(measurementAlgorithm).put(new byte[4]);
        b.put(customerKey.toArray());
        for (KeySlot s : keySlots) {
            b.put(s.hostKeyHash().toArray()).put(s.wrappedKey().toArray()).put(s.tag().toArray());
        }
        b.put(encrypted.toArray()).put(tag.toArray());
        return b.array();
    }

    public static Arcb parse(byte[] data) {
        if (data.length < HEADER_SIZE) {
            throw AttestationException.invalid("ARCB", data.length + " bytes is shorter than its 64-byte header");
        }
        if (data.length > MAX_SIZE) {
            throw AttestationException.tooLarge("ARCB", data.length, MAX_SIZE);
        }
        ByteBuffer b = ByteBuffer.wrap(data);
        for (int i = 0; i < 8; i++) {
            if (b.get() != 0) {
                throw AttestationException.invalid("ARCB magic", "must be zero for an attestation request");
            }
        }
        int version = b.getInt();
        if (version != VERSION) {
            throw AttestationException.invalid("ARCB version", String.format("0x%04x; only 0x%04x is known", version, VERSION));
        }
        long length = b.getInt() & 0xffffffffL;
        if (length != data.length) {
            throw AttestationException.invalid("ARCB length", "says " + length + " bytes, the request is " + data.length);
        }
        byte[] iv = new byte[IV_SIZE];
        b.get(iv);
        for (int[] reserved : new int[][] {{0x1C, 0x27}, {0x28, 0x2C}, {0x3C, 0x40}}) {
            for (int i = reserved[0]; i < reserved[1]; i++) {
                if (data[i] != 0) {
                    throw AttestationException.invalid("ARCB", String.format("reserved byte 0x%02x is not zero", i));
                }
            }
        }
        b.position(0x27);
        int slots = b.get() & 0xff;
        b.position(0x2C);
        long encryptedSize = b.getInt() & 0xffffffffL;
        long flags = b.getLong();
        int algorithm = b.getInt();
        if (algorithm != HMAC_SHA512) {
            throw AttestationException.invalid("ARCB measurement algorithm", algorithm + "; only 1 (HMAC-SHA512) is known");
        }
        if ((long) HEADER_SIZE + KEY_SIZE + (long) slots * SLOT_SIZE + encryptedSize + TAG_SIZE != length) {
            throw AttestationException.invalid("ARCB", slots + " key slots and a " + encryptedSize + "-byte encrypted area do not add up to "
                    + length + " bytes");
        }
        b.position(HEADER_SIZE);
        Bytes customer = take(b, KEY_SIZE);
        List<KeySlot> keySlots = new ArrayList<>(slots);
        for (int i = 0; i < slots; i++) {
            keySlots.add(new KeySlot(take(b, 32), take(b, 32), take(b, TAG_SIZE)));
        }
        Bytes encrypted = take(b, (int) encryptedSize);
        return new Arcb(Bytes.of(iv), flags, algorithm, customer, keySlots, encrypted, take(b, TAG_SIZE));
    }

    private static Bytes take(ByteBuffer b, int n) {
        byte[] out = new byte[n];
        b.get(out);
        return Bytes.of(out);
    }
}
