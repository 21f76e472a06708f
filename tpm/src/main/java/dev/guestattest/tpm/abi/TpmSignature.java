// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tpm.abi;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.Bytes;

/** A TPMT_SIGNATURE: ECDSA (r, s) or RSASSA (one value), with its hash algorithm. */
public record TpmSignature(int sigAlg, int hashAlg, Bytes r, Bytes s) {
    public static TpmSignature read(TpmReader in) {
        int alg = in.u16("sigAlg");
        int hash = in.u16("hash");
        return switch (alg) {
            case Tpm2.ALG_ECDSA -> new TpmSignature(alg, hash, in.tpm2b("signatureR", 66), in.tpm2b("signatureS", 66));
            case Tpm2.ALG_RSASSA -> new TpmSignature(alg, hash, in.tpm2b("sig", 512), Bytes.EMPTY);
            default -> throw AttestationException.invalid("TPMT_SIGNATURE", String.format("algorithm 0x%04x is not ECDSA or RSASSA", alg));
        };
    }

    public static TpmSignature parse(byte[] data) {
        TpmReader r = new TpmReader("TPMT_SIGNATURE", data);
        TpmSignature s = read(r);
        if (r.remaining() != 0) {
            throw AttestationException.invalid("TPMT_SIGNATURE", r.remaining() + " trailing bytes");
        }
        return s;
    }

    public byte[] encode() {
        TpmWriter w = new TpmWriter().u16(sigAlg).u16(hashAlg).tpm2b(r.toArray());
        if (sigAlg == Tpm2.ALG_ECDSA) {
            w.tpm2b(s.toArray());
        }
        return w.toByteArray();
    }
}
