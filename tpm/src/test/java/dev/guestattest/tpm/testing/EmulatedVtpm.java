// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tpm.testing;

import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.mr.HashAlgorithm;
import dev.guestattest.tpm.abi.PcrSelection;
import dev.guestattest.tpm.abi.Tpm2;
import dev.guestattest.tpm.abi.TpmWriter;
import java.io.ByteArrayOutputStream;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.Signature;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.IntStream;

/**
 * An Azure paravisor's vTPM as a verifier sees it (az-cvm-vtpm 0.8.1 {@code vtpm::get_quote}, used by
 * guest-components 8246e5e0 {@code attestation-agent/attester/src/az_snp_vtpm/mod.rs} and
 * {@code az_tdx_vtpm/mod.rs}): the 24 PCRs of the SHA-256 bank and TPM2_Quote answers over all of
 * them, a TPMS_ATTEST marshalled here (TPM_GENERATED, ATTEST_QUOTE, the selection and the digest of
 * real SHA-256 extends) signed RSASSA-PKCS1-v1_5 by the AK. Shared by the emulated SNP and TDX CVMs.
 */
final class EmulatedVtpm {
    static final int PCRS = 24;

    private final byte[][] pcrs = new byte[PCRS][32];
    private long clock = 1_000;

    /** PCR {@code index} := SHA-256(PCR || digest), as TPM2_PCR_Extend does (init-data goes to PCR 8). */
    void extend(int index, Bytes digest) {
        byte[] in = Arrays.copyOf(pcrs[index], 32 + digest.length());
        System.arraycopy(digest.toArray(), 0, in, 32, digest.length());
        pcrs[index] = HashAlgorithm.SHA256.hash(in);
    }

    List<Bytes> pcrs() {
        List<Bytes> out = new ArrayList<>();
        for (byte[] p : pcrs) {
            out.add(Bytes.of(p));
        }
        return out;
    }

    /** A quote of all 24 SHA-256 PCRs over {@code nonce}, signed by {@code signer}. */
    EmulatedAzureCvm.Quote quote(Bytes nonce, KeyPair signer) throws GeneralSecurityException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] p : pcrs) {
            all.writeBytes(p);
        }
        TpmWriter w = new TpmWriter().u32(Tpm2.GENERATED_VALUE).u16(Tpm2.ST_ATTEST_QUOTE)
                .tpm2b(new TpmWriter().u16(Tpm2.ALG_SHA256).bytes(HashAlgorithm.SHA256.hash(signer.getPublic().getEncoded())).toByteArray())
                .tpm2b(nonce.toArray());
        long c = clock++;
        w.u32(c >>> 32).u32(c & 0xffffffffL).u32(1).u32(0).u8(1); // clock, resetCount, restartCount, safe
        w.u32(0x20240101L).u32(0); // firmwareVersion
        new PcrSelection(Tpm2.ALG_SHA256, new TreeSet<>(IntStream.range(0, PCRS).boxed().toList())).write(w);
        w.tpm2b(HashAlgorithm.SHA256.hash(all.toByteArray()));
        byte[] message = w.toByteArray();
        Signature s = Signature.getInstance("SHA256withRSA");
        s.initSign(signer.getPrivate());
        s.update(message);
        return new EmulatedAzureCvm.Quote(Bytes.of(message), Bytes.of(s.sign()));
    }
}
