// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tpm.testing;

import dev.guestattest.core.codec.Bytes;
import dev.guestattest.tpm.TpmEvidence;
import dev.guestattest.tpm.abi.Tpm2;
import dev.guestattest.tpm.abi.TpmPublic;
import dev.guestattest.tpm.abi.TpmSignature;
import dev.guestattest.tpm.abi.TpmWriter;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;

/**
 * The forger: a P-256 key made in software, dressed as a restricted TPM attestation key (its
 * TPMT_PUBLIC claims what the template of a real AK claims), that signs any TPMS_ATTEST it is given.
 * Nothing in such a quote is wrong but its signer, which only a pinned AK can tell.
 */
public final class SoftwareAk {
    private final KeyPair key;
    private final Bytes publicArea;

    private SoftwareAk(KeyPair key, Bytes publicArea) {
        this.key = key;
        this.publicArea = publicArea;
    }

    public static SoftwareAk generate() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair k = g.generateKeyPair();
        byte[] template = TpmPublic.eccAttestationKeyTemplate(); // ends with two empty TPM2Bs, unique.x and unique.y
        ECPublicKey pub = (ECPublicKey) k.getPublic();
        byte[] area = new TpmWriter().bytes(Arrays.copyOf(template, template.length - 4)).tpm2b(fixed(pub.getW().getAffineX()))
                .tpm2b(fixed(pub.getW().getAffineY())).toByteArray();
        return new SoftwareAk(k, Bytes.of(area));
    }

    /** Its TPMT_PUBLIC, as evidence carries an AK's. */
    public Bytes publicArea() {
        return publicArea;
    }

    /** {@code genuine}'s quote and PCR values, re-signed by this key and carrying its public area. */
    public TpmEvidence resign(TpmEvidence genuine) throws GeneralSecurityException {
        Signature s = Signature.getInstance("SHA256withECDSAinP1363Format");
        s.initSign(key.getPrivate());
        s.update(genuine.attest().toArray());
        byte[] rs = s.sign();
        TpmSignature sig = new TpmSignature(Tpm2.ALG_ECDSA, Tpm2.ALG_SHA256, Bytes.of(rs, 0, 32), Bytes.of(rs, 32, 32));
        return new TpmEvidence(genuine.attest(), Bytes.of(sig.encode()), publicArea, genuine.bank(), genuine.pcrs(), genuine.ekCertificate());
    }

    private static byte[] fixed(BigInteger v) {
        byte[] b = v.toByteArray();
        byte[] out = new byte[32];
        int n = Math.min(32, b.length);
        System.arraycopy(b, b.length - n, out, 32 - n, n);
        return out;
    }
}
