// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tpm.abi;

/** TPM 2.0 constants GuestAttest uses (TPM 2.0 Library Part 2). */
public final class Tpm2 {
    public static final int ST_NO_SESSIONS = 0x8001;
    public static final int ST_SESSIONS = 0x8002;
    public static final int ST_ATTEST_QUOTE = 0x8018;
    public static final long GENERATED_VALUE = 0xFF544347L;

    public static final long CC_STARTUP = 0x144;
    public static final long CC_CREATE_PRIMARY = 0x131;
    public static final long CC_QUOTE = 0x158;
    public static final long CC_FLUSH_CONTEXT = 0x165;
    public static final long CC_READ_PUBLIC = 0x173;
    public static final long CC_PCR_READ = 0x17E;
    public static final long CC_PCR_EXTEND = 0x182;
    public static final long CC_NV_READ = 0x14E;
    public static final long CC_GET_CAPABILITY = 0x17A;
    /** Where TCG's EK credential profile keeps EK certificates: RSA 2048, ECC P-256, ECC P-384. */
    public static final long[] EK_CERT_INDEXES = {0x01C00002L, 0x01C0000AL, 0x01C00016L};
    public static final long CC_NV_READ_PUBLIC = 0x169;

    public static final long RH_OWNER = 0x40000001L;
    public static final long RH_ENDORSEMENT = 0x4000000BL;
    public static final long RS_PW = 0x40000009L;

    public static final int ALG_RSA = 0x0001;
    public static final int ALG_SHA256 = 0x000B;
    public static final int ALG_NULL = 0x0010;
    public static final int ALG_RSASSA = 0x0014;
    public static final int ALG_ECDSA = 0x0018;
    public static final int ALG_ECC = 0x0023;
    public static final int ECC_NIST_P256 = 0x0003;

    /** fixedTPM | fixedParent | sensitiveDataOrigin | userWithAuth | restricted | sign: an attestation key. */
    public static final long ATTESTATION_KEY_ATTRIBUTES = 0x2 | 0x10 | 0x20 | 0x40 | 0x10000 | 0x40000;

    public static final long RC_SUCCESS = 0;
    public static final long RC_INITIALIZE = 0x100;

    private Tpm2() {
    }
}
