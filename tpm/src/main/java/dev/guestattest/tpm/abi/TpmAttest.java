// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tpm.abi;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.Bytes;

/** A TPMS_ATTEST of type ATTEST_QUOTE: who signed, the caller's nonce, the clock, and the quoted PCRs' digest. */
public record TpmAttest(long magic, int type, Bytes qualifiedSigner, Bytes extraData, long clock, long resetCount, long restartCount,
                        boolean safe, long firmwareVersion, PcrSelection pcrSelection, Bytes pcrDigest) {
    public static TpmAttest parse(byte[] attest) {
        TpmReader r = new TpmReader("TPMS_ATTEST", attest);
        long magic = r.u32("magic");
        int type = r.u16("type");
        if (magic != Tpm2.GENERATED_VALUE || type != Tpm2.ST_ATTEST_QUOTE) {
            throw AttestationException.invalid("TPMS_ATTEST", String.format("magic 0x%08x type 0x%04x is not a TPM-generated quote", magic, type));
        }
        Bytes signer = r.tpm2b("qualifiedSigner", 68);
        Bytes extra = r.tpm2b("extraData", 64);
        long clock = r.u64("clockInfo.clock");
        long reset = r.u32("clockInfo.resetCount");
        long restart = r.u32("clockInfo.restartCount");
        boolean safe = r.u8("clockInfo.safe") != 0;
        long fw = r.u64("firmwareVersion");
        PcrSelection sel = PcrSelection.read(r);
        Bytes digest = r.tpm2b("pcrDigest", 64);
        if (r.remaining() != 0) {
            throw AttestationException.invalid("TPMS_ATTEST", r.remaining() + " trailing bytes");
        }
        return new TpmAttest(magic, type, signer, extra, clock, reset, restart, safe, fw, sel, digest);
    }
}
