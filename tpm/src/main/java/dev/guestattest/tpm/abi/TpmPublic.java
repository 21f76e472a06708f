// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tpm.abi;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.Bytes;
import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.RSAPublicKeySpec;

/**
 * A TPMT_PUBLIC of a signing key, ECC P-256 or RSA, as the TPM marshals it (the bytes are kept:
 * the key's name is their hash). Builds the attestation-key templates GuestAttest creates.
 */
public record TpmPublic(Bytes encoded, int type, int nameAlg, long attributes, int scheme, int schemeHash, PublicKey key) {
    public static byte[] eccAttestationKeyTemplate() {
        return new TpmWriter().u16(Tpm2.ALG_ECC).u16(Tpm2.ALG_SHA256).u32(Tpm2.ATTESTATION_KEY_ATTRIBUTES).u16(0)
                .u16(Tpm2.ALG_NULL).u16(Tpm2.ALG_ECDSA).u16(Tpm2.ALG_SHA256).u16(Tpm2.ECC_NIST_P256).u16(Tpm2.ALG_NULL)
                .u16(0).u16(0).toByteArray();
    }

    public static byte[] rsaAttestationKeyTemplate() {
        return new TpmWriter().u16(Tpm2.ALG_RSA).u16(Tpm2.ALG_SHA256).u32(Tpm2.ATTESTATION_KEY_ATTRIBUTES).u16(0)
                .u16(Tpm2.ALG_NULL).u16(Tpm2.ALG_RSASSA).u16(Tpm2.ALG_SHA256).u16(2048).u32(0).u16(0).toByteArray();
    }

    /** Parses a TPMT_PUBLIC (without the TPM2B size). */
    public static TpmPublic parse(byte[] tpmtPublic) {
        TpmReader r = new TpmReader("TPMT_PUBLIC", tpmtPublic);
        int type = r.u16("type");
        int nameAlg = r.u16("nameAlg");
        long attributes = r.u32("objectAttributes");
        r.tpm2b("authPolicy", 64);
        int sym = r.u16("symmetric");
        if (sym != Tpm2.ALG_NULL) {
            throw AttestationException.invalid("TPMT_PUBLIC", "a signing key must have no symmetric algorithm");
        }
        int scheme = r.u16("scheme");
        int schemeHash = scheme == Tpm2.ALG_NULL ? Tpm2.ALG_NULL : r.u16("scheme.hashAlg");
        try {
            if (type == Tpm2.ALG_ECC) {
                int curve = r.u16("curveID");
                int kdf = r.u16("kdf");
                if (kdf != Tpm2.ALG_NULL) {
                    r.u16("kdf.hashAlg");
                }
                if (curve != Tpm2.ECC_NIST_P256) {
                    throw AttestationException.invalid("TPMT_PUBLIC", String.format("curve 0x%04x is not NIST P-256", curve));
                }
                BigInteger x = new BigInteger(1, r.tpm2b("unique.x", 32).toArray());
                BigInteger y = new BigInteger(1, r.tpm2b("unique.y", 32).toArray());
                AlgorithmParameters p = AlgorithmParameters.getInstance("EC");
                p.init(new ECGenParameterSpec("secp256r1"));
                PublicKey key = KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(new ECPoint(x, y),
                        p.getParameterSpec(ECParameterSpec.class)));
                return new TpmPublic(whole(r, tpmtPublic), type, nameAlg, attributes, scheme, schemeHash, key);
            }
            if (type == Tpm2.ALG_RSA) {
                int bits = r.u16("keyBits");
                long exponent = r.u32("exponent");
                BigInteger n = new BigInteger(1, r.tpm2b("unique.rsa", 512).toArray());
                if (n.bitLength() != bits) {
                    throw AttestationException.invalid("TPMT_PUBLIC", "modulus has " + n.bitLength() + " bits, keyBits says " + bits);
                }
                PublicKey key = KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(n,
                        BigInteger.valueOf(exponent == 0 ? 65537 : exponent)));
                return new TpmPublic(whole(r, tpmtPublic), type, nameAlg, attributes, scheme, schemeHash, key);
            }
        } catch (GeneralSecurityException e) {
            throw AttestationException.invalid("TPMT_PUBLIC", "not a usable key: " + e.getMessage());
        }
        throw AttestationException.invalid("TPMT_PUBLIC", String.format("type 0x%04x is neither ECC nor RSA", type));
    }

    /** The key's name: nameAlg || H(TPMT_PUBLIC) (SHA-256 name algorithm only). */
    public Bytes name() {
        if (nameAlg != Tpm2.ALG_SHA256) {
            throw AttestationException.invalid("TPMT_PUBLIC", String.format("name algorithm 0x%04x is not SHA-256", nameAlg));
        }
        byte[] h = dev.guestattest.core.mr.HashAlgorithm.SHA256.hash(encoded.toArray());
        return Bytes.of(new TpmWriter().u16(nameAlg).bytes(h).toByteArray());
    }

    /** The structure's bytes; anything after its end is refused, since the pinned AK is compared byte for byte. */
    private static Bytes whole(TpmReader r, byte[] tpmtPublic) {
        if (r.remaining() != 0) {
            throw AttestationException.invalid("TPMT_PUBLIC", r.remaining() + " trailing bytes");
        }
        return Bytes.of(tpmtPublic);
    }
}
