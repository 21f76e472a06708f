// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.snp.emulator;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.collateral.EmulatedService;
import dev.guestattest.core.collateral.ServedDocument;
import dev.guestattest.core.pki.Pem;
import dev.guestattest.core.state.PemFiles;
import dev.guestattest.snp.abi.TcbVersion;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * AMD's Key Distribution Service (formats.md §2.6) for the emulated chip: its VCEK for any TCB,
 * the ASK/ASVK chains and the ARK's CRL, at KDS's paths. The CRL is issued once, revoking nothing,
 * so every fetch returns the same bytes, as KDS's does until its nextUpdate.
 */
public final class EmulatedKds implements EmulatedService {
    private static final String VCEK = "/vcek/v1/";
    private static final String VLEK = "/vlek/v1/";
    private static final String[] SPLS = {"blSPL", "teeSPL", "snpSPL", "ucodeSPL"};
    private static final Pattern HWID = Pattern.compile("[0-9a-fA-F]{128}");
    private static final Pattern SPL = Pattern.compile("[0-9]{1,3}");

    private final EmulatedSnpPlatform chip;
    private final Clock clock;
    private final byte[] crl;

    public EmulatedKds(EmulatedSnpPlatform chip, Clock clock, Duration validity) {
        if (validity.isNegative() || validity.isZero()) {
            throw AttestationException.invalid("CRL validity", "must be positive, got " + validity);
        }
        this.chip = chip;
        this.clock = clock;
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        // the chip keeps the ARK's key beside its certificate (EmulatedSnpPlatform.create)
        this.crl = crl(chip.arkCertificate(), PemFiles.readPrivateKey(chip.directory().resolve("ark.key"), "RSA"), now, now.plus(validity));
    }

    /** The ARK's CRL as served (DER). */
    public byte[] crl() {
        return crl.clone();
    }

    @Override
    public String description() {
        return "AMD KDS for the emulated SNP chip (" + AmdCertificates.PRODUCT + ", hwid " + chip.chipId().hex().substring(0, 16) + "...): "
                + VCEK + AmdCertificates.PRODUCT + "/, " + VLEK + AmdCertificates.PRODUCT + "/";
    }

    @Override
    public Optional<ServedDocument> get(String path, Map<String, String> query) {
        boolean vlek = path.startsWith(VLEK);
        if (!vlek && !path.startsWith(VCEK)) {
            return Optional.empty();
        }
        String[] parts = path.substring(VCEK.length()).split("/", -1); // {product, what}
        if (parts.length != 2) {
            return Optional.of(ServedDocument.notFound("no such KDS path: " + path));
        }
        if (!parts[0].equals(AmdCertificates.PRODUCT)) {
            return Optional.of(ServedDocument.notFound("no " + parts[0] + " here: the emulated chip is a " + AmdCertificates.PRODUCT));
        }
        return Optional.of(switch (parts[1]) {
            case "cert_chain" -> ServedDocument.ok(Map.of("Content-Type", "application/x-pem-file"),
                    (pem(vlek ? chip.asvkCertificate() : chip.askCertificate()) + pem(chip.arkCertificate())).getBytes(StandardCharsets.US_ASCII));
            case "crl" -> ServedDocument.ok(Map.of("Content-Type", "application/pkix-crl"), crl);
            default -> vlek ? ServedDocument.notFound("VLEK certificates come from the cloud provider, not KDS") : vcek(parts[1], query);
        });
    }

    private ServedDocument vcek(String hwid, Map<String, String> query) {
        if (!HWID.matcher(hwid).matches()) {
            return badRequest("the hwid must be the 64-byte chip ID in hex, got '" + hwid + "'");
        }
        if (!hwid.equalsIgnoreCase(chip.chipId().hex())) {
            return ServedDocument.notFound("no chip with hwid " + hwid);
        }
        int[] spl = new int[SPLS.length];
        for (int i = 0; i < SPLS.length; i++) {
            String v = query.get(SPLS[i]);
            if (v == null || !SPL.matcher(v).matches() || Integer.parseInt(v) > 255) {
                return badRequest(SPLS[i] + " must be a decimal number 0..255, got " + (v == null ? "none" : "'" + v + "'"));
            }
            spl[i] = Integer.parseInt(v);
        }
        TcbVersion tcb = TcbVersion.of(TcbVersion.Layout.MILAN_GENOA, new TcbVersion.Parts(0, spl[0], spl[1], spl[2], spl[3]));
        try {
            return ServedDocument.ok(Map.of("Content-Type", "application/pkix-cert"),
                    chip.signingKey(tcb, false, clock).certificate().getEncoded());
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException("the emulated VCEK cannot be encoded", e);
        }
    }

    private static ServedDocument badRequest(String message) {
        return new ServedDocument(400, Map.of("Error-Message", message), new byte[0]);
    }

    private static String pem(X509Certificate c) {
        try {
            return Pem.encode("CERTIFICATE", c.getEncoded());
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A CRL of the ARK revoking nothing, signed as AmdCertificates signs the ARK's certificates (RSASSA-PSS, SHA-384, salt 48). */
    private static byte[] crl(X509Certificate ark, PrivateKey arkKey, Instant thisUpdate, Instant nextUpdate) {
        try {
            X509v2CRLBuilder b = new X509v2CRLBuilder(X500Name.getInstance(ark.getSubjectX500Principal().getEncoded()), Date.from(thisUpdate));
            b.setNextUpdate(Date.from(nextUpdate));
            // the JDK names PSS only as "RSASSA-PSS" with parameters, which Bouncy Castle's signer builder cannot use with it
            return b.build(new JcaContentSignerBuilder("SHA384withRSAandMGF1").setProvider(new BouncyCastleProvider()).build(arkKey))
                    .getEncoded();
        } catch (OperatorCreationException | IOException e) {
            throw new IllegalStateException("issuing the emulated ARK's CRL failed", e);
        }
    }
}
