// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cove.abi;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.Bytes;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.ASN1TaggedObject;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERTaggedObject;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;

/**
 * The TCG DICE TcbInfo extension (OID 2.23.133.5.4.1) with the fields CoVE evidence uses: vendor,
 * model, SVN, layer and FWIDs (hash algorithm and digest of each measured component), and the TCG
 * DICE TcbFreshness extension (2.23.133.5.4.11) carrying the caller's challenge.
 */
public record DiceTcbInfo(Optional<String> vendor, Optional<String> model, Optional<Integer> svn, Optional<Integer> layer,
                          List<Bytes> fwids) {
    public static final String OID = "2.23.133.5.4.1";
    public static final String FRESHNESS_OID = "2.23.133.5.4.11";

    public DiceTcbInfo {
        fwids = List.copyOf(fwids);
    }

    /** The DER of the extension value (SHA-384 FWIDs). */
    public byte[] encode() {
        ASN1EncodableVector v = new ASN1EncodableVector();
        vendor.ifPresent(s -> v.add(new DERTaggedObject(false, 0, new DERUTF8String(s))));
        model.ifPresent(s -> v.add(new DERTaggedObject(false, 1, new DERUTF8String(s))));
        svn.ifPresent(s -> v.add(new DERTaggedObject(false, 3, new ASN1Integer(s))));
        layer.ifPresent(s -> v.add(new DERTaggedObject(false, 4, new ASN1Integer(s))));
        ASN1EncodableVector ids = new ASN1EncodableVector();
        for (Bytes f : fwids) {
            ids.add(new DERSequence(new ASN1Encodable[] {NISTObjectIdentifiers.id_sha384, new DEROctetString(f.toArray())}));
        }
        v.add(new DERTaggedObject(false, 6, new DERSequence(ids)));
        try {
            return new DERSequence(v).getEncoded();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Optional<DiceTcbInfo> of(X509Certificate cert) {
        byte[] ext = cert.getExtensionValue(OID);
        if (ext == null) {
            return Optional.empty();
        }
        try {
            ASN1Sequence seq = ASN1Sequence.getInstance(ASN1OctetString.getInstance(ext).getOctets());
            Optional<String> vendor = Optional.empty();
            Optional<String> model = Optional.empty();
            Optional<Integer> svn = Optional.empty();
            Optional<Integer> layer = Optional.empty();
            List<Bytes> fwids = new ArrayList<>();
            for (ASN1Encodable e : seq) {
                ASN1TaggedObject t = ASN1TaggedObject.getInstance(e);
                switch (t.getTagNo()) {
                    case 0 -> vendor = Optional.of(DERUTF8String.getInstance(t, false).getString());
                    case 1 -> model = Optional.of(DERUTF8String.getInstance(t, false).getString());
                    case 3 -> svn = Optional.of(ASN1Integer.getInstance(t, false).intValueExact());
                    case 4 -> layer = Optional.of(ASN1Integer.getInstance(t, false).intValueExact());
                    case 6 -> {
                        for (ASN1Encodable f : ASN1Sequence.getInstance(t, false)) {
                            ASN1Sequence fwid = ASN1Sequence.getInstance(f);
                            if (fwid.size() != 2) {
                                throw AttestationException.invalid("DICE TcbInfo", "an FWID has " + fwid.size() + " fields; expected 2");
                            }
                            ASN1ObjectIdentifier.getInstance(fwid.getObjectAt(0));
                            byte[] digest = ASN1OctetString.getInstance(fwid.getObjectAt(1)).getOctets();
                            if (digest.length < 20 || digest.length > 64) {
                                throw AttestationException.invalid("DICE TcbInfo", "an FWID digest of " + digest.length + " bytes; expected 20..64");
                            }
                            fwids.add(Bytes.of(digest));
                        }
                    }
                    default -> {
                        // fields this verifier does not use (version, index, flags, vendorInfo, type)
                    }
                }
            }
            return Optional.of(new DiceTcbInfo(vendor, model, svn, layer, fwids));
        } catch (AttestationException e) {
            throw e;
        } catch (RuntimeException e) {
            // Bouncy Castle reports malformed ASN.1 with several unchecked types; all of them are bad evidence.
            throw AttestationException.invalid("DICE TcbInfo", "malformed: " + e);
        }
    }

    /** The challenge in a TcbFreshness extension: SEQUENCE { nonce OCTET STRING }. */
    public static Optional<Bytes> freshness(X509Certificate cert) {
        byte[] ext = cert.getExtensionValue(FRESHNESS_OID);
        if (ext == null) {
            return Optional.empty();
        }
        try {
            ASN1Sequence seq = ASN1Sequence.getInstance(ASN1OctetString.getInstance(ext).getOctets());
            if (seq.size() != 1) {
                throw new IllegalArgumentException(seq.size() + " fields; expected 1 (the nonce)");
            }
            return Optional.of(Bytes.of(ASN1OctetString.getInstance(seq.getObjectAt(0)).getOctets()));
        } catch (RuntimeException e) {
            throw AttestationException.invalid("DICE TcbFreshness", "malformed: " + e);
        }
    }

    public static byte[] encodeFreshness(Bytes nonce) {
        try {
            return new DERSequence(new DEROctetString(nonce.toArray())).getEncoded();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
