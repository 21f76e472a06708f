// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tdx.verify;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.Bytes;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;

/**
 * What the PCK certificate's SGX extension (OID 1.2.840.113741.1.13.1, formats.md §1.6) says of the
 * platform: FMSPC, PCE ID, the 16 SGX TCB components, PCESVN and CPUSVN.
 */
public record PckExtensions(Bytes fmspc, Bytes pceId, int[] sgxComponents, int pceSvn, Bytes cpuSvn) {
    public static final String SGX_EXTENSION = "1.2.840.113741.1.13.1";
    private static final ASN1ObjectIdentifier TCB = new ASN1ObjectIdentifier(SGX_EXTENSION + ".2");
    private static final ASN1ObjectIdentifier PCE_ID = new ASN1ObjectIdentifier(SGX_EXTENSION + ".3");
    private static final ASN1ObjectIdentifier FMSPC = new ASN1ObjectIdentifier(SGX_EXTENSION + ".4");

    public static PckExtensions of(X509Certificate pck) {
        byte[] ext = pck.getExtensionValue(SGX_EXTENSION);
        if (ext == null) {
            throw AttestationException.invalid("PCK certificate", "has no SGX extension " + SGX_EXTENSION);
        }
        try {
            ASN1Sequence seq = ASN1Sequence.getInstance(ASN1OctetString.getInstance(ext).getOctets());
            Bytes fmspc = null;
            Bytes pceId = null;
            int[] comps = null;
            int pceSvn = -1;
            Bytes cpuSvn = null;
            for (ASN1Encodable e : seq) {
                ASN1Sequence pair = ASN1Sequence.getInstance(e);
                ASN1ObjectIdentifier oid = ASN1ObjectIdentifier.getInstance(pair.getObjectAt(0));
                ASN1Primitive value = pair.getObjectAt(1).toASN1Primitive();
                if (oid.equals(FMSPC)) {
                    fmspc = Bytes.of(ASN1OctetString.getInstance(value).getOctets()).checkLength("PCK FMSPC", 6);
                } else if (oid.equals(PCE_ID)) {
                    pceId = Bytes.of(ASN1OctetString.getInstance(value).getOctets()).checkLength("PCK PCE-ID", 2);
                } else if (oid.equals(TCB)) {
                    comps = new int[16];
                    Arrays.fill(comps, -1);
                    for (ASN1Encodable t : ASN1Sequence.getInstance(value)) {
                        ASN1Sequence tp = ASN1Sequence.getInstance(t);
                        ASN1ObjectIdentifier toid = ASN1ObjectIdentifier.getInstance(tp.getObjectAt(0));
                        String last = toid.getId().substring(toid.getId().lastIndexOf('.') + 1);
                        int n = Integer.parseInt(last);
                        ASN1Primitive tv = tp.getObjectAt(1).toASN1Primitive();
                        if (n >= 1 && n <= 16) {
                            comps[n - 1] = svn(ASN1Integer.getInstance(tv), 255, "SGX TCB component " + n);
                        } else if (n == 17) {
                            pceSvn = svn(ASN1Integer.getInstance(tv), 0xffff, "PCESVN");
                        } else if (n == 18) {
                            cpuSvn = Bytes.of(ASN1OctetString.getInstance(tv).getOctets()).checkLength("PCK CPUSVN", 16);
                        }
                    }
                }
            }
            if (fmspc == null || pceId == null || comps == null || pceSvn < 0 || cpuSvn == null
                    || Arrays.stream(comps).anyMatch(c -> c < 0)) {
                throw AttestationException.invalid("PCK certificate", "SGX extension lacks FMSPC, PCE-ID or part of the TCB");
            }
            return new PckExtensions(fmspc, pceId, comps, pceSvn, cpuSvn);
        } catch (IllegalArgumentException | ClassCastException e) {
            throw AttestationException.invalid("PCK certificate", "malformed SGX extension: " + e.getMessage());
        }
    }

    private static int svn(ASN1Integer v, int max, String field) {
        if (v.getValue().signum() < 0 || v.getValue().bitLength() > 31 || v.getValue().intValue() > max) {
            throw AttestationException.invalid("PCK " + field, v.getValue() + " is outside 0.." + max);
        }
        return v.getValue().intValue();
    }
}
