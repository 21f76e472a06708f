// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.snp.abi;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.Bytes;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The SEV-SNP ATTESTATION_REPORT (0x4A0 bytes, versions 2, 3 and 5; formats.md §2.1) as an
 * immutable view over its exact bytes: every field is read at its offset, so a report round-trips
 * byte for byte. Build one with {@link #builder()}.
 */
public final class AttestationReport {
    public static final int SIZE = 0x4A0;
    /** The signature covers bytes 0x000-0x29F. */
    public static final int SIGNED_SIZE = 0x2A0;
    static final int SIGNATURE = 0x2A0;
    static final int SCALAR = 72;

    private final byte[] bytes;

    private AttestationReport(byte[] bytes) {
        this.bytes = bytes;
    }

    /** Parses exactly {@value #SIZE} bytes. */
    public static AttestationReport parse(byte[] data) {
        if (data.length != SIZE) {
            throw AttestationException.invalid("attestation report", "must be exactly " + SIZE + " bytes, got " + data.length);
        }
        return new AttestationReport(data.clone());
    }

    public byte[] toBytes() {
        return bytes.clone();
    }

    /** The bytes the VCEK or VLEK signs. */
    public byte[] signedRegion() {
        return Arrays.copyOf(bytes, SIGNED_SIZE);
    }

    public long version() {
        return u32(0x000);
    }

    public long guestSvn() {
        return u32(0x004);
    }

    public GuestPolicy policy() {
        return new GuestPolicy(u64(0x008));
    }

    public Bytes familyId() {
        return field(0x010, 16);
    }

    public Bytes imageId() {
        return field(0x020, 16);
    }

    /** The privilege level the report was requested at. */
    public long vmpl() {
        return u32(0x030);
    }

    public long signatureAlgo() {
        return u32(0x034);
    }

    public TcbVersion currentTcb() {
        return new TcbVersion(u64(0x038));
    }

    public long platformInfo() {
        return u64(0x040);
    }

    public long signerInfo() {
        return u32(0x048);
    }

    public boolean authorKeyEnabled() {
        return (signerInfo() & 1) != 0;
    }

    public boolean chipIdMasked() {
        return (signerInfo() & 2) != 0;
    }

    public SigningKey signingKey() {
        return SigningKey.of((int) (signerInfo() >>> 2 & 7));
    }

    public Bytes reportData() {
        return field(0x050, 64);
    }

    public Bytes measurement() {
        return field(0x090, 48);
    }

    public Bytes hostData() {
        return field(0x0C0, 32);
    }

    public Bytes idKeyDigest() {
        return field(0x0E0, 48);
    }

    public Bytes authorKeyDigest() {
        return field(0x110, 48);
    }

    public Bytes reportId() {
        return field(0x140, 32);
    }

    public Bytes reportIdMa() {
        return field(0x160, 32);
    }

    /** The TCB the signing key was derived for: select the VCEK by it. */
    public TcbVersion reportedTcb() {
        return new TcbVersion(u64(0x180));
    }

    /** CPUID family (extended + base, e.g. 0x19, 0x1A), v3 and later; 0 in v2 reports. */
    public int cpuidFamily() {
        return bytes[0x188] & 0xff;
    }

    public int cpuidModel() {
        return bytes[0x189] & 0xff;
    }

    public int cpuidStepping() {
        return bytes[0x18A] & 0xff;
    }

    public Bytes chipId() {
        return field(0x1A0, 64);
    }

    public TcbVersion committedTcb() {
        return new TcbVersion(u64(0x1E0));
    }

    /** Current firmware version as major.minor build. */
    public Firmware currentFirmware() {
        return new Firmware(bytes[0x1EA] & 0xff, bytes[0x1E9] & 0xff, bytes[0x1E8] & 0xff);
    }

    public Firmware committedFirmware() {
        return new Firmware(bytes[0x1EE] & 0xff, bytes[0x1ED] & 0xff, bytes[0x1EC] & 0xff);
    }

    public TcbVersion launchTcb() {
        return new TcbVersion(u64(0x1F0));
    }

    /** Mitigation vectors, version 5 reports. */
    public long launchMitigationVector() {
        return u64(0x1F8);
    }

    public long currentMitigationVector() {
        return u64(0x200);
    }

    /** Whether every reserved, must-be-zero byte is zero. */
    public boolean reservedFieldsZero() {
        return zero(0x04C, 4) && zero(0x18B, 21) && bytes[0x1EB] == 0 && bytes[0x1EF] == 0 && zero(0x208, 152)
                && zero(SIGNATURE + 2 * SCALAR, 512 - 2 * SCALAR) && (signerInfo() & ~0x1fL) == 0;
    }

    /** The signature's R, from 72 little-endian bytes. */
    public BigInteger signatureR() {
        return littleEndian(SIGNATURE);
    }

    public BigInteger signatureS() {
        return littleEndian(SIGNATURE + SCALAR);
    }

    /** The report's product generation by CPUID family (v3+): Turin is family 0x1A. */
    public TcbVersion.Layout tcbLayout() {
        return cpuidFamily() == 0x1A ? TcbVersion.Layout.TURIN : TcbVersion.Layout.MILAN_GENOA;
    }

    /** A firmware version. */
    public record Firmware(int major, int minor, int build) implements Comparable<Firmware> {
        @Override
        public int compareTo(Firmware o) {
            return Integer.compare(major << 16 | minor << 8 | build, o.major << 16 | o.minor << 8 | o.build);
        }

        @Override
        public String toString() {
            return major + "." + minor + " build " + build;
        }
    }

    private long u32(int off) {
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getInt(off) & 0xffffffffL;
    }

    private long u64(int off) {
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(off);
    }

    private Bytes field(int off, int len) {
        return Bytes.of(bytes, off, len);
    }

    private boolean zero(int off, int len) {
        for (int i = off; i < off + len; i++) {
            if (bytes[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private BigInteger littleEndian(int off) {
        byte[] be = new byte[SCALAR];
        for (int i = 0; i < SCALAR; i++) {
            be[i] = bytes[off + SCALAR - 1 - i];
        }
        return new BigInteger(1, be);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AttestationReport r && Arrays.equals(bytes, r.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return "AttestationReport[v" + version() + ", vmpl " + vmpl() + ", measurement " + measurement().hex() + "]";
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Writes fields at their offsets into a zeroed report; unset fields stay zero. */
    public static final class Builder {
        private final ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);

        private Builder() {
        }

        public Builder version(long v) {
            b.putInt(0x000, (int) v);
            return this;
        }

        public Builder guestSvn(long v) {
            b.putInt(0x004, (int) v);
            return this;
        }

        public Builder policy(GuestPolicy p) {
            b.putLong(0x008, p.raw());
            return this;
        }

        public Builder familyId(Bytes v) {
            return put(0x010, v, 16, "family_id");
        }

        public Builder imageId(Bytes v) {
            return put(0x020, v, 16, "image_id");
        }

        public Builder vmpl(long v) {
            b.putInt(0x030, (int) v);
            return this;
        }

        public Builder signatureAlgo(long v) {
            b.putInt(0x034, (int) v);
            return this;
        }

        public Builder currentTcb(TcbVersion v) {
            b.putLong(0x038, v.raw());
            return this;
        }

        public Builder platformInfo(long v) {
            b.putLong(0x040, v);
            return this;
        }

        public Builder signer(SigningKey key, boolean authorKey, boolean maskChipId) {
            b.putInt(0x048, key.bits() << 2 | (maskChipId ? 2 : 0) | (authorKey ? 1 : 0));
            return this;
        }

        public Builder reportData(Bytes v) {
            return put(0x050, v, 64, "report_data");
        }

        public Builder measurement(Bytes v) {
            return put(0x090, v, 48, "measurement");
        }

        public Builder hostData(Bytes v) {
            return put(0x0C0, v, 32, "host_data");
        }

        public Builder idKeyDigest(Bytes v) {
            return put(0x0E0, v, 48, "id_key_digest");
        }

        public Builder authorKeyDigest(Bytes v) {
            return put(0x110, v, 48, "author_key_digest");
        }

        public Builder reportId(Bytes v) {
            return put(0x140, v, 32, "report_id");
        }

        public Builder reportIdMa(Bytes v) {
            return put(0x160, v, 32, "report_id_ma");
        }

        public Builder reportedTcb(TcbVersion v) {
            b.putLong(0x180, v.raw());
            return this;
        }

        public Builder cpuid(int family, int model, int stepping) {
            b.put(0x188, (byte) family).put(0x189, (byte) model).put(0x18A, (byte) stepping);
            return this;
        }

        public Builder chipId(Bytes v) {
            return put(0x1A0, v, 64, "chip_id");
        }

        public Builder committedTcb(TcbVersion v) {
            b.putLong(0x1E0, v.raw());
            return this;
        }

        public Builder currentFirmware(Firmware f) {
            b.put(0x1E8, (byte) f.build()).put(0x1E9, (byte) f.minor()).put(0x1EA, (byte) f.major());
            return this;
        }

        public Builder committedFirmware(Firmware f) {
            b.put(0x1EC, (byte) f.build()).put(0x1ED, (byte) f.minor()).put(0x1EE, (byte) f.major());
            return this;
        }

        public Builder launchTcb(TcbVersion v) {
            b.putLong(0x1F0, v.raw());
            return this;
        }

        public Builder mitigationVectors(long launch, long current) {
            b.putLong(0x1F8, launch).putLong(0x200, current);
            return this;
        }

        /** The signature R and S as 72-byte little-endian scalars at 0x2A0 and 0x2E8. */
        public Builder signature(BigInteger r, BigInteger s) {
            putScalar(SIGNATURE, r);
            putScalar(SIGNATURE + SCALAR, s);
            return this;
        }

        public AttestationReport build() {
            return new AttestationReport(b.array().clone());
        }

        private void putScalar(int off, BigInteger v) {
            byte[] be = v.toByteArray();
            for (int i = 0; i < SCALAR; i++) {
                int src = be.length - 1 - i;
                b.put(off + i, src >= 0 ? be[src] : 0);
            }
        }

        private Builder put(int off, Bytes v, int len, String field) {
            v.checkLength(field, len);
            b.put(off, v.toArray());
            return this;
        }
    }
}
